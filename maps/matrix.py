"""Road distance and travel-time matrices between a day's stops, per vehicle profile.

Each point is snapped to a road the profile may use and inserted into the
graph as a node splitting its road (so one-way streets stay one-way right up
to the door); ``scipy.sparse.csgraph.dijkstra`` then runs from every point,
once over travel time and once over length.  Edge weights are integer
millimetres and milliseconds, so path sums are exact; results are rounded
*up* to whole metres and seconds, which keeps the triangle inequality.

``distance_m`` is the shortest road distance, ``duration_s`` the fastest
travel time (their routes may differ).  Snap legs (point → road) are not
counted.  :func:`leg_geometry` draws the fastest route between two points.
"""

from __future__ import annotations

import itertools
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import dijkstra

from maps.errors import RoutingError
from maps.fallback import DEFAULT_DETOUR_FACTOR, approximate_note, geodesic_matrices
from maps.matrix_cache import MatrixCache, cache_key
from maps.network import RoadNetwork
from maps.profiles import ProfileTable, SpeedProfile, get_profile
from maps.snap import (
    DEFAULT_LIMIT_M,
    SnappedPoint,
    SnapResult,
    geom_end_nodes,
    point_cum_m,
    snap_points,
)
from models.errors import InputError

Point = tuple[str, float, float]
_CHUNK_CELLS = 8_000_000  # dijkstra rows × nodes per chunk (64 MB of float64)


@dataclass(frozen=True)
class MatrixResult:
    """Distance (m) and duration (s) between all points, int64 n×n, in input order."""

    ids: list[str]
    distance_m: np.ndarray
    duration_s: np.ndarray
    profile: str
    approximate: bool
    cache_hit: bool
    seconds: float
    network_version: str | None
    warnings: list[str] = field(default_factory=list)
    note: str = ""
    snap: SnapResult | None = None

    @property
    def size(self) -> int:
        return len(self.ids)

    def as_dict(self, *, matrices: bool = False) -> dict[str, Any]:
        """A JSON-ready summary (the matrices themselves only when asked)."""
        d: dict[str, Any] = {
            "size": self.size,
            "profile": self.profile,
            "seconds": round(self.seconds, 3),
            "cache_hit": self.cache_hit,
            "approximate": self.approximate,
            "network_version": self.network_version,
            "warnings": self.warnings,
        }
        if self.note:
            d["note"] = self.note
        if matrices:
            d.update(
                ids=self.ids,
                distance_m=self.distance_m.tolist(),
                duration_s=self.duration_s.tolist(),
            )
        return d


@dataclass(frozen=True)
class _Graph:
    """The profile's usable edges plus the points spliced in as extra nodes."""

    n: int
    src: np.ndarray
    dst: np.ndarray
    length_mm: np.ndarray
    time_ms: np.ndarray
    geom: np.ndarray
    off_a_mm: np.ndarray  # where along its geometry the edge starts ...
    off_b_mm: np.ndarray  # ... and ends (a > b: against the geometry)
    point_node: np.ndarray


def _base_edges(network: RoadNetwork, profile: SpeedProfile) -> dict[str, np.ndarray]:
    key = f"base:{profile.fingerprint()}"
    if key not in network._cache:
        usable, length, ms = network.edge_weights(profile)
        geom = network.edge_geom[usable].astype(np.int64)
        glen = network.geom_length_mm[geom]
        rev = network.edge_reversed[usable]
        network._cache[key] = {
            "src": network.edge_src[usable].astype(np.int64),
            "dst": network.edge_dst[usable].astype(np.int64),
            "length_mm": length[usable],
            "time_ms": ms[usable],
            "geom": geom,
            "off_a_mm": np.where(rev, glen, 0),
            "off_b_mm": np.where(rev, 0, glen),
        }
    base: dict[str, np.ndarray] = network._cache[key]
    return base


def _splice(network: RoadNetwork, profile: SpeedProfile, snapped: list[SnappedPoint]) -> _Graph:
    """Insert every snapped point into its road as a node (points at a junction reuse it)."""
    base = _base_edges(network, profile)
    g_start, g_end = geom_end_nodes(network)
    n = network.n_nodes
    geom = np.array([p.geom for p in snapped], dtype=np.int64)
    glen = network.geom_length_mm[geom] if len(geom) else np.zeros(0, dtype=np.int64)
    off = np.clip(np.rint(np.array([p.offset_m for p in snapped]) * 1000), 0, glen).astype(np.int64)
    point_node = np.where(off == 0, g_start[geom], g_end[geom]) if len(geom) else geom
    inner = (off > 0) & (off < glen)
    keys = np.zeros((0, 2), dtype=np.int64)
    if inner.any():
        keys = np.unique(np.stack([geom[inner], off[inner]], axis=1), axis=0)
    if len(keys):
        pos = np.searchsorted(keys[:, 0] * (1 << 40) + keys[:, 1], geom[inner] * (1 << 40) + off[inner])
        point_node = point_node.copy()
        point_node[inner] = n + pos
    touched = np.unique(keys[:, 0])
    drop = np.isin(base["geom"], touched)
    pieces: dict[str, list[np.ndarray]] = {k: [v[~drop]] for k, v in base.items()}
    starts = np.searchsorted(keys[:, 0], touched)
    ends = np.searchsorted(keys[:, 0], touched, side="right")
    by_geom = np.argsort(base["geom"], kind="stable")
    e_lo = np.searchsorted(base["geom"], touched, sorter=by_geom)
    e_hi = np.searchsorted(base["geom"], touched, side="right", sorter=by_geom)
    for t, (g, lo, hi) in enumerate(zip(touched.tolist(), starts.tolist(), ends.tolist(), strict=True)):
        length = int(network.geom_length_mm[g])
        seq = np.concatenate([[g_start[g]], n + np.arange(lo, hi), [g_end[g]]])
        offs = np.concatenate([[0], keys[lo:hi, 1], [length]])
        for e in by_geom[e_lo[t] : e_hi[t]].tolist():
            cum_t = np.rint(base["time_ms"][e] * offs / max(length, 1)).astype(np.int64)
            fwd = base["off_a_mm"][e] <= base["off_b_mm"][e]
            a, b = (seq[:-1], seq[1:]) if fwd else (seq[1:], seq[:-1])
            oa, ob = (offs[:-1], offs[1:]) if fwd else (offs[1:], offs[:-1])
            pieces["src"].append(a)
            pieces["dst"].append(b)
            pieces["length_mm"].append(np.diff(offs))
            pieces["time_ms"].append(np.diff(cum_t))
            pieces["geom"].append(np.full(len(a), g))
            pieces["off_a_mm"].append(oa)
            pieces["off_b_mm"].append(ob)
    cat = {k: np.concatenate(v).astype(np.int64) for k, v in pieces.items()}
    return _Graph(n=n + len(keys), point_node=point_node.astype(np.int64), **cat)


def _csr(graph: _Graph, weight: np.ndarray) -> tuple[csr_matrix, np.ndarray]:
    """CSR over the cheapest of parallel edges; also each CSR entry's edge index."""
    order = np.lexsort((weight, graph.dst, graph.src))
    s, d = graph.src[order], graph.dst[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = (s[1:] != s[:-1]) | (d[1:] != d[:-1])
    sel = order[first]
    indptr = np.concatenate([[0], np.cumsum(np.bincount(graph.src[sel], minlength=graph.n))])
    mat = csr_matrix((weight[sel].astype(np.float64), graph.dst[sel], indptr), shape=(graph.n, graph.n))
    return mat, sel


def _all_pairs(mat: csr_matrix, nodes: np.ndarray) -> np.ndarray:
    """Shortest-path values between ``nodes`` (float64, inf where unreachable)."""
    uniq, inv = np.unique(nodes, return_inverse=True)
    out = np.empty((len(uniq), len(uniq)))
    step = max(1, _CHUNK_CELLS // max(mat.shape[0], 1))
    for lo in range(0, len(uniq), step):
        out[lo : lo + step] = dijkstra(mat, directed=True, indices=uniq[lo : lo + step])[:, uniq]
    return out[np.ix_(inv, inv)]


def _check_points(points: list[Point]) -> list[str]:
    ids = [str(p[0]) for p in points]
    if len(set(ids)) != len(ids):
        dup = next(i for k, i in enumerate(ids) if i in ids[:k])
        raise InputError.single("points", "duplicate point id", value=dup)
    return ids


def _raise_unreachable(ids: list[str], matrix: np.ndarray, profile: str) -> None:
    bad = np.argwhere(~np.isfinite(matrix))
    if len(bad):
        i, j = (int(x) for x in bad[0])
        raise RoutingError(ids[i], ids[j], detail=f"profile {profile}; {len(bad)} unreachable pairs")


def compute_matrices(
    network: RoadNetwork | None,
    points: list[Point],
    *,
    profile: str | SpeedProfile,
    cache_dir: Path | None = None,
    profiles: ProfileTable | None = None,
    limit_m: float = DEFAULT_LIMIT_M,
    detour_factor: float = DEFAULT_DETOUR_FACTOR,
) -> MatrixResult:
    """Distance (m) and duration (s) between all ``(id, lat, lon)`` points for ``profile``.

    With ``network=None`` the result is the geodesic fallback, marked
    ``approximate``.  With ``cache_dir`` the matrices are cached on disk keyed
    by network version, profile and point set.  Raises :class:`RoutingError`
    naming both ids when some point cannot reach another, :class:`InputError`
    for duplicate ids, bad coordinates or an unknown profile.
    """
    t0 = time.perf_counter()
    prof = get_profile(profile, profiles)
    ids = _check_points(points)
    if network is None:
        dist, dur = geodesic_matrices(points, profile=prof, detour_factor=detour_factor)
        note = approximate_note(detour_factor=detour_factor, profile=prof)
        return MatrixResult(ids, dist, dur, prof.name, True, False, time.perf_counter() - t0, None, note=note)
    cache = MatrixCache(cache_dir) if cache_dir is not None else None
    key = cache_key(network_version=network.version, profile_fingerprint=prof.fingerprint(), points=points)
    if cache is not None:
        hit = cache.load(network_version=network.version, key=key)
        if hit is not None and hit.ids == ids:
            return MatrixResult(
                ids,
                hit.distance_m,
                hit.duration_s,
                prof.name,
                False,
                True,
                time.perf_counter() - t0,
                network.version,
                hit.warnings,
            )
    snap = snap_points(network, points, limit_m=limit_m, profile=prof)
    graph = _splice(network, prof, snap.points)
    t_mat, _ = _csr(graph, graph.time_ms)
    time_ms = _all_pairs(t_mat, graph.point_node)
    _raise_unreachable(ids, time_ms, prof.name)
    d_mat, _ = _csr(graph, graph.length_mm)
    dist_mm = _all_pairs(d_mat, graph.point_node)
    dist = (dist_mm.astype(np.int64) + 999) // 1000
    dur = (time_ms.astype(np.int64) + 999) // 1000
    if cache is not None:
        cache.save(
            network_version=network.version,
            key=key,
            ids=ids,
            distance_m=dist,
            duration_s=dur,
            warnings=snap.warnings,
        )
    return MatrixResult(
        ids,
        dist,
        dur,
        prof.name,
        False,
        False,
        time.perf_counter() - t0,
        network.version,
        list(snap.warnings),
        snap=snap,
    )


def _slice(network: RoadNetwork, g: int, a_mm: int, b_mm: int) -> list[tuple[float, float]]:
    """The part of geometry ``g`` from offset ``a`` to offset ``b`` (mm), in that direction."""
    if a_mm > b_mm:
        return _slice(network, g, b_mm, a_mm)[::-1]
    lo, hi = int(network.geom_offsets[g]), int(network.geom_offsets[g + 1])
    lat, lon = network.geom_lat[lo:hi], network.geom_lon[lo:hi]
    cum = point_cum_m(network)[lo:hi]
    a, b = a_mm / 1000.0, b_mm / 1000.0
    inside = np.flatnonzero((cum > a + 0.001) & (cum < b - 0.001))  # 1 mm: rounding of offsets
    ends = (
        [float(np.interp(a, cum, lat)), float(np.interp(a, cum, lon))],
        [float(np.interp(b, cum, lat)), float(np.interp(b, cum, lon))],
    )
    mid = list(zip(lat[inside].tolist(), lon[inside].tolist(), strict=True))
    return [(ends[0][0], ends[0][1]), *mid, (ends[1][0], ends[1][1])]


def leg_geometries(
    network: RoadNetwork | None,
    points: list[Point],
    *,
    profile: str | SpeedProfile,
    profiles: ProfileTable | None = None,
) -> list[list[tuple[float, float]]]:
    """The fastest road polyline (lat, lon) for each consecutive pair of ``points``.

    A route of k stops gives k − 1 legs.  Without a network each leg is the
    straight line between its ends.  Raises :class:`RoutingError` naming both
    ids when a leg has no road.
    """
    if len(points) < 2:
        return []
    if network is None:
        return [[(a[1], a[2]), (b[1], b[2])] for a, b in itertools.pairwise(points)]
    prof = get_profile(profile, profiles)
    snap = snap_points(network, points, profile=prof)
    graph = _splice(network, prof, snap.points)
    mat, sel = _csr(graph, graph.time_ms)
    sources = np.unique(graph.point_node[:-1])
    _, pred = dijkstra(mat, directed=True, indices=sources, return_predecessors=True)
    row_of = {int(s): i for i, s in enumerate(sources)}
    legs = []
    for k in range(len(points) - 1):
        s, t = int(graph.point_node[k]), int(graph.point_node[k + 1])
        sp = snap.points[k]
        if s == t:
            legs.append([(sp.snapped_lat, sp.snapped_lon)])
            continue
        row = pred[row_of[s]]
        steps = []
        node = t
        while node != s:
            prev = int(row[node])
            if prev < 0:
                raise RoutingError(points[k][0], points[k + 1][0], detail=f"profile {prof.name}")
            lo, hi = mat.indptr[prev], mat.indptr[prev + 1]
            steps.append(int(sel[lo + int(np.flatnonzero(mat.indices[lo:hi] == node)[0])]))
            node = prev
        line: list[tuple[float, float]] = []
        for e in reversed(steps):
            piece = _slice(network, int(graph.geom[e]), int(graph.off_a_mm[e]), int(graph.off_b_mm[e]))
            line.extend(piece[1:] if line else piece)
        legs.append(line)
    return legs


def leg_geometry(
    network: RoadNetwork | None,
    a_point: Point,
    b_point: Point,
    *,
    profile: str | SpeedProfile,
    profiles: ProfileTable | None = None,
) -> list[tuple[float, float]]:
    """The fastest road polyline (lat, lon) from ``a_point`` to ``b_point`` (snapped ends)."""
    return leg_geometries(network, [a_point, b_point], profile=profile, profiles=profiles)[0]
