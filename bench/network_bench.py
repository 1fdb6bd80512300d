"""Road-network benchmark: graph build/load, matrix times cold and cached, county detour ratios.

Run ``python -m bench.network_bench`` (``--sizes 100,500,1000``); results go
to ``bench-results/network.json`` and ``bench-results/network.md``.  Figures
are reported, never asserted (two shared cores make them noisy).
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from maps.county_roads import Place, detour_ratios, generate_county_roads
from maps.geo import from_local_xy, local_xy
from maps.matrix import compute_matrices
from maps.network import RoadNetwork
from maps.osm_import import import_osm
from maps.store import load_network, save_network

ROOT = Path(__file__).resolve().parents[1]
ANDORRA = ROOT.parent / "shared" / "data" / "osm" / "andorra.osm.pbf"
SCENARIO = ROOT / "scenarios" / "data" / "qingshan"
PROFILES = ("truck", "van", "ev")
Points = list[tuple[str, float, float]]


def _timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t0


def _load_time(network: RoadNetwork, folder: Path, repeat: int = 5) -> tuple[float, int]:
    path = save_network(network, folder / f"{network.version}.npz")
    times = [_timed(lambda: load_network(path))[1] for _ in range(repeat)]
    return statistics.median(times), path.stat().st_size


def _jitter(base: Points, n: int, *, radius_m: float, seed: int) -> Points:
    """``n`` points: ``base`` first, then random points within ``radius_m`` of random base points."""
    rng = np.random.default_rng(seed)
    out = list(base[:n])
    lat0, lon0 = base[0][1], base[0][2]
    while len(out) < n:
        _, lat, lon = base[int(rng.integers(len(base)))]
        x, y = local_xy(lat, lon, lat0, lon0)
        a, r = rng.uniform(0, 2 * np.pi), rng.uniform(0, radius_m)
        la, lo = from_local_xy(x + r * np.cos(a), y + r * np.sin(a), lat0, lon0)
        out.append((f"X{len(out):05d}", float(la), float(lo)))
    return out


def _andorra_points(network: RoadNetwork, n: int) -> Points:
    rng = np.random.default_rng(7)
    idx = rng.integers(0, len(network.geom_lat), n)
    base = [(f"A{i:05d}", float(network.geom_lat[k]), float(network.geom_lon[k])) for i, k in enumerate(idx)]
    return _jitter(base[:1], 1, radius_m=0, seed=1) + _jitter(base, n, radius_m=300, seed=2)[1:]


def _county() -> tuple[RoadNetwork, float, Points, list[Place], str]:
    """The bundled county: its roads (generated now, timed) and its depots and customers."""
    sc = json.loads((SCENARIO / "scenario.json").read_text(encoding="utf-8"))
    places = [
        Place(
            t["code"],
            t["name_zh"],
            t["lat"],
            t["lon"],
            "county_town" if t["is_county_town"] else "township",
            t["code"],
        )
        for t in sc["townships"]
    ] + [Place(v["code"], v["name_zh"], v["lat"], v["lon"], "village", v["township"]) for v in sc["villages"]]
    town = next(t for t in sc["townships"] if t["is_county_town"])
    net, secs = _timed(
        lambda: generate_county_roads(
            places, seed=sc["seed"], county_town=(town["lat"], town["lon"]), name=sc["name"]
        )
    )
    stored = SCENARIO / "roads.npz"
    note = "generated now from scenario.json"
    if stored.is_file():
        note += f"; bundled roads.npz version {load_network(stored).version}"
    points = [(d["code"], d["lat"], d["lon"]) for d in sc["depots"]]
    points += [(c["code"], c["lat"], c["lon"]) for c in sc["customers"]]
    return net, secs, points, places, note


def _ratios(net: RoadNetwork, points: Points, places: list[Place]) -> dict[str, Any]:
    def summary(r: np.ndarray) -> dict[str, Any]:
        q = np.percentile(r, [5, 10, 25, 50, 75, 90, 95])
        return {
            "pairs": len(r),
            "mean": round(float(r.mean()), 3),
            **{f"p{p}": round(float(v), 3) for p, v in zip((5, 10, 25, 50, 75, 90, 95), q, strict=True)},
            "share_1.3_to_1.8": round(float(((r >= 1.3) & (r <= 1.8)).mean()), 3),
        }

    hubs = [(p.id, p.lat, p.lon) for p in places if p.kind != "village"]
    return {
        "customers (pairs >= 2 km)": summary(detour_ratios(net, points, profile="van")),
        "town and township centres": summary(detour_ratios(net, hubs, profile="van")),
        "all places": summary(detour_ratios(net, [(p.id, p.lat, p.lon) for p in places], profile="van")),
    }


def _matrices(name: str, net: RoadNetwork, points: Points, sizes: list[int]) -> list[dict[str, Any]]:
    rows = []
    for n in sizes:
        pts = _jitter(points, n, radius_m=500, seed=n)
        for profile in PROFILES:
            with tempfile.TemporaryDirectory() as cache:
                cold = compute_matrices(net, pts, profile=profile, cache_dir=Path(cache))
                warm = compute_matrices(net, pts, profile=profile, cache_dir=Path(cache))
            assert warm.cache_hit and np.array_equal(cold.duration_s, warm.duration_s)
            rows.append(
                {
                    "network": name,
                    "points": n,
                    "profile": profile,
                    "cold_s": round(cold.seconds, 3),
                    "cached_s": round(warm.seconds, 4),
                    "snap_warnings": len(cold.warnings),
                    "median_km": round(float(np.median(cold.distance_m)) / 1000, 2),
                }
            )
            print(
                f"  {name:9} n={n:5} {profile:5} cold {cold.seconds:6.2f} s  cached {warm.seconds:6.3f} s",
                file=sys.stderr,
            )
    return rows


def run(sizes: list[int], out_dir: Path) -> dict[str, Any]:
    results: dict[str, Any] = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "when": time.strftime("%Y-%m-%d %H:%M:%S"),
        "graphs": [],
        "matrices": [],
    }
    with tempfile.TemporaryDirectory() as tmp:
        if ANDORRA.is_file():
            andorra, build = _timed(lambda: import_osm(ANDORRA))
            load, size = _load_time(andorra, Path(tmp))
            results["graphs"].append(
                {
                    "network": "andorra",
                    "build_s": round(build, 3),
                    "load_s": round(load, 4),
                    "file_bytes": size,
                    **andorra.stats(),
                }
            )
            print(f"andorra: import {build:.2f} s, load {load * 1000:.1f} ms", file=sys.stderr)
            results["matrices"] += _matrices("andorra", andorra, _andorra_points(andorra, max(sizes)), sizes)
        county, build, points, places, note = _county()
        load, size = _load_time(county, Path(tmp))
        results["graphs"].append(
            {
                "network": "qingshan",
                "build_s": round(build, 3),
                "load_s": round(load, 4),
                "file_bytes": size,
                "note": note,
                **county.stats(),
            }
        )
        print(f"qingshan: generate {build:.2f} s, load {load * 1000:.1f} ms", file=sys.stderr)
        results["matrices"] += _matrices("qingshan", county, points, sizes)
        results["detour_ratio_qingshan"] = _ratios(county, points, places)
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "network.json").write_text(json.dumps(results, indent=2, ensure_ascii=False), encoding="utf-8")
    (out_dir / "network.md").write_text(markdown(results), encoding="utf-8")
    return results


def markdown(r: dict[str, Any]) -> str:
    """The results as Markdown tables."""
    lines = ["## Road network benchmark", "", f"{r['when']}, Python {r['python']}", ""]
    lines += [
        "| network | build s | load ms | file KB | nodes | edges | road km |",
        "|---|---|---|---|---|---|---|",
    ]
    for g in r["graphs"]:
        lines.append(
            f"| {g['network']} | {g['build_s']} | {g['load_s'] * 1000:.1f} | {g['file_bytes'] // 1024} "
            f"| {g['nodes']} | {g['edges']} | {g['road_km']:.0f} |"
        )
    lines += [
        "",
        "| network | points | profile | cold s | cached s | snap warnings |",
        "|---|---|---|---|---|---|",
    ]
    for m in r["matrices"]:
        lines.append(
            f"| {m['network']} | {m['points']} | {m['profile']} | {m['cold_s']} | {m['cached_s']} "
            f"| {m['snap_warnings']} |"
        )
    lines += [
        "",
        "Road / straight-line distance, bundled county (van, shortest road distance):",
        "",
        "| pairs | n | p5 | p25 | median | p75 | p95 | share in 1.3–1.8 |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for k, s in r.get("detour_ratio_qingshan", {}).items():
        lines.append(
            f"| {k} | {s['pairs']} | {s['p5']} | {s['p25']} | {s['p50']} | {s['p75']} | {s['p95']} "
            f"| {s['share_1.3_to_1.8']} |"
        )
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--sizes", default="100,500,1000", help="Point counts, comma-separated.")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results", help="Output folder.")
    args = ap.parse_args(argv)
    res = run([int(s) for s in args.sizes.split(",")], args.out)
    sys.stdout.write(markdown(res))


if __name__ == "__main__":
    main()
