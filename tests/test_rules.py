"""Minimum orders, store territory (township, optional maximum distance) and stock, at their edges."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.rules import (
    LARGE_ORDER_CASES,
    DepotRule,
    OrderFacts,
    eligibility,
    hold_is_overdue,
    metres_between,
)

CENTRE = DepotRule("DC", "centre", "配送中心", "T00", 28.45, 112.30, 5)


def store(min_cases: int = 3) -> DepotRule:
    return DepotRule("S01", "store", "青石镇门店", "T01", 28.60, 112.45, min_cases, 1000)


def township_store(min_cases: int = 3) -> DepotRule:
    """A store with no maximum distance: it serves its whole township (the default)."""
    return DepotRule("S01", "store", "青石镇门店", "T01", 28.60, 112.45, min_cases, None)


def order_at(
    metres_north: float, cases: int, township: str = "T01", lines: dict | None = None, *, fixed: bool = True
) -> OrderFacts:
    lat = 28.60 + metres_north / 111_195.0
    return OrderFacts("CO1", "C1", township, lat, 112.45, cases, lines or {"S001": cases}, fixed)


def test_metres_between_is_geodesic_to_a_metre() -> None:
    assert abs(metres_between(28.60, 112.45, 28.60 + 1000 / 111_195.0, 112.45) - 1000) <= 1


@pytest.mark.parametrize(("cases", "ok"), [(4, False), (5, True), (6, True)])
def test_centre_minimum_edge(cases: int, ok: bool) -> None:
    e = eligibility(order_at(5000, cases), [CENTRE])
    assert ("DC" in e.depots) is ok
    if not ok:
        assert e.hold_reason() == f"{cases} cases: centre minimum 5"


@pytest.mark.parametrize("minimum", [2, 3, 4, 5])
def test_each_store_minimum_edge(minimum: int) -> None:
    assert "S01" in eligibility(order_at(100, minimum), [store(minimum)]).depots
    e = eligibility(order_at(100, minimum - 1), [store(minimum)])
    assert e.depots == () and f"minimum {minimum}" in e.refused["S01"]


@pytest.mark.parametrize(("metres", "ok"), [(999, True), (1000, True), (1001, False)])
def test_store_radius_edge(metres: int, ok: bool) -> None:
    e = eligibility(order_at(metres, 4), [store(3)])
    assert ("S01" in e.depots) is ok
    if not ok:
        assert "serves only within 1,000 m (customer is 1,001 m away)" in e.refused["S01"]


def test_store_serves_only_its_township() -> None:
    e = eligibility(order_at(10, 4, township="T02"), [store(3)])
    assert e.depots == () and e.refused == {}


def test_hold_reason_names_both_rules_as_the_brief_does() -> None:
    e = eligibility(order_at(1500, 4), [CENTRE, store(3)])
    assert e.held
    reason = e.hold_reason()
    assert reason.startswith("4 cases: centre minimum 5; ")
    assert "store 青石镇门店 serves only within 1,000 m" in reason
    e2 = eligibility(order_at(1500, 2), [CENTRE, store(3)])
    assert (
        e2.hold_reason()
        == "2 cases: centre minimum 5; "
        "store 青石镇门店 minimum 3, serves only within 1,000 m (customer is 1,500 m away)"
    )


@pytest.mark.parametrize(("available", "ok"), [(6, True), (5, False)])
def test_stock_exactly_enough_or_one_case_short(available: int, ok: bool) -> None:
    e = eligibility(order_at(100, 6), [store(3)], stock={"S01": {"S001": available}})
    assert ("S01" in e.depots) is ok
    if not ok:
        assert "S001 1 short" in e.refused["S01"]


def test_pin_restricts_to_one_depot_and_keeps_its_rules() -> None:
    o = order_at(100, LARGE_ORDER_CASES)
    assert eligibility(o, [CENTRE, store(3)]).depots == ("DC", "S01")
    assert eligibility(o, [CENTRE, store(3)], pin="S01").depots == ("S01",)
    assert eligibility(order_at(100, 6), [CENTRE, store(3)], pin="DC").depots == ("DC",)
    small = order_at(100, 2)
    assert eligibility(small, [CENTRE, store(3)], pin="DC").depots == ()
    assert eligibility(small, [CENTRE, store(3)], pin="DC", released=True).depots == ("DC",)


def test_release_waives_minimums_but_not_the_radius() -> None:
    far = order_at(2000, 2)
    assert eligibility(far, [CENTRE, store(3)], released=True).depots == ("DC",)
    e = eligibility(far, [store(3)], released=True)
    assert e.depots == () and "within 1,000 m" in e.refused["S01"]


def test_hold_is_overdue_after_one_cycle() -> None:
    d = dt.date(2026, 11, 1)
    assert not hold_is_overdue(d, d + dt.timedelta(days=15), 15)
    assert hold_is_overdue(d, d + dt.timedelta(days=16), 15)


# ---- territory: a store serves its own township; the centre the rest ------------------


def test_a_store_serves_its_whole_township_at_any_distance_by_default() -> None:
    far = order_at(15_000, 4)
    e = eligibility(far, [CENTRE, township_store(3)])
    assert e.depots == ("S01",)


@pytest.mark.parametrize(
    ("cases", "fixed", "centre_ok"),
    [
        (LARGE_ORDER_CASES - 1, True, False),
        (LARGE_ORDER_CASES, True, True),
        (LARGE_ORDER_CASES + 5, False, False),  # a 24-hour customer is the store's ("near, quick")
    ],
)
def test_centre_takes_only_large_fixed_cycle_orders_in_a_store_township(
    cases: int, fixed: bool, centre_ok: bool
) -> None:
    e = eligibility(order_at(3000, cases, fixed=fixed), [CENTRE, township_store(3)])
    assert "S01" in e.depots
    assert ("DC" in e.depots) is centre_ok
    if not centre_ok:
        assert "township store serves it" in e.refused["DC"]


def test_the_centre_serves_what_the_store_cannot() -> None:
    o = order_at(3000, 6)
    e = eligibility(o, [CENTRE, township_store(3)], stock={"S01": {"S001": 2}, "DC": {"S001": 100}})
    assert e.depots == ("DC",)
    assert "S001 4 short" in e.refused["S01"]


def test_townships_without_a_store_are_the_centres() -> None:
    e = eligibility(order_at(10, 6, township="T05"), [CENTRE, township_store(3)])
    assert e.depots == ("DC",)


def test_the_threshold_is_a_setting() -> None:
    o = order_at(100, 6)
    assert eligibility(o, [CENTRE, township_store(3)], large_order_cases=6).depots == ("DC", "S01")
    assert eligibility(o, [CENTRE, township_store(3)], large_order_cases=7).depots == ("S01",)
