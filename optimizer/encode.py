"""Turn a :class:`RoutingProblem` into solver-ready integer arrays (no solver import).

Nodes are the stops that reach the solver, followed by the depots that vehicles use (each once).
Costs are integers in *cost units*: one unit is ``g / 3,600,000`` fen where
``g`` is the greatest common divisor of every rate in use, so that

* driving ``d`` metres at ``r`` fen/km costs ``d * r * 3600 / g`` units,
* working ``t`` seconds at ``h`` fen/hour costs ``t * h * 1000 / g`` units,
* delivering ``w`` kg at ``c`` fen/tonne costs ``w * c * 3600 / g`` units, added to
  every arc into the stop,
* a fixed cost or a penalty of ``f`` fen costs ``f * 3,600,000 / g`` units.

When no vehicle has any rate, every vehicle is costed at 1 fen/km so that the
objective is distance.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from optimizer.problem import RoutingProblem

FEN = 3_600_000
_LIMIT = 2**62


@dataclass
class Encoding:
    """The arrays one solver search needs (see the module docstring for units)."""

    plates: list[str]
    stop_ids: list[str]
    node_of: dict[str, int]
    n_stops: int
    n_nodes: int
    starts: list[int]
    ends: list[int]
    dimensions: tuple[str, ...]
    demand: np.ndarray
    capacity: np.ndarray
    cost: dict[tuple[str, int, int, int], np.ndarray]
    cost_class: list[tuple[str, int, int, int]]
    fixed: list[int]
    profile: list[str]
    time: dict[str, np.ndarray] | None
    horizon: int
    windows: dict[int, list[tuple[int, int]]]
    shift: list[tuple[int, int]]
    max_duration: list[int]
    distance: dict[str, np.ndarray]
    max_distance: np.ndarray | None
    allowed: dict[int, list[int]]
    penalty: np.ndarray
    unit_fen: int
    mean_arc_cost: float
    has_optional: bool

    @property
    def n_vehicles(self) -> int:
        """Number of vehicles."""
        return len(self.plates)


def encode(
    problem: RoutingProblem,
    candidates: Mapping[str, Sequence[str]],
    locked: Mapping[str, Sequence[str]] | None = None,
) -> Encoding:
    """Encode the stops in ``candidates`` (stop id → plates that may serve it).

    Stops of ``locked`` (plate → stop ids) may only use their plate.
    """
    vehicles = problem.vehicles
    plates = [v.id for v in vehicles]
    vidx = {p: i for i, p in enumerate(plates)}
    stops = [s for s in problem.stops if s.id in candidates]
    used = list(dict.fromkeys(d for v in vehicles for d in (v.start_depot, v.end)))
    n_stops = len(stops)
    # Stops first: OR-Tools' SISR ruin draws seed visits from the first Size()-vehicles
    # indices and loops forever on multi-depot models whose stops come after the depots.
    node_of = {s.id: i for i, s in enumerate(stops)}
    depot_node = {d: n_stops + k for k, d in enumerate(used)}  # unused depots get no node
    n_nodes = n_stops + len(used)
    loc = np.array([s.location for s in stops] + [problem.depot(d).location for d in used],
                   dtype=np.int64)
    service = np.array([problem.service_time(s) for s in stops] + [0] * len(used), dtype=np.int64)

    profiles = sorted({v.profile for v in vehicles})
    dist = {p: problem.matrices[p].distance[np.ix_(loc, loc)] for p in profiles}
    dur = {p: problem.matrices[p].duration[np.ix_(loc, loc)] for p in profiles}

    no_rates = all(v.cost_per_km == 0 and v.cost_per_hour == 0 and v.cost_per_tonne == 0
                   for v in vehicles)
    km_rate = [1 if no_rates else v.cost_per_km for v in vehicles]
    coefs = ([3600 * r for r in km_rate] + [1000 * v.cost_per_hour for v in vehicles]
             + [3600 * v.cost_per_tonne for v in vehicles])
    if any(v.fixed_cost for v in vehicles) or any(not s.required and s.penalty for s in stops):
        coefs.append(FEN)
    g = math.gcd(*[c for c in coefs if c]) or 1

    kg = np.array([problem.kg(s) for s in stops] + [0] * len(used), dtype=np.int64)
    cost: dict[tuple[str, int, int, int], np.ndarray] = {}
    cost_class: list[tuple[str, int, int, int]] = []
    for v, kr in zip(vehicles, km_rate, strict=True):
        key = (v.profile, kr, v.cost_per_hour, v.cost_per_tonne)
        if key not in cost:
            work = dur[v.profile] + service[:, None]
            cost[key] = (dist[v.profile] * (3600 * kr) + work * (1000 * v.cost_per_hour)
                         + kg[None, :] * (3600 * v.cost_per_tonne)) // g
        cost_class.append(key)
    unit_fen = FEN // g if FEN % g == 0 else FEN / g  # g divides FEN whenever FEN is a coefficient
    fixed = [int(v.fixed_cost * unit_fen) for v in vehicles]

    demand = np.zeros((n_nodes, len(problem.dimensions)), dtype=np.int64)
    for i, s in enumerate(stops):
        demand[i] = s.demand
    capacity = np.array([v.capacity for v in vehicles], dtype=np.int64).reshape(
        len(vehicles), len(problem.dimensions)
    )

    windows = {node_of[s.id]: [(w.start, w.end) for w in s.time_windows] for s in stops if s.time_windows}
    shift = [(v.shift.start, v.shift.end) for v in vehicles]
    max_duration = [-1 if v.max_duration is None else v.max_duration for v in vehicles]
    time = {p: dur[p] + service[:, None] for p in profiles}
    if not _time_binds(problem, time, windows, shift, max_duration):
        time_or_none: dict[str, np.ndarray] | None = None
    else:
        time_or_none = time
    horizon = max([e for _, e in shift] + [e for ws in windows.values() for _, e in ws] + [0])

    max_distance = None
    if any(v.max_distance is not None for v in vehicles):
        big = int(max(m.sum() for m in dist.values())) + 1
        max_distance = np.array([big if v.max_distance is None else v.max_distance for v in vehicles])

    all_plates = set(plates)
    allowed: dict[int, list[int]] = {}
    for s in stops:
        ok = set(candidates[s.id])
        if ok != all_plates:
            allowed[node_of[s.id]] = sorted(vidx[p] for p in ok)
    for plate, seq in (locked or {}).items():
        for sid in seq:
            if sid in node_of:
                allowed[node_of[sid]] = [vidx[plate]]

    penalty = np.zeros(n_nodes, dtype=np.int64)
    optional_total = 0
    for s in stops:
        if not s.required:
            penalty[node_of[s.id]] = int(s.penalty * unit_fen)
            optional_total += int(s.penalty * unit_fen)
    bound = sum(fixed) + sum(int(cost[k].max(initial=0)) * (len(stops) + 1) for k in cost_class)
    big = min(bound + optional_total + 1, _LIMIT // (101 * (len(stops) + 1)))
    for s in stops:
        if s.required:
            penalty[node_of[s.id]] = big * (1 + s.priority)

    first_cost = cost[cost_class[0]] if cost_class else np.zeros((1, 1), dtype=np.int64)
    return Encoding(
        plates=plates,
        stop_ids=[s.id for s in stops],
        node_of=node_of,
        n_stops=n_stops,
        n_nodes=n_nodes,
        starts=[depot_node[v.start_depot] for v in vehicles],
        ends=[depot_node[v.end] for v in vehicles],
        dimensions=problem.dimensions,
        demand=demand,
        capacity=capacity,
        cost=cost,
        cost_class=cost_class,
        fixed=fixed,
        profile=[v.profile for v in vehicles],
        time=time_or_none,
        horizon=horizon,
        windows=windows,
        shift=shift,
        max_duration=max_duration,
        distance=dist,
        max_distance=max_distance,
        allowed=allowed,
        penalty=penalty,
        unit_fen=int(unit_fen),
        mean_arc_cost=mean_offdiagonal(first_cost),
        has_optional=any(not s.required for s in stops),
    )


def _time_binds(
    problem: RoutingProblem,
    time: Mapping[str, np.ndarray],
    windows: Mapping[int, object],
    shift: Sequence[tuple[int, int]],
    max_duration: Sequence[int],
) -> bool:
    """Whether time can constrain any route (otherwise the time dimension is skipped)."""
    if windows or any(d >= 0 for d in max_duration):
        return True
    for v, (lo, hi) in zip(problem.vehicles, shift, strict=True):
        worst = int(time[v.profile].max(axis=1).sum())  # every node once, longest leg out
        if worst > hi - lo:
            return True
    return False


def mean_offdiagonal(matrix: np.ndarray) -> float:
    """Mean off-diagonal entry of a square matrix (0 for fewer than 2 rows)."""
    n = matrix.shape[0]
    return 0.0 if n < 2 else float(matrix.sum() - np.trace(matrix)) / (n * n - n)
