"""Benchmark runner: our optimiser and plain OR-Tools, side by side, against published BKS.

For every selected instance of a folder laid out like ``../shared/bench/instances``
(``bks.csv`` + VRPLIB files), it solves twice with the same time limit, once with
our settings and once with OR-Tools "as most users call it" (the baseline),
validates both with :mod:`optimizer.check` (every customer served, route limit
kept), recomputes the cost under the instance's convention and writes:

* ``bench-results/<sets>-<stamp>.csv``: one row per instance and solver;
* ``bench-results/<sets>-<stamp>.md``: a side-by-side table and a summary per set.

Run ``python -m bench.vrplib_runner --set X --max-n 400 --time-limit 30`` or
``dispatch bench ...`` (same options).
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from bench.instances import Entry, Instance, default_instances_dir, load, read_index, route_cost
from optimizer.check import check_solution
from optimizer.ortools_backend import solve
from optimizer.params import SolveParams

OURS = "ours"
BASELINE = "baseline"


@dataclass(frozen=True)
class RunResult:
    """One solve of one instance (one CSV row)."""

    instance: str
    set: str
    n: int
    solver: str
    bks: float
    cost: float | None
    gap_pct: float | None
    routes: int
    feasible: bool
    wall_s: float
    time_limit: float
    violations: str = ""


def select(entries: Sequence[Entry], sets: Sequence[str] | None, max_n: int | None,
           names: Sequence[str] | None = None) -> list[Entry]:
    """Entries of the given sets (case-insensitive; ``None`` or ``all`` = every set)."""
    wanted = {s.lower() for s in sets or ()} - {"all"}
    out = [e for e in entries
           if (not wanted or e.set.lower() in wanted)
           and (max_n is None or e.n <= max_n)
           and (not names or e.name in names)]
    return out


def solve_one(inst: Instance, params: SolveParams, solver: str) -> RunResult:
    """Solve, validate with the checker, and cost under the instance's convention."""
    e = inst.entry
    t0 = time.perf_counter()
    sol = solve(inst.problem, params)
    wall = time.perf_counter() - t0
    report = check_solution(inst.problem, sol, strict=True)
    problems = [v.message for v in report.violations]
    routes = [[int(s) for s in r.stop_ids] for r in sol.routes]
    if not sol.feasible:
        problems.append(f"no solution ({sol.stats.solver_status})")
    if inst.max_routes is not None and len(routes) > inst.max_routes:
        problems.append(f"{len(routes)} routes, limit {inst.max_routes}")
    limit = inst.problem.vehicles[0].max_duration if inst.problem.vehicles else None
    if e.convention == "exact" and limit is not None:
        scale = inst.problem.meta["scale"]
        service = {int(s.id): s.service_fixed / scale for s in inst.problem.stops}
        for r in routes:
            length = route_cost(inst.coords, [r], "exact") + sum(service[c] for c in r)
            if length > limit / scale + 1e-6:
                problems.append(f"route over the limit: {length:.3f}")
    feasible = not problems
    cost = route_cost(inst.coords, routes, e.convention) if sol.routes and feasible else None
    gap = None if cost is None else 100.0 * (cost - e.bks) / e.bks
    return RunResult(
        instance=e.name, set=e.set, n=e.n, solver=solver, bks=e.bks,
        cost=None if cost is None else round(cost, 3), gap_pct=None if gap is None else round(gap, 3),
        routes=len(routes), feasible=feasible, wall_s=round(wall, 2),
        time_limit=params.time_limit or 0.0, violations="; ".join(problems[:3]),
    )


def summarise(results: Sequence[RunResult]) -> dict[str, Any]:
    """``runs``, ``feasible``, ``mean_gap_pct``, ``max_gap_pct`` over feasible runs."""
    gaps = [r.gap_pct for r in results if r.feasible and r.gap_pct is not None]
    return {
        "runs": len(results),
        "feasible": sum(r.feasible for r in results),
        "mean_gap_pct": round(statistics.fmean(gaps), 3) if gaps else None,
        "max_gap_pct": round(max(gaps), 3) if gaps else None,
        "mean_wall_s": round(statistics.fmean(r.wall_s for r in results), 2) if results else None,
    }


def run(
    folder: str | Path,
    sets: Sequence[str] | None,
    *,
    max_n: int | None = None,
    time_limit: float | None = 30.0,
    solution_limit: int | None = None,
    workers: int = 2,
    baseline: bool = True,
    names: Sequence[str] | None = None,
    out_dir: str | Path = "bench-results",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run the benchmark and write the CSV and Markdown; return the summary.

    Raises
    ------
    ValueError
        If no instance matches.
    """
    entries = select(read_index(folder), sets, max_n, names)
    if not entries:
        raise ValueError(f"no instance in {folder} matches sets={sets} max_n={max_n}")
    ours: list[RunResult] = []
    base: list[RunResult] = []
    for e in entries:
        inst = load(e)
        mine = SolveParams(time_limit=time_limit, solution_limit=solution_limit, workers=workers)
        ours.append(solve_one(inst, mine, OURS))
        if baseline:
            plain = SolveParams.plain_ortools(time_limit=time_limit, time_windows=inst.time_windows)
            base.append(solve_one(inst, plain.with_(solution_limit=solution_limit), BASELINE))
        if progress:
            b = base[-1] if baseline else None
            progress(f"{e.name}: {_fmt_gap(ours[-1])}" + (f" (plain {_fmt_gap(b)})" if b else ""))
    summary = _summary(folder, sets, max_n, time_limit or 0.0, workers, ours, base)
    summary.update(_write(out_dir, sets, ours, base, summary))
    return summary


def _fmt_gap(r: RunResult) -> str:
    return f"{r.gap_pct:.2f} %" if r.gap_pct is not None else "infeasible"


def _summary(folder: str | Path, sets: Sequence[str] | None, max_n: int | None, time_limit: float,
             workers: int, ours: list[RunResult], base: list[RunResult]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "instances_dir": str(folder), "sets": list(sets or ["all"]), "max_n": max_n,
        "time_limit": time_limit, "workers": workers, **summarise(ours),
    }
    out["baseline"] = summarise(base) if base else None
    by_set: dict[str, Any] = {}
    for name in dict.fromkeys(r.set for r in ours):
        by_set[name] = {**summarise([r for r in ours if r.set == name]),
                        "baseline": summarise([r for r in base if r.set == name]) if base else None}
    out["by_set"] = by_set
    return out


def _write(out_dir: str | Path, sets: Sequence[str] | None, ours: list[RunResult],
           base: list[RunResult], summary: dict[str, Any]) -> dict[str, str]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    stem = "-".join(sets or ["all"]) + "-" + datetime.now().strftime("%Y%m%d-%H%M%S")
    csv_path, md_path = out / f"{stem}.csv", out / f"{stem}.md"
    rows = [asdict(r) for r in [*ours, *base]]
    with open(csv_path, "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    md_path.write_text(markdown(ours, base, summary), encoding="utf-8")
    return {"csv": str(csv_path), "markdown": str(md_path)}


def markdown(ours: Sequence[RunResult], base: Sequence[RunResult], summary: dict[str, Any]) -> str:
    """The side-by-side table and the per-set summary."""
    b = {r.instance: r for r in base}

    def cell(x: float | None, fmt: str = "{:.2f}") -> str:
        return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else fmt.format(x)

    lines = [
        f"Time limit {summary['time_limit']:g} s per instance, {summary['workers']} worker(s) for "
        "ours, 1 for plain OR-Tools; gaps against the BKS of `bks.csv`.",
        "",
        "| instance | n | BKS | cost | gap % | routes | feasible | wall s "
        "| plain cost | plain gap % | plain routes | plain feasible | plain wall s |",
        "|---|---:|---:|---:|---:|---:|---|---:|---:|---:|---:|---|---:|",
    ]
    for r in ours:
        p = b.get(r.instance)
        row = [r.instance, str(r.n), f"{r.bks:g}", cell(r.cost, "{:g}"), cell(r.gap_pct),
               str(r.routes), "yes" if r.feasible else "NO", f"{r.wall_s:.1f}"]
        if p:
            row += [cell(p.cost, "{:g}"), cell(p.gap_pct), str(p.routes),
                    "yes" if p.feasible else "NO", f"{p.wall_s:.1f}"]
        else:
            row += ["–"] * 5
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "| set | runs | feasible | mean gap % | max gap % | plain feasible "
              "| plain mean gap % | plain max gap % |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, s in summary["by_set"].items():
        pb = s.get("baseline") or {}
        lines.append(f"| {name} | {s['runs']} | {s['feasible']} | {cell(s['mean_gap_pct'])} | "
                     f"{cell(s['max_gap_pct'])} | {pb.get('feasible', '–')} | "
                     f"{cell(pb.get('mean_gap_pct'))} | {cell(pb.get('max_gap_pct'))} |")
    return "\n".join(lines) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m bench.vrplib_runner``: same options as ``dispatch bench``."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--instances-dir", default=str(default_instances_dir()))
    ap.add_argument("--set", action="append", dest="sets", help="set name from bks.csv (repeatable)")
    ap.add_argument("--max-n", type=int, default=None)
    ap.add_argument("--time-limit", type=float, default=30.0)
    ap.add_argument("--solution-limit", type=int, default=None)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--instance", action="append", dest="names")
    ap.add_argument("--no-baseline", action="store_true")
    ap.add_argument("--out", default="bench-results")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args(argv)
    summary = run(a.instances_dir, a.sets, max_n=a.max_n, time_limit=a.time_limit,
                  solution_limit=a.solution_limit, workers=a.workers, baseline=not a.no_baseline,
                  names=a.names, out_dir=a.out,
                  progress=lambda m: print(m, file=sys.stderr, flush=True))
    if a.json:
        print(json.dumps(summary, indent=2))
    else:
        print(Path(summary["markdown"]).read_text(encoding="utf-8"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
