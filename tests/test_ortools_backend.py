"""The OR-Tools backend: optimal on tiny instances (brute force), valid on random ones, locks.

Every solve uses a solution limit, never a time limit, and is validated by the
independent checker.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np
import pytest

from optimizer.check import check_plan, check_solution
from optimizer.ortools_backend import solve
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
from optimizer.runner import portfolio, resolve
from tests.optimizer_fixtures import det, hm, line_matrix, line_problem, random_problem


def brute_force(p: RoutingProblem) -> int:
    """Cheapest feasible plan by enumerating every ordered split of the stops."""
    plates = [v.id for v in p.vehicles]
    optional = [s.id for s in p.stops if not s.required]
    best = None
    for k in range(len(optional) + 1):
        for dropped in itertools.combinations(optional, k):
            ids = [s.id for s in p.stops if s.id not in dropped]
            for perm in itertools.permutations(ids):
                # cut the permutation into len(plates) consecutive pieces
                for cuts in itertools.combinations_with_replacement(range(len(ids) + 1),
                                                                    len(plates) - 1):
                    bounds = [0, *cuts, len(ids)]
                    plan = {plates[i]: list(perm[bounds[i]:bounds[i + 1]]) for i in range(len(plates))}
                    r = check_plan(p, plan)
                    if r.feasible and (best is None or r.cost < best):
                        best = r.cost
    assert best is not None
    return best


def exact_costs(p: RoutingProblem) -> RoutingProblem:
    """1 fen per metre and 1 fen per second: route costs are exact integers (no rounding)."""
    vs = [replace(v, cost_per_km=1000, cost_per_hour=3600 * (i % 2)) for i, v in enumerate(p.vehicles)]
    return replace(p, vehicles=tuple(vs))


@pytest.mark.parametrize("seed", range(6))
def test_optimal_on_tiny_instances(seed):
    p = exact_costs(random_problem(seed, 5, windows=seed % 2 == 0, optional=seed >= 3))
    sol = solve(p, det(300))
    report = check_solution(p, sol)
    assert report.feasible, report.violations
    assert not [u for u in sol.unassigned if p.stop(u.stop_id).required]
    assert sol.cost == brute_force(p)


def test_optimal_with_six_stops_and_windows():
    p = exact_costs(random_problem(21, 6, windows=True))
    sol = solve(p, det(400))
    assert check_solution(p, sol).feasible
    assert sol.cost == brute_force(p)


def test_optimal_with_three_vehicles_and_permutations_that_matter():
    p = exact_costs(random_problem(11, 4, n_vehicles=3, windows=True))
    sol = solve(p, det(300))
    assert check_solution(p, sol).feasible
    assert sol.cost == brute_force(p)


def test_multi_depot_vehicle_ending_elsewhere():
    depots = [Depot("CENTRE", 0), Depot("S01", 5)]
    v = [Vehicle("VAN1", "S01", end_depot="CENTRE", capacity=(1000, 100), cost_per_km=100),
         Vehicle("TRUCK1", "CENTRE", capacity=(1000, 100), cost_per_km=300, fixed_cost=10_000)]
    p = line_problem(vehicles=v, depots=depots)
    sol = solve(p, det(100))
    assert check_solution(p, sol, strict=True).feasible
    (route,) = sol.routes  # the cheap van sweeps 5 → 0 on its way home
    assert (route.vehicle_id, route.start_depot, route.end_depot) == ("VAN1", "S01", "CENTRE")
    assert route.stop_ids == ("C5", "C4", "C3", "C2", "C1") and route.distance == 5000


def test_profiles_give_each_vehicle_its_own_matrix():
    slow = line_matrix(6, metres=1000, seconds=600)
    fast = line_matrix(6, metres=1000, seconds=60)
    vs = [Vehicle("TRUCK1", "CENTRE", capacity=(1000, 100), profile="truck", max_duration=2000),
          Vehicle("EV1", "CENTRE", capacity=(1000, 100), profile="ev", max_duration=2000)]
    p = line_problem(vehicles=vs, matrices={"truck": slow, "ev": fast})
    sol = solve(p, det(100))
    assert check_solution(p, sol, strict=True).feasible
    assert sol.route_of("EV1") is not None and sol.route_of("EV1").travel_time <= 2000


def test_fixed_cost_reduces_vehicles():
    vs = [Vehicle(f"T{i}", "CENTRE", capacity=(1000, 100), cost_per_km=100, fixed_cost=50_000)
          for i in range(3)]
    p = line_problem(vehicles=vs)
    sol = solve(p, det(100))
    assert check_solution(p, sol, strict=True).feasible and len(sol.routes) == 1


def test_schedule_waits_for_windows_and_reports_loads():
    stops = [Stop("C1", 1, (100, 10), service_fixed=60, time_windows=[TimeWindow(hm(9), hm(10))]),
             Stop("C2", 2, (200, 20), service_fixed=60, time_windows=[TimeWindow(hm(9), hm(9, 5))])]
    p = line_problem(stops=stops, vehicles=[Vehicle("T", "CENTRE", capacity=(1000, 100),
                                                    shift=TimeWindow(hm(8), hm(17)), cost_per_km=1)])
    sol = solve(p, det(50))
    assert check_solution(p, sol, strict=True).feasible
    (r,) = sol.routes
    assert r.load == (300, 30)
    first = r.visits[0]
    assert first.start >= hm(9) and first.arrival + first.wait == first.start
    assert r.visits[-1].load_after == (0, 0)
    assert r.start >= hm(8) and r.end <= hm(17)


def test_locked_stops_stay_on_their_vehicle_in_order():
    vs = [Vehicle("A", "CENTRE", capacity=(1000, 100), cost_per_km=100),
          Vehicle("B", "CENTRE", capacity=(1000, 100), cost_per_km=100)]
    p = line_problem(vehicles=vs)
    locked = {"B": ["C4", "C2"]}  # a dispatcher's odd order: kept
    sol = solve(p, det(100), locked=locked)
    assert check_solution(p, sol, strict=True).feasible
    b = sol.route_of("B").stop_ids
    assert b.index("C4") < b.index("C2")


def test_contradictory_locks_are_infeasible_not_an_exception():
    small = [Vehicle("A", "CENTRE", capacity=(150, 100))]
    p = line_problem(vehicles=small)
    sol = solve(p, det(20), locked={"A": ["C1", "C2"]})
    assert sol.stats.status == "infeasible" and not sol.feasible and sol.routes == ()


def test_starting_plan_is_improved():
    vs = [Vehicle("A", "CENTRE", capacity=(1000, 100), cost_per_km=100)]
    p = line_problem(vehicles=vs)
    start = {"A": ["C5", "C1", "C4", "C2", "C3"]}
    sol = solve(p, det(50), initial=start)
    assert check_solution(p, sol, strict=True).feasible
    assert sol.cost <= check_plan(p, start).cost and sol.distance == 10_000


def test_unknown_ids_in_plans_are_input_errors():
    from optimizer.errors import ProblemError

    p = line_problem()
    with pytest.raises(ProblemError, match="GHOST"):
        solve(p, det(5), locked={"GHOST": ["C1"]})
    with pytest.raises(ProblemError, match="C9"):
        solve(p, det(5), initial={"TRUCK1": ["C9"]})


def test_portfolio_over_two_processes():
    p = random_problem(3, 12, windows=True, optional=True)
    sol = solve(p, det(60, workers=2))
    assert check_solution(p, sol).feasible and sol.stats.workers == 2


def test_capacity_only_cvrp_with_plain_ortools_settings():
    p = random_problem(5, 15, n_vehicles=4)
    plain = SolveParams.plain_ortools(time_limit=None) if False else replace(
        SolveParams.plain_ortools(), time_limit=None, solution_limit=100)
    sol = solve(p, plain)
    assert sol.stats.first_solution_strategy == "PATH_CHEAPEST_ARC"
    assert sol.stats.metaheuristic == "GUIDED_LOCAL_SEARCH"
    assert check_solution(p, sol).feasible


def test_automatic_choices_never_use_path_cheapest_arc_under_time_windows():
    tw = random_problem(1, 5, windows=True)
    cvrp = random_problem(1, 5)
    assert resolve(SolveParams(), tw).first_solution == "PARALLEL_CHEAPEST_INSERTION"
    assert resolve(SolveParams(), cvrp).first_solution == "CHRISTOFIDES"
    assert resolve(SolveParams(), cvrp).metaheuristic == "ITERATED_LOCAL_SEARCH"
    for params in portfolio(SolveParams(workers=4), tw):
        assert params.first_solution != "PATH_CHEAPEST_ARC"
    assert len(portfolio(SolveParams(workers=3), cvrp)) == 3


def test_empty_problems():
    p = line_problem(stops=[])
    sol = solve(p, det(5))
    assert sol.stats.status == "empty" and sol.routes == () and sol.cost == 0


def test_big_asymmetric_matrix_values_stay_integer():
    n = 4
    d = np.array([[0, 90_000, 10, 10], [5, 0, 10, 10], [10, 10, 0, 10], [10, 10, 10, 0]])
    p = RoutingProblem(
        locations=[Location(str(i)) for i in range(n)], depots=[Depot("D", 0)],
        vehicles=[Vehicle("V", "D", capacity=(10, 10), cost_per_km=1000)],
        stops=[Stop(f"S{i}", i, (1, 1)) for i in range(1, n)],
        matrices={"truck": Matrix(d, d)},
    )
    sol = solve(p, det(50))
    assert check_solution(p, sol, strict=True).feasible
    assert sol.cost == brute_force(p)
