"""Goods damaged in transit leave saleable stock for good; corrections reverse it exactly; finance sees it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ledger.outcomes import correct_outcome, record_outcome
from ledger.postings import balance, check_ledger
from ledger.reconcile import reconcile
from ledger.schemas import LineIn, OutcomeIn
from models.db import session_scope
from models.orm import Depot, DepotStock, Product
from models.planning import StockMovement
from models.settings import Settings
from tests.ledger_fixtures import DAY, MiniPlan, full_outcome, make_plan

Stock = tuple[int, int, int]  # on hand, reserved, damaged


@pytest.fixture
def confirmed(county_settings: Settings) -> Iterator[tuple[Settings, MiniPlan]]:
    """A confirmed plan whose stops' cases are reserved at their depots (as confirmation does)."""
    with session_scope(county_settings) as s:
        mini = make_plan(s, confirmed=True, replenish=True)
        centre = sorted(mini.routes)[0]
        for stop in mini.routes[centre]:
            for ln in mini.lines[stop]:
                row = _row(s, "DC", ln["product"])
                s.execute(
                    update(DepotStock)
                    .where(DepotStock.id == row.id)
                    .values(reserved_cases=DepotStock.reserved_cases + ln["cases"])
                )
    yield county_settings, mini


def _row(s: Session, depot: str, product: str) -> DepotStock:
    return s.scalars(
        select(DepotStock)
        .join(Depot, Depot.id == DepotStock.depot_id)
        .join(Product, Product.id == DepotStock.product_id)
        .where(Depot.code == depot, Product.code == product)
        .execution_options(populate_existing=True)
    ).one()


def _stock(s: Session, depot: str, product: str) -> Stock:
    row = _row(s, depot, product)
    return row.on_hand_cases, row.reserved_cases, row.damaged_cases


def _stop(mini: MiniPlan) -> str:
    """A cash-on-delivery stop of the centre route with an S001 line."""
    centre = sorted(mini.routes)[0]
    return next(
        st
        for st in mini.routes[centre]
        if mini.terms[st] == "cod" and any(ln["product"] == "S001" for ln in mini.lines[st])
    )


def _damaged(mini: MiniPlan, stop: str, broken: int, *, shortfall: str = "damaged") -> OutcomeIn:
    """Every line delivered in full except S001, of which ``broken`` cases are not delivered."""
    lines = [
        LineIn(product=ln["product"], delivered_cases=ln["cases"])
        if ln["product"] != "S001"
        else LineIn(
            product="S001", delivered_cases=ln["cases"] - broken, shortfall=shortfall, reason="bags split"
        )
        for ln in mini.lines[stop]
    ]
    billed = sum(li.delivered_cases * ln["price_fen"] for li, ln in zip(lines, mini.lines[stop], strict=True))
    return full_outcome(mini, stop, cash=billed).model_copy(update={"lines": lines})


def test_damaged_cases_leave_saleable_stock_and_a_correction_reverses_it_exactly(
    confirmed: tuple[Settings, MiniPlan],
) -> None:
    settings, mini = confirmed
    stop = _stop(mini)
    s001 = next(ln for ln in mini.lines[stop] if ln["product"] == "S001")
    with session_scope(settings) as s:
        on_hand, reserved, damaged = _stock(s, "DC", "S001")
        r = record_outcome(s, _damaged(mini, stop, 2), idempotency_key="v1", actor="t")
        # delivered and damaged both leave saleable stock; the whole reservation is released
        assert _stock(s, "DC", "S001") == (on_hand - s001["cases"], reserved - s001["cases"], damaged + 2)
        moves = list(s.scalars(select(StockMovement).where(StockMovement.reason == "damaged")))
        assert [(m.on_hand_delta, m.reserved_delta, m.damaged_delta) for m in moves] == [(-2, -2, 2)]
        # the customer pays for what was delivered, not for the broken cases
        assert r.billed_fen == mini.due(stop) - 2 * s001["price_fen"]
        assert balance(s, "revenue:sales") == -r.billed_fen
    # a recount: only one case was broken; then a refusal; then back to two broken
    with session_scope(settings) as s:
        correct_outcome(s, _damaged(mini, stop, 1), reason="recount", idempotency_key="v2", actor="t")
        assert _stock(s, "DC", "S001") == (on_hand - s001["cases"], reserved - s001["cases"], damaged + 1)
        refused = full_outcome(mini, stop, cash=0).model_copy(
            update={
                "lines": [
                    LineIn(product=ln["product"], delivered_cases=0, shortfall="refused")
                    for ln in mini.lines[stop]
                ]
            }
        )
        correct_outcome(s, refused, reason="customer refused after all", idempotency_key="v3", actor="t")
        # refused goods go back on the shelf (their reservation released); nothing is damaged any more
        assert _stock(s, "DC", "S001") == (on_hand, reserved - s001["cases"], damaged)
        correct_outcome(s, _damaged(mini, stop, 2), reason="it was the bags", idempotency_key="v4", actor="t")
        assert _stock(s, "DC", "S001") == (on_hand - s001["cases"], reserved - s001["cases"], damaged + 2)
        assert check_ledger(s)["balanced"]


def test_short_cases_go_back_on_the_shelf_damaged_ones_do_not(
    ledger_plan_stock: tuple[Settings, MiniPlan],
) -> None:
    settings, mini = ledger_plan_stock
    centre = sorted(mini.routes)[0]
    a, b = [st for st in mini.routes[centre] if any(ln["product"] == "S001" for ln in mini.lines[st])][:2]
    with session_scope(settings) as s:
        on_hand, _, damaged = _stock(s, "DC", "S001")
        record_outcome(s, _damaged(mini, a, 2, shortfall="short"), idempotency_key="a", actor="t")
        record_outcome(s, _damaged(mini, b, 2), idempotency_key="b", actor="t")
        cases = sum(ln["cases"] for st in (a, b) for ln in mini.lines[st] if ln["product"] == "S001")
        # a's two short cases never left; b's two damaged ones did
        assert _stock(s, "DC", "S001")[0] == on_hand - (cases - 2)
        assert _stock(s, "DC", "S001")[2] == damaged + 2


def test_goods_damaged_on_a_replenishment_stay_at_the_centre_as_damaged(
    ledger_plan_stock: tuple[Settings, MiniPlan],
) -> None:
    settings, mini = ledger_plan_stock
    stop = next(st for st, t in mini.terms.items() if t == "replenishment")
    data = _damaged(mini, stop, 3).model_copy(update={"payment_method": None, "cash_collected_fen": 0})
    with session_scope(settings) as s:
        dc, s06 = _stock(s, "DC", "S001"), _stock(s, "S06", "S001")
        record_outcome(s, data, idempotency_key="rp", actor="t")
        assert _stock(s, "DC", "S001") == (dc[0] - 10, dc[1], dc[2] + 3)
        assert _stock(s, "S06", "S001") == (s06[0] + 7, s06[1], s06[2])


def test_reconciliation_shows_damaged_goods_per_route_and_depot(
    ledger_plan_stock: tuple[Settings, MiniPlan],
) -> None:
    settings, mini = ledger_plan_stock
    stop = _stop(mini)
    price = next(ln["price_fen"] for ln in mini.lines[stop] if ln["product"] == "S001")
    with session_scope(settings) as s:
        record_outcome(s, _damaged(mini, stop, 2), idempotency_key="d", actor="t")
        rec = reconcile(s, DAY)
    route = sorted(mini.routes)[0]
    assert rec["damaged"] == [
        {
            "route": route,
            "depot": "DC",
            "product": "S001",
            "cases": 2,
            "value_fen": 2 * price,
            "stops": [stop],
        }
    ]
    assert (rec["damaged_cases"], rec["damaged_fen"]) == (2, 2 * price)
    by_route = {r["route"]: r for r in rec["routes"]}
    assert (by_route[route]["damaged_cases"], by_route[route]["damaged_fen"]) == (2, 2 * price)
    assert next(d for d in rec["stop_details"] if d["stop"] == stop)["damaged_cases"] == 2
    # billed only for what was delivered; the short-delivery flag names the damage
    assert rec["billed_fen"] == mini.due(stop) - 2 * price
    flag = next(f for f in rec["flags"] if f["kind"] == "short_delivery")
    assert "damaged" in flag["detail"] and flag["amount_fen"] == 2 * price


@pytest.fixture
def ledger_plan_stock(county_settings: Settings) -> Iterator[tuple[Settings, MiniPlan]]:
    """A draft plan (no reservations) over the bundled county, with a replenishment stop."""
    with session_scope(county_settings) as s:
        mini = make_plan(s, replenish=True)
    yield county_settings, mini
