"""Replenishment: a store below safety stock, or short for the day's orders, gets an optional truck stop."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from models.db import session_scope
from models.orm import Depot, DepotStock, Product
from models.settings import Settings
from optimizer.contract import problem_from_json
from services.plan_build import REPLENISH_MAX_KG, DepotFacts, replenishment
from services.planning import find_plan, plan_day

DAY = dt.date(2026, 12, 1)
FAST = {"time_limit_s": None, "solution_limit": 30, "workers": 1}
KG = {"S001": 10, "S002": 20, "N001": 8}


def _store(**safety: int) -> DepotFacts:
    return DepotFacts("S09", 9, "store", "试验门店", "T09", 28.0, 112.0, 28800, 61200, 3, 1000, safety)


def test_nothing_when_stock_is_at_or_above_safety_and_covers_the_orders() -> None:
    assert replenishment(_store(S001=20), {"S001": 20}, KG) == {}
    assert replenishment(_store(S001=20), {"S001": 30}, KG, {"S001": 30}) == {}


def test_below_safety_refills_to_twice_the_safety_stock() -> None:
    assert replenishment(_store(S001=20, S002=10), {"S001": 19, "S002": 10}, KG) == {"S001": 21}


def test_orders_the_stock_cannot_cover_bring_it_to_demand_plus_safety() -> None:
    # free 30 is above safety 20 but the day's store orders ask for 45: send 45 + 20 - 30
    assert replenishment(_store(S001=20), {"S001": 30}, KG, {"S001": 45}) == {"S001": 35}
    # a product with no safety stock set is sent for the orders alone
    assert replenishment(_store(), {"N001": 1}, KG, {"N001": 7}) == {"N001": 6}


def test_a_trip_is_capped_by_weight_and_not_made_for_under_five_cases() -> None:
    lines = replenishment(_store(S001=150, S002=100), {}, KG)
    assert sum(c * KG[p] for p, c in lines.items()) <= REPLENISH_MAX_KG
    assert lines == {"S001": 200}  # 2,000 kg of S001 fills the trip; S002 waits
    assert replenishment(_store(S001=2), {"S001": 1}, KG) == {}


def test_a_store_below_safety_gets_a_stop_on_the_centre_truck(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        store = s.scalars(select(Depot).where(Depot.code == "S02")).one()
        s001 = s.scalars(select(Product).where(Product.code == "S001")).one()
        row = s.scalars(
            select(DepotStock).where(DepotStock.depot_id == store.id, DepotStock.product_id == s001.id)
        ).one()
        row.on_hand_cases, row.reserved_cases, row.safety_cases = 3, 0, 40
    plan_day(county_settings, DAY, **FAST)
    with session_scope(county_settings) as s:
        plan = find_plan(s, date=DAY)
        problem = problem_from_json(plan.problem["problem"])
        ctx = plan.problem["context"]
    stop = problem.stop("RP-S02")
    assert not stop.required and stop.penalty > 0
    assert ctx["stops"]["RP-S02"]["lines"]["S001"] == 2 * 40 - 3
    centre_movers = {p for p, v in ctx["vehicles"].items() if v["depot_kind"] == "centre"}
    assert stop.allowed_vehicles and stop.allowed_vehicles <= centre_movers


def test_short_demand_counts_only_orders_the_store_would_serve_but_for_stock() -> None:
    from services.plan_build import DayOrder, stock_short_demand

    store = _store().rule()

    def order(number: str, lat: float, cases: int, township: str = "T09", released: bool = False) -> DayOrder:
        return DayOrder(number, "C" + number, township, lat, 112.0, (), False, {"S001": cases}, cases * 10,
                        cases, released=released)

    near, far = 28.0 + 500 / 111_320, 28.0 + 1500 / 111_320  # 500 m and 1,500 m north of the store
    orders = [
        order("A", near, 4),  # within reach, 4 > free 3: counted
        order("B", near, 3),  # covered by the stock: not short
        order("C", far, 4),  # outside the radius
        order("D", near, 4, township="T01"),  # another township
        order("E", near, 2),  # below the store minimum of 3
        order("F", near, 2, released=True),  # released, so the minimum is waived, but covered
        order("G", near, 5, released=True),  # released and short: counted
    ]
    short = stock_short_demand([store], orders, {"S09": {"S001": 3}})
    assert short == {"S09": {"S001": 4 + 5}}
