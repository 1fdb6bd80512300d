"""Property tests: random small problems, every solution accepted by the independent checker."""

from __future__ import annotations

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from optimizer.check import check_solution
from optimizer.contract import problem_from_json, problem_to_json
from optimizer.explain import CODES
from optimizer.ortools_backend import solve
from optimizer.problem import Depot, Location, Matrix, RoutingProblem, Stop, TimeWindow, Vehicle
from tests.optimizer_fixtures import det, hm


@st.composite
def problems(draw: st.DrawFn) -> RoutingProblem:
    n_depots = draw(st.integers(1, 2))
    n_stops = draw(st.integers(1, 8))
    n_vehicles = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 2**31 - 1))
    rng = np.random.default_rng(seed)
    n_loc = n_depots + n_stops
    xy = rng.integers(0, 30_000, size=(n_loc, 2))
    d = np.rint(np.sqrt(((xy[:, None] - xy[None]) ** 2).sum(-1))).astype(np.int64)
    if draw(st.booleans()):  # asymmetric: one-way detours
        d = d + rng.integers(0, 2000, size=d.shape) * (1 - np.eye(n_loc, dtype=np.int64))
    profiles = {"truck": Matrix(d, d // 10)}
    if draw(st.booleans()):
        profiles["ev"] = Matrix(d, d // 6)
    depots = [Depot(f"D{k}", k, min_order_cases=int(rng.integers(0, 4))) for k in range(n_depots)]
    areas = ["town", "XZ", "LJ"]
    vehicles = []
    for k in range(n_vehicles):
        start = hm(int(rng.integers(6, 10)))
        vehicles.append(Vehicle(
            f"V{k}", f"D{rng.integers(n_depots)}", end_depot=f"D{rng.integers(n_depots)}",
            capacity=(int(rng.integers(100, 1500)), int(rng.integers(5, 80))),
            shift=TimeWindow(start, start + hm(int(rng.integers(3, 10)))),
            max_duration=hm(int(rng.integers(2, 8))) if rng.random() < 0.3 else None,
            max_distance=int(rng.integers(20_000, 90_000)) if rng.random() < 0.3 else None,
            fixed_cost=int(rng.integers(0, 10_000)), cost_per_km=int(rng.integers(0, 300)),
            cost_per_hour=int(rng.integers(0, 3000)), profile=str(rng.choice(list(profiles))),
            areas=set(rng.choice(areas, size=2, replace=False)) if rng.random() < 0.3 else None,
        ))
    plates = [v.id for v in vehicles]
    stops = []
    for i in range(n_stops):
        windows: list[TimeWindow] = []
        t = hm(int(rng.integers(6, 12)))
        for _ in range(int(rng.integers(0, 3))):
            end = t + hm(0, int(rng.integers(20, 180)))
            windows.append(TimeWindow(t, end))
            t = end + hm(0, int(rng.integers(10, 120)))
        optional = rng.random() < 0.25
        stops.append(Stop(
            f"C{i:03d}", n_depots + i, (int(rng.integers(1, 600)), int(rng.integers(1, 20))),
            service_fixed=int(rng.integers(0, 900)), service_per_case=int(rng.integers(0, 40)),
            time_windows=windows, required=not optional,
            penalty=int(rng.integers(0, 30_000)) if optional else 0,
            allowed_vehicles=set(rng.choice(plates, size=int(rng.integers(1, len(plates) + 1)),
                                            replace=False)) if rng.random() < 0.3 else None,
            priority=int(rng.integers(0, 5)), area=str(rng.choice(areas)),
        ))
    return RoutingProblem(locations=[Location(f"L{i}") for i in range(n_loc)], depots=depots,
                          vehicles=vehicles, stops=stops, matrices=profiles)


@settings(max_examples=200, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_every_solution_passes_the_checker(p):
    sol = solve(p, det(40))
    report = check_solution(p, sol)
    assert report.feasible, report.violations
    served = {s for r in sol.routes for s in r.stop_ids}
    for u in sol.unassigned:
        assert u.code in CODES and u.reason and u.stop_id not in served
    assert served | {u.stop_id for u in sol.unassigned} == {s.id for s in p.stops}
    assert sol.cost == report.cost and sol.distance == report.distance


@settings(max_examples=40, deadline=None, derandomize=True)
@given(problems())
def test_problems_survive_the_json_round_trip(p):
    assert problem_to_json(problem_from_json(problem_to_json(p))) == problem_to_json(p)


@settings(max_examples=25, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_guided_local_search_is_also_checked(p):
    sol = solve(p, det(30, metaheuristic="GUIDED_LOCAL_SEARCH"))
    assert check_solution(p, sol).feasible
