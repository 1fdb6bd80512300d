"""Centre or store: the handling fee per tonne and the waived minimum reach the objective and the checker."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pytest
from sqlalchemy import select

from models.db import session_scope
from models.planning import DispatchOrder, DispatchStatus
from models.settings import Settings
from optimizer.check import check_plan, check_solution
from optimizer.contract import problem_from_json, problem_to_json
from optimizer.costs import CostRates
from optimizer.ortools_backend import solve
from optimizer.problem import Depot, Stop, Vehicle
from services.plan_ops import pin_order, plan_detail, release_hold
from services.planning import find_plan, plan_day
from tests.optimizer_fixtures import det, line_problem, random_problem
from tests.test_ortools_backend import brute_force

DAY = dt.date(2026, 12, 1)
FAST = {"time_limit_s": None, "solution_limit": 30, "workers": 1}


def _two_vans(stop_location: int) -> tuple:
    """VAN-FEE: 1 yuan/km plus 35 yuan/t; VAN-KM: 5 yuan/km and no fee.  One 500 kg stop."""
    vans = [
        Vehicle("VAN-FEE", "CENTRE", capacity=(1000, 100), cost_per_km=100, cost_per_tonne=3500),
        Vehicle("VAN-KM", "CENTRE", capacity=(1000, 100), cost_per_km=500),
    ]
    return line_problem([Stop("C", stop_location, (500, 10))], vans)


def test_the_fee_per_tonne_is_charged_on_what_the_route_delivers() -> None:
    p = _two_vans(1)
    # 2 km at 1 yuan/km = 200 fen, 0.5 t at 35 yuan/t = 1,750 fen
    assert check_plan(p, {"VAN-FEE": ["C"]}).cost == 200 + 1750
    assert check_plan(p, {"VAN-KM": ["C"]}).cost == 1000


@pytest.mark.parametrize(("location", "plate"), [(1, "VAN-KM"), (5, "VAN-FEE")])
def test_the_solver_weighs_the_fee_against_the_distance(location: int, plate: str) -> None:
    # near: 1,950 fen with the fee against 1,000 without; far: 2,750 against 5,000
    p = _two_vans(location)
    sol = solve(p, det(100))
    report = check_solution(p, sol, strict=True)
    assert report.feasible, report.violations
    assert [r.vehicle_id for r in sol.routes] == [plate]
    assert sol.cost == report.cost


@pytest.mark.parametrize("seed", range(4))
def test_optimal_with_fees_per_tonne(seed: int) -> None:
    p = random_problem(seed, 5, windows=seed % 2 == 0, optional=seed >= 3)
    vs = [replace(v, cost_per_km=1000, cost_per_hour=0, cost_per_tonne=1000 * (3 * i + 1))
          for i, v in enumerate(p.vehicles)]
    p = replace(p, vehicles=tuple(vs))
    sol = solve(p, det(300))
    assert check_solution(p, sol).feasible
    assert sol.cost == brute_force(p)


def test_a_waived_minimum_lets_a_small_order_ride() -> None:
    depots = [Depot("CENTRE", 0, min_order_cases=5)]
    small = Stop("SMALL", 2, (40, 2))
    p = line_problem([Stop("C1", 1, (100, 10)), small], depots=depots)
    sol = solve(p, det(50))
    assert [u.stop_id for u in sol.unassigned] == ["SMALL"]
    assert sol.unassigned[0].code == "min_order"
    assert check_plan(p, {"TRUCK1": ["C1", "SMALL"]}).violations[0].code == "min_order"

    waived = replace(p, stops=(p.stops[0], replace(small, waive_minimum=True)))
    sol = solve(waived, det(50))
    assert not sol.unassigned
    assert check_solution(waived, sol, strict=True).feasible


def test_the_contract_keeps_fees_and_waivers() -> None:
    p = _two_vans(3)
    p = replace(p, stops=(replace(p.stops[0], waive_minimum=True),))
    back = problem_from_json(problem_to_json(p))
    assert back.vehicle("VAN-FEE").cost_per_tonne == 3500
    assert back.stop("C").waive_minimum is True


def test_the_day_problem_carries_the_loader_and_the_store_fee(county_settings: Settings) -> None:
    plan_day(county_settings, DAY, **FAST)
    rates = CostRates()
    with session_scope(county_settings) as s:
        plan = find_plan(s, date=DAY)
        problem = problem_from_json(plan.problem["problem"])
        ctx = plan.problem["context"]["vehicles"]
    fees = {v.id: v.cost_per_tonne for v in problem.vehicles}
    for plate, c in ctx.items():
        if c["depot_kind"] == "store":
            assert fees[plate] == rates.store_fee_fen_per_tonne
        else:
            assert fees[plate] == (rates.loader_fen_per_tonne if c["needs_loader"] else 0)
    assert rates.store_fee_fen_per_tonne in fees.values()


def test_a_pin_moves_an_order_to_the_other_depot(county_settings: Settings) -> None:
    """The dispatcher overrides the territory: a store's order pinned to the centre goes to the centre."""
    plan_day(county_settings, DAY, **FAST)
    detail = plan_detail(county_settings, date=DAY)
    route, stop = next(
        (r, s) for r in detail["routes"] for s in r["stops"]
        if s["kind"] == "delivery" and r["depot"] != "DC" and s["cases"] >= 5
    )  # fmt: skip
    pin_order(county_settings, stop["id"], "DC", actor="test")
    r2 = plan_day(county_settings, DAY, **FAST)
    with session_scope(county_settings) as s:
        ctx = find_plan(s, date=DAY).problem["context"]["stops"]
    assert ctx[stop["id"]]["eligible"] == ["DC"] and route["depot"] != "DC"
    after = plan_detail(county_settings, date=DAY)
    depots = {s["id"]: r["depot"] for r in after["routes"] for s in r["stops"]}
    # on a centre route, or left out for the centre's capacity (the truck leaves nearly full)
    assert depots.get(stop["id"]) == "DC" or stop["id"] in {u["order"] for u in r2["unassigned"]}


def test_a_released_order_is_planned_below_the_minimum(county_settings: Settings) -> None:
    r1 = plan_day(county_settings, DAY, **FAST)
    number = next(h["order"] for h in r1["held"] if h["reason"].endswith("centre minimum 5"))
    release_hold(county_settings, number, "manager approved", actor="test")
    r2 = plan_day(county_settings, DAY, **FAST)
    assert r2["feasible"], r2["violations"]
    with session_scope(county_settings) as s:
        d = s.scalars(select(DispatchOrder).where(DispatchOrder.number == number)).one()
        assert d.status == DispatchStatus.PLANNED
        plan = find_plan(s, date=DAY)
        problem = problem_from_json(plan.problem["problem"])
    assert problem.stop(number).waive_minimum is True
    assert problem.cases(problem.stop(number)) < 5
