"""Small routing problems shared by the optimizer tests (not a conftest: plain helpers)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from optimizer.params import SolveParams
from optimizer.problem import (
    Depot,
    Location,
    Matrix,
    RoutingProblem,
    Stop,
    TimeWindow,
    Vehicle,
)

H = 3600


def hm(h: int, m: int = 0) -> int:
    """Seconds since midnight of ``h:m``."""
    return h * H + m * 60


def line_matrix(n: int, metres: int = 1000, seconds: int = 100) -> Matrix:
    """Locations 0..n-1 on a line: ``|i - j| * metres`` and ``|i - j| * seconds``."""
    idx = np.arange(n)
    gap = np.abs(idx[:, None] - idx[None, :])
    return Matrix(gap * metres, gap * seconds)


def line_problem(
    stops: Sequence[Stop] | None = None,
    vehicles: Sequence[Vehicle] | None = None,
    *,
    n_locations: int = 6,
    depots: Sequence[Depot] | None = None,
    matrices: dict[str, Matrix] | None = None,
    **kw: Any,
) -> RoutingProblem:
    """A problem on a line of ``n_locations`` points; the depot CENTRE sits at 0.

    Default: one truck TRUCK1 (1,000 kg, 100 cases, 1.50 yuan/km, 13.00 yuan/h)
    and stops C1..C5 at locations 1..5 (100 kg, 10 cases each).
    """
    if vehicles is None:
        vehicles = [Vehicle("TRUCK1", "CENTRE", capacity=(1000, 100), cost_per_km=150,
                            cost_per_hour=1300)]
    if stops is None:
        stops = [Stop(f"C{i}", i, (100, 10)) for i in range(1, min(6, n_locations))]
    return RoutingProblem(
        locations=[Location(f"L{i}") for i in range(n_locations)],
        depots=depots or [Depot("CENTRE", 0)],
        vehicles=vehicles,
        stops=stops,
        matrices=matrices or {"truck": line_matrix(n_locations)},
        **kw,
    )


def random_problem(
    seed: int,
    n_stops: int,
    *,
    n_vehicles: int = 2,
    windows: bool = False,
    optional: bool = False,
    depots: int = 1,
) -> RoutingProblem:
    """A random Euclidean problem (metres, 10 m/s) with deterministic content."""
    rng = np.random.default_rng(seed)
    n_loc = depots + n_stops
    xy = rng.integers(0, 20_000, size=(n_loc, 2))
    d = np.rint(np.sqrt(((xy[:, None, :] - xy[None, :, :]) ** 2).sum(-1))).astype(np.int64)
    depot_list = [Depot(f"D{k}", k, min_order_cases=int(rng.integers(0, 3))) for k in range(depots)]
    vehicles = [
        Vehicle(
            f"V{k}", f"D{k % depots}", capacity=(int(rng.integers(300, 900)), 60),
            shift=TimeWindow(hm(7), hm(19)), cost_per_km=int(rng.integers(50, 200)),
            cost_per_hour=int(rng.integers(0, 2000)), fixed_cost=int(rng.integers(0, 5000)),
        )
        for k in range(n_vehicles)
    ]
    stops = []
    for i in range(n_stops):
        tw: tuple[TimeWindow, ...] = ()
        if windows and rng.random() < 0.6:
            start = hm(int(rng.integers(7, 15)))
            tw = (TimeWindow(start, start + hm(int(rng.integers(1, 4)))),)
        is_optional = optional and rng.random() < 0.3
        stops.append(Stop(
            f"S{i:02d}", depots + i, (int(rng.integers(10, 250)), int(rng.integers(1, 12))),
            service_fixed=int(rng.integers(0, 600)), service_per_case=int(rng.integers(0, 30)),
            time_windows=tw, required=not is_optional,
            penalty=int(rng.integers(0, 20_000)) if is_optional else 0,
        ))
    return RoutingProblem(
        locations=[Location(f"L{i}") for i in range(n_loc)],
        depots=depot_list, vehicles=vehicles, stops=stops,
        matrices={"truck": Matrix(d, d // 10)},
    )


def det(limit: int = 200, **kw: Any) -> SolveParams:
    """Deterministic parameters: a solution limit ends the search.

    The 5 s time limit is only a safety net: guided local search never stops on
    its own when a problem has a single possible plan (it finds no further
    solution to count).
    """
    return SolveParams(time_limit=kw.pop("time_limit", 5.0), solution_limit=limit, **kw)
