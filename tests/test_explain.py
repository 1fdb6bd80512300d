"""Every unassigned reason has a test that produces it, with the dispatcher's wording."""

from __future__ import annotations

import numpy as np

from optimizer import fmt
from optimizer.check import check_solution
from optimizer.explain import CODES, screen
from optimizer.ortools_backend import solve
from optimizer.problem import Depot, Matrix, Stop, TimeWindow, Vehicle
from tests.optimizer_fixtures import det, hm, line_matrix, line_problem

TRUCK = Vehicle("TRUCK1", "CENTRE", capacity=(5000, 400), shift=TimeWindow(hm(8), hm(17)),
                cost_per_km=150)


def reason_of(problem, stop_id, params=None):
    sol = solve(problem, params or det(100))
    assert check_solution(problem, sol).feasible
    found = {u.stop_id: u for u in sol.unassigned}
    assert stop_id in found, sol.unassigned
    assert found[stop_id].code in CODES
    return found[stop_id]


def test_formatting():
    assert fmt.clock(hm(8)) == "08:00" and fmt.clock(86_400 + 60) == "00:01+1d"
    assert fmt.window(TimeWindow(hm(8), hm(9))) == "08:00–09:00"
    assert fmt.duration(hm(9, 30)) == "9:30"
    assert fmt.quantity(5200, "kg") == "5,200 kg"
    assert fmt.km(182_500) == "182.5 km"
    assert fmt.fen(1250) == "12.50 yuan"


def test_capacity():
    p = line_problem(stops=[Stop("C1", 1, (5200, 10)), Stop("C2", 2, (100, 10))], vehicles=[TRUCK])
    u = reason_of(p, "C1")
    assert (u.code, u.reason) == ("capacity", "needs 5,200 kg, largest vehicle allowed carries 5,000 kg")


def test_capacity_counts_only_allowed_vehicles():
    big = Vehicle("BIG", "CENTRE", capacity=(9000, 900))
    p = line_problem(stops=[Stop("C1", 1, (5200, 10), allowed_vehicles={"TRUCK1"})],
                     vehicles=[TRUCK, big])
    assert reason_of(p, "C1").reason == "needs 5,200 kg, largest vehicle allowed carries 5,000 kg"


def test_no_vehicle_allowed():
    p = line_problem(stops=[Stop("C1", 1, (10, 10), allowed_vehicles=set())], vehicles=[TRUCK])
    u = reason_of(p, "C1")
    assert (u.code, u.reason) == ("not_allowed", "no vehicle is allowed to serve it")


def test_no_vehicle_at_all():
    p = line_problem(stops=[Stop("C1", 1, (10, 10))], vehicles=[])
    u = reason_of(p, "C1")
    assert u.code == "no_vehicle" and "no vehicle" in u.reason


def test_area():
    ev = Vehicle("EV1", "CENTRE", capacity=(500, 50), areas={"town"})
    p = line_problem(stops=[Stop("C1", 1, (10, 10), area="XZ"), Stop("C2", 2, (10, 10), area="town")],
                     vehicles=[ev])
    u = reason_of(p, "C1")
    assert (u.code, u.reason) == ("area", "outside the area of every allowed vehicle (XZ)")


def test_minimum_order_of_every_depot():
    depots = [Depot("CENTRE", 0, min_order_cases=5), Depot("S01", 3, min_order_cases=4)]
    vans = [TRUCK, Vehicle("VAN1", "S01", capacity=(500, 50))]
    p = line_problem(stops=[Stop("C1", 1, (30, 3)), Stop("C2", 2, (40, 4))], vehicles=vans,
                     depots=depots)
    u = reason_of(p, "C1")
    assert u.code == "min_order"
    assert u.reason == ("order of 3 cases is below the minimum order of every depot that may serve "
                        "it (CENTRE needs 5 cases, S01 needs 4 cases)")
    sol = solve(p, det(50))
    assert sol.route_of("VAN1").stop_ids == ("C2",)  # 4 cases: the store may, the centre may not


def test_time_window_unreachable():
    m = line_matrix(6, metres=40_000, seconds=hm(1))  # one hour per step
    p = line_problem(stops=[Stop("C2", 2, (10, 10), time_windows=[TimeWindow(hm(8), hm(9))]),
                            Stop("C1", 1, (10, 10))], vehicles=[TRUCK], matrices={"truck": m})
    u = reason_of(p, "C2")
    assert (u.code, u.reason) == ("time_window",
                                  "window 08:00–09:00 cannot be reached from CENTRE within the shift")


def test_round_trip_longer_than_maximum_duration():
    m = line_matrix(6, metres=40_000, seconds=hm(1))
    short = Vehicle("TRUCK1", "CENTRE", capacity=(5000, 400), max_duration=hm(4))
    p = line_problem(stops=[Stop("C3", 3, (10, 10), service_fixed=600), Stop("C1", 1, (10, 10))],
                     vehicles=[short], matrices={"truck": m})
    u = reason_of(p, "C3")
    assert u.code == "shift"
    assert u.reason == ("a round trip from CENTRE takes 6:10 with service, more than the maximum "
                        "route duration of 4:00")


def test_round_trip_longer_than_shift():
    m = line_matrix(6, metres=40_000, seconds=hm(2))
    p = line_problem(stops=[Stop("C5", 5, (10, 10))], vehicles=[TRUCK], matrices={"truck": m})
    u = reason_of(p, "C5")
    assert u.code == "shift" and "20:00" in u.reason and "08:00–17:00" in u.reason


def test_max_distance():
    far = Vehicle("TRUCK1", "CENTRE", capacity=(5000, 400), max_distance=150_000)
    m = line_matrix(6, metres=40_000, seconds=60)
    p = line_problem(stops=[Stop("C2", 2, (10, 10)), Stop("C3", 3, (10, 10))], vehicles=[far],
                     matrices={"truck": m})
    u = reason_of(p, "C3")
    assert (u.code, u.reason) == ("max_distance", "round trip from CENTRE is 240.0 km, more than "
                                  "the 150.0 km limit of every allowed vehicle")


def test_fleet_capacity_exhausted():
    small = Vehicle("TRUCK1", "CENTRE", capacity=(1000, 100))
    p = line_problem(stops=[Stop("C1", 1, (600, 10)), Stop("C2", 2, (600, 10), priority=5)],
                     vehicles=[small])
    u = reason_of(p, "C1")  # the lower priority goes
    assert u.code == "fleet_exhausted"
    assert u.reason == ("capacity of today's fleet exhausted (needs 600 kg, at most 400 kg left on "
                        "an allowed vehicle); dropped at penalty")


def test_no_room_in_time():
    m = line_matrix(6, metres=1000, seconds=hm(1))
    w = [TimeWindow(hm(8), hm(8, 10))]
    p = line_problem(stops=[Stop("C1", 1, (10, 1), time_windows=w), Stop("C2", 2, (10, 1), time_windows=w)],
                     vehicles=[Vehicle("T", "CENTRE", capacity=(100, 10))], matrices={"truck": m})
    sol = solve(p, det(50))
    (u,) = sol.unassigned
    assert u.code == "no_room" and "dropped at penalty" in u.reason


def test_optional_stop_cheaper_to_skip():
    stops = [Stop("C1", 1, (10, 1)), Stop("C5", 5, (10, 1), required=False, penalty=1)]
    u = reason_of(line_problem(stops=stops, vehicles=[TRUCK]), "C5")
    assert u.code == "optional_dropped" and "0.01 yuan" in u.reason


def test_screen_lists_candidates_per_stop():
    ev = Vehicle("EV1", "CENTRE", capacity=(500, 50), areas={"town"})
    p = line_problem(stops=[Stop("C1", 1, (10, 10), area="town"), Stop("C2", 2, (10, 10))],
                     vehicles=[TRUCK, ev])
    s = screen(p)
    assert s.candidates == {"C1": ("TRUCK1", "EV1"), "C2": ("TRUCK1",)}
    assert s.unassigned == ()


def test_reasons_never_show_internal_indices():
    big = np.full((6, 6), 10**6)
    np.fill_diagonal(big, 0)
    p = line_problem(stops=[Stop("C4", 4, (10, 10))], vehicles=[TRUCK],
                     matrices={"truck": Matrix(big, big)})
    u = reason_of(p, "C4")
    assert "CENTRE" in u.reason and "node" not in u.reason and "index" not in u.reason
