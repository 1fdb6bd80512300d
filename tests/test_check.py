"""The independent checker: hand-made plans that break each rule once."""

from __future__ import annotations

from dataclasses import replace

import pytest

from optimizer.check import check_plan, check_solution
from optimizer.ortools_backend import solve
from optimizer.problem import Depot, Stop, TimeWindow, Vehicle
from tests.optimizer_fixtures import det, line_problem

ALL = ["C1", "C2", "C3", "C4", "C5"]


def codes(report):
    return [v.code for v in report.violations]


def only(report, code):
    assert codes(report) == [code], report.violations
    return report.violations[0]


def test_feasible_plan_recomputes_cost_distance_and_duration():
    p = line_problem()
    r = check_plan(p, {"TRUCK1": ALL})
    assert r.feasible and r.violations == ()
    # 10 km at 1.50 yuan/km = 1,500 fen; 1,000 s at 13.00 yuan/h = 361.1 fen → 1,861 fen
    assert r.cost == 1861 and r.route_costs == {"TRUCK1": 1861}
    assert r.distance == 10_000 and r.duration == 1000
    assert r.to_dict()["feasible"] is True


def test_costs_round_half_up_and_include_fixed_cost():
    v = Vehicle("T", "CENTRE", capacity=(1000, 100), cost_per_km=1, fixed_cost=700)
    p = line_problem(vehicles=[v], stops=[Stop("C1", 1, (1, 1))],
                     matrices={"truck": __import__("tests.optimizer_fixtures", fromlist=["x"])
                               .line_matrix(6, metres=250)})
    # 500 m at 1 fen/km = 0.5 fen → rounds up to 1; plus 700 fixed
    assert check_plan(p, {"T": ["C1"]}).cost == 701


def test_unknown_vehicle_and_stop_are_named():
    p = line_problem()
    v = only(check_plan(p, {"NOPE": ALL}, declared_unassigned=ALL), "unknown_vehicle")
    assert v.vehicle_id == "NOPE" and "NOPE" in v.message
    v = only(check_plan(p, {"TRUCK1": [*ALL, "X9"]}), "unknown_stop")
    assert v.stop_id == "X9"


def test_stop_served_twice():
    p = line_problem(vehicles=[Vehicle("A", "CENTRE", capacity=(1000, 100)),
                               Vehicle("B", "CENTRE", capacity=(1000, 100))])
    v = only(check_plan(p, {"A": ALL, "B": ["C3"]}), "duplicate_stop")
    assert (v.stop_id, v.vehicle_id) == ("C3", "B") and "A" in v.message


def test_required_stop_missing_unless_declared():
    p = line_problem()
    v = only(check_plan(p, {"TRUCK1": ALL[:4]}), "missing_required")
    assert v.stop_id == "C5"
    assert check_plan(p, {"TRUCK1": ALL[:4]}, declared_unassigned=["C5"]).feasible
    only(check_plan(p, {"TRUCK1": ALL[:4]}, declared_unassigned=["C5"], strict=True),
         "missing_required")


def test_optional_stop_left_out_costs_its_penalty():
    stops = [Stop(f"C{i}", i, (100, 10)) for i in range(1, 5)]
    stops.append(Stop("C5", 5, (100, 10), required=False, penalty=5000))
    p = line_problem(stops=stops)
    r = check_plan(p, {"TRUCK1": ALL[:4]})
    assert r.feasible and r.unserved == ("C5",)
    assert r.cost == check_plan(p, {"TRUCK1": ALL[:4]}).route_costs["TRUCK1"] + 5000


@pytest.mark.parametrize("dim,demand,word", [(0, (300, 10), "kg"), (1, (10, 30), "cases")])
def test_capacity_of_each_dimension(dim, demand, word):
    p = line_problem(stops=[Stop(f"C{i}", i, demand) for i in range(1, 6)])
    v = only(check_plan(p, {"TRUCK1": ALL}), "capacity")
    assert v.vehicle_id == "TRUCK1" and word in v.message


def test_not_allowed_vehicle():
    stops = [Stop(f"C{i}", i, (100, 10)) for i in range(1, 5)]
    stops.append(Stop("C5", 5, (100, 10), allowed_vehicles={"VAN1"}))
    p = line_problem(stops=stops, vehicles=[
        Vehicle("TRUCK1", "CENTRE", capacity=(1000, 100)), Vehicle("VAN1", "CENTRE", capacity=(500, 50))])
    v = only(check_plan(p, {"TRUCK1": ALL}), "not_allowed")
    assert (v.vehicle_id, v.stop_id) == ("TRUCK1", "C5")


def test_area_of_vehicle():
    stops = [Stop(f"C{i}", i, (100, 10), area="town") for i in range(1, 5)]
    stops.append(Stop("C5", 5, (100, 10), area="XZ"))
    p = line_problem(stops=stops, vehicles=[
        Vehicle("EV1", "CENTRE", capacity=(1000, 100), areas={"town"})])
    v = only(check_plan(p, {"EV1": ALL}), "area")
    assert v.stop_id == "C5" and "XZ" in v.message


def test_minimum_order_of_the_depot():
    stops = [Stop(f"C{i}", i, (100, 10)) for i in range(1, 5)]
    stops.append(Stop("C5", 5, (30, 3)))
    p = line_problem(stops=stops, depots=[Depot("CENTRE", 0, min_order_cases=5)])
    v = only(check_plan(p, {"TRUCK1": ALL}), "min_order")
    assert v.stop_id == "C5" and "CENTRE" in v.message


def test_time_window_missed_but_waiting_is_allowed():
    stops = [Stop("C1", 1, (100, 10), time_windows=[TimeWindow(1000, 2000)])]  # wait 900 s: fine
    stops += [Stop(f"C{i}", i, (100, 10)) for i in range(2, 5)]
    stops.append(Stop("C5", 5, (100, 10), time_windows=[TimeWindow(0, 600)]))
    p = line_problem(stops=stops)
    v = only(check_plan(p, {"TRUCK1": ALL}), "time_window")
    assert v.stop_id == "C5"
    assert check_plan(p, {"TRUCK1": ["C5", "C1", "C2", "C3", "C4"]}).feasible


def test_second_window_is_used():
    stops = [Stop(f"C{i}", i, (100, 10)) for i in (1, 2, 4, 5)]
    stops.insert(2, Stop("C3", 3, (100, 10), time_windows=[TimeWindow(0, 100), TimeWindow(1000, 2000)]))
    p = line_problem(stops=stops)
    r = check_plan(p, {"TRUCK1": ALL})
    assert r.feasible and r.duration == 1000  # leaves late enough to meet 1000 without waiting


def test_shift_end():
    p = line_problem(vehicles=[Vehicle("TRUCK1", "CENTRE", capacity=(1000, 100),
                                       shift=TimeWindow(0, 900))])
    only(check_plan(p, {"TRUCK1": ALL}), "shift")


def test_maximum_duration_counts_the_latest_departure():
    stops = [Stop("C1", 1, (100, 10), time_windows=[TimeWindow(5000, 6000)])]
    tight = Vehicle("TRUCK1", "CENTRE", capacity=(1000, 100), max_duration=200)
    assert check_plan(line_problem(stops=stops, vehicles=[tight]), {"TRUCK1": ["C1"]}).feasible
    tighter = replace(tight, max_duration=199)
    only(check_plan(line_problem(stops=stops, vehicles=[tighter]), {"TRUCK1": ["C1"]}),
         "max_duration")


def test_maximum_distance():
    p = line_problem(vehicles=[Vehicle("TRUCK1", "CENTRE", capacity=(1000, 100), max_distance=9000)])
    v = only(check_plan(p, {"TRUCK1": ALL}), "max_distance")
    assert "10,000 m" in v.message


def _solved():
    p = line_problem(vehicles=[Vehicle("TRUCK1", "CENTRE", capacity=(1000, 100), cost_per_km=150,
                                       cost_per_hour=1300),
                               Vehicle("VAN1", "CENTRE", capacity=(300, 30), cost_per_km=80)],
                     stops=[Stop(f"C{i}", i, (200, 10), service_fixed=60) for i in range(1, 6)])
    sol = solve(p, det(50))
    assert check_solution(p, sol, strict=True).feasible
    return p, sol


def _edit_route(sol, **changes):
    r = replace(sol.routes[0], **changes)
    return replace(sol, routes=(r, *sol.routes[1:]))


def _edit_visit(sol, **changes):
    r = sol.routes[0]
    v = replace(r.visits[0], **changes)
    return _edit_route(sol, visits=(v, *r.visits[1:]))


def test_reported_solution_rules():
    p, sol = _solved()
    plate = sol.routes[0].vehicle_id
    v = only(check_solution(p, _edit_route(sol, end_depot="STORE9")), "depot")
    assert v.vehicle_id == plate
    first = sol.routes[0].visits[0]
    assert "schedule" in codes(check_solution(p, _edit_visit(sol, arrival=first.arrival + 1)))
    assert codes(check_solution(p, _edit_visit(sol, load_after=(0, 0)))) == ["load"]
    bad = _edit_route(sol, cost=sol.routes[0].cost + 1)
    assert codes(check_solution(p, bad)) == ["cost_mismatch"]
    assert codes(check_solution(p, replace(sol, cost=sol.cost + 1))) == ["cost_mismatch"]
    assert codes(check_solution(p, replace(sol, distance=1))) == ["distance_mismatch"]
    assert codes(check_solution(p, replace(sol, duration=1))) == ["duration_mismatch"]


def test_reported_start_time_window_and_shift():
    p, sol = _solved()
    r = sol.routes[0]
    late = replace(r, start=r.start + 10 * 3600,
                   visits=tuple(replace(v, arrival=v.arrival + 36000, start=v.start + 36000,
                                        departure=v.departure + 36000) for v in r.visits),
                   end=r.end + 36000)
    ok = check_solution(p, replace(sol, routes=(late, *sol.routes[1:])))
    assert ok.feasible  # any consistent timing inside the shift is accepted
    narrow = replace(p.vehicle(r.vehicle_id), shift=TimeWindow(0, r.end + 100))
    p2 = line_problem(vehicles=[narrow if v.id == r.vehicle_id else v for v in p.vehicles],
                      stops=p.stops)
    assert "shift" in codes(check_solution(p2, replace(sol, routes=(late, *sol.routes[1:]))))


def test_listing_rules_of_a_solution():
    p, sol = _solved()
    moved = sol.routes[0].stop_ids[0]
    from optimizer.solution import Unassigned

    claim = replace(sol, unassigned=(Unassigned(moved, "no_room", "x"),))
    assert codes(check_solution(p, claim)) == ["unassigned_served"]
    twice = replace(sol, routes=(*sol.routes, sol.routes[0]))
    assert "duplicate_vehicle" in codes(check_solution(p, twice))
    short = _edit_route(sol, visits=sol.routes[0].visits[1:])
    assert "unlisted_unassigned" in codes(check_solution(p, short))
