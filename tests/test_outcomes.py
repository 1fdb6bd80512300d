"""Stop outcomes: written once per key, validated at the border, corrected by reversal.

Stock and the source orders follow every version.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.orm import Entry, Media, Posting, PostingKind, StopOutcome
from ledger.outcomes import correct_outcome, outcome_history, record_outcome
from ledger.postings import balance, balances, check_ledger
from ledger.schemas import LineIn, OutcomeIn
from models.db import session_scope
from models.errors import Conflict, InputError, NotFound
from models.orm import Depot, DepotStock, Order, OrderEvent, Product
from models.planning import DispatchOrder, PlanStop
from models.settings import Settings
from tests.ledger_fixtures import CST, MiniPlan, full_outcome, ledger_plan, make_plan  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def _stock(s: Session, depot: str, product: str) -> tuple[int, int]:
    row = s.scalars(
        select(DepotStock)
        .join(Depot, Depot.id == DepotStock.depot_id)
        .join(Product, Product.id == DepotStock.product_id)
        .where(Depot.code == depot, Product.code == product)
    ).one()
    return row.on_hand_cases, row.reserved_cases


def _dispatch_status(s: Session, stop: str) -> str:
    q = select(DispatchOrder.status).join(PlanStop, PlanStop.dispatch_order_id == DispatchOrder.id)
    return s.scalars(q.where(PlanStop.code == stop)).one().value


def _order_statuses(s: Session, stop: str) -> set[str]:
    q = (
        select(Order.status)
        .join(PlanStop, PlanStop.dispatch_order_id == Order.dispatch_order_id)
        .where(PlanStop.code == stop)
    )
    return {st.value for st in s.scalars(q)}


def _count(s: Session, model: Any) -> int:
    return int(s.scalar(select(func.count()).select_from(model)) or 0)


def _cod_stop(mini: MiniPlan) -> str:
    return next(st for st in mini.routes[next(iter(mini.routes))] if mini.terms[st] == "cod")


def test_record_posts_delivery_and_cash_and_moves_stock_and_orders(
    ledger_plan: tuple[Settings, MiniPlan],  # noqa: F811
) -> None:
    settings, mini = ledger_plan
    stop = _cod_stop(mini)
    due = mini.due(stop)
    with session_scope(settings) as s:
        before = _stock(s, "DC", "S001")
        r = record_outcome(s, full_outcome(mini, stop, receipt="1234"), idempotency_key="k1", actor="t")
    assert (r.version, r.status, r.billed_fen, r.cash_collected_fen, r.replayed) == (
        1,
        "delivered",
        due,
        due,
        False,
    )
    assert len(r.postings) == 2
    with session_scope(settings) as s:
        kinds = sorted(p.kind.value for p in s.scalars(select(Posting)))
        assert kinds == ["cash_collected", "delivery"]
        assert balance(s, "revenue:sales") == -due
        assert balance(s, f"cash:staff:{mini.drivers[next(iter(mini.routes))]}") == due
        assert balance(s, f"receivable:{mini.customers[stop]}") == 0
        assert check_ledger(s)["balanced"]
        s001 = next(ln["cases"] for ln in mini.lines[stop] if ln["product"] == "S001")
        assert _stock(s, "DC", "S001") == (before[0] - s001, before[1])  # draft plan: nothing was reserved
        assert _order_statuses(s, stop) == {"delivered"}
        assert _dispatch_status(s, stop) == "delivered"
        assert (
            s.scalar(select(func.count()).select_from(OrderEvent).where(OrderEvent.to_status == "delivered"))
            >= 1
        )
        [v] = outcome_history(s, stop)
        assert v["receipt_number"] == "00001234" and v["signer_name"] == "店主"


def test_same_key_replays_other_content_or_second_key_is_refused(
    ledger_plan: tuple[Settings, MiniPlan],  # noqa: F811
) -> None:
    settings, mini = ledger_plan
    stop = _cod_stop(mini)
    with session_scope(settings) as s:
        first = record_outcome(s, full_outcome(mini, stop), idempotency_key="same", actor="t")
    with session_scope(settings) as s:
        again = record_outcome(s, full_outcome(mini, stop), idempotency_key="same", actor="other")
        assert again.replayed and again.outcome_id == first.outcome_id and again.postings == first.postings
        with pytest.raises(Conflict, match="different content"):
            record_outcome(s, full_outcome(mini, stop, cash=1), idempotency_key="same", actor="t")
        with pytest.raises(Conflict, match="already has an outcome"):
            record_outcome(s, full_outcome(mini, stop), idempotency_key="another", actor="t")
        assert _count(s, StopOutcome) == 1 and _count(s, Posting) == 2


def test_bad_input_is_refused_with_every_field_named(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, mini = ledger_plan
    stop = _cod_stop(mini)
    at = dt.datetime(2026, 12, 2, 10, tzinfo=CST)
    with pytest.raises(ValidationError):
        OutcomeIn(
            stop=stop,
            lines=[LineIn(product="S001", delivered_cases=1)],
            signed=True,
            signer_name="x",
            occurred_at=at,
            cash_collected_fen=12.5,
        )  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        LineIn(product="S001", delivered_cases=1.0)  # type: ignore[arg-type]
    with session_scope(settings) as s:
        with pytest.raises(InputError, match="integer") as exc:
            record_outcome(
                s,
                {
                    "stop": stop,
                    "lines": [{"product": "S001", "delivered_cases": 1}],
                    "signed": True,
                    "signer_name": "x",
                    "occurred_at": at,
                    "cash_collected_fen": 100.0,
                },
                idempotency_key="f",
                actor="t",
            )
        assert exc.value.errors[0].field == "cash_collected_fen"
        bad = OutcomeIn(
            stop=stop,
            lines=[LineIn(product="S001", delivered_cases=99), LineIn(product="X9", delivered_cases=1)],
            signed=True,
            occurred_at=at,
        )
        with pytest.raises(InputError) as exc:
            record_outcome(s, bad, idempotency_key="b", actor="t")
        fields = {e.field for e in exc.value.errors}
        assert {"lines[0].delivered_cases", "lines[1].product", "lines", "signer_name"} <= fields
        with pytest.raises(NotFound):
            record_outcome(
                s,
                full_outcome(mini, stop).model_copy(update={"stop": "nope"}),
                idempotency_key="n",
                actor="t",
            )
        with pytest.raises(InputError, match="image"):
            record_outcome(
                s,
                full_outcome(mini, stop).model_copy(update={"signature": b"GIF"}),
                idempotency_key="i",
                actor="t",
            )
        assert _count(s, StopOutcome) == 0 and _count(s, Entry) == 0


def test_correction_reverses_and_reposts_money_and_stock(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, mini = ledger_plan
    stop = _cod_stop(mini)
    with session_scope(settings) as s:
        before = _stock(s, "DC", "S001")
        record_outcome(s, full_outcome(mini, stop), idempotency_key="v1", actor="t")
    short = full_outcome(mini, stop).model_copy(
        update={
            "lines": [
                LineIn(
                    product=ln["product"], delivered_cases=ln["cases"] - 1, shortfall="damaged", reason="wet"
                )
                for ln in mini.lines[stop]
            ]
        }
    )
    billed = sum((ln["cases"] - 1) * ln["price_fen"] for ln in mini.lines[stop])
    short = short.model_copy(update={"cash_collected_fen": billed})
    with session_scope(settings) as s:
        with pytest.raises(InputError, match="reason"):
            correct_outcome(s, short, reason=" ", idempotency_key="v2", actor="t")
        r = correct_outcome(s, short, reason="two bags were wet", idempotency_key="v2", actor="t")
    assert (r.version, r.status, r.billed_fen) == (2, "short", billed)
    assert len(r.postings) == 4  # two reversals, two new postings
    with session_scope(settings) as s:
        again = correct_outcome(s, short, reason="two bags were wet", idempotency_key="v2", actor="t")
        assert again.replayed and again.version == 2
        reversals = list(s.scalars(select(Posting).where(Posting.kind == PostingKind.REVERSAL)))
        assert len(reversals) == 2 and all(p.reverses_posting_id for p in reversals)
        assert balance(s, "revenue:sales") == -billed
        assert balance(s, f"receivable:{mini.customers[stop]}") == 0
        s001 = next(ln["cases"] for ln in mini.lines[stop] if ln["product"] == "S001")
        # s001 − 1 delivered and 1 damaged: neither is saleable stock any more
        assert _stock(s, "DC", "S001") == (before[0] - s001, before[1])
        assert [v["version"] for v in outcome_history(s, stop)] == [1, 2]
        assert _order_statuses(s, stop) == {"short"}
        assert _dispatch_status(s, stop) == "delivered"
        # a third version: refused; everything billed so far is undone
        refused = full_outcome(mini, stop, cash=0).model_copy(
            update={
                "lines": [
                    LineIn(product=ln["product"], delivered_cases=0, shortfall="refused")
                    for ln in mini.lines[stop]
                ]
            }
        )
        r3 = correct_outcome(
            s, refused, reason="customer returned everything", idempotency_key="v3", actor="t"
        )
        assert (r3.version, r3.status, r3.billed_fen) == (3, "refused", 0)
    with session_scope(settings) as s:
        assert balance(s, "revenue:sales") == 0 and check_ledger(s)["balanced"]
        assert _stock(s, "DC", "S001") == before
        assert _dispatch_status(s, stop) == "planned"  # refused: the reconciliation flags it


def test_correction_needs_an_outcome(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, mini = ledger_plan
    with session_scope(settings) as s, pytest.raises(Conflict, match="no outcome"):
        correct_outcome(s, full_outcome(mini, mini.stops[0]), reason="x", idempotency_key="c", actor="t")


def test_replenishment_moves_stock_to_the_store_without_money(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, mini = ledger_plan
    stop = next(st for st, t in mini.terms.items() if t == "replenishment")
    with session_scope(settings) as s:
        dc, s06 = _stock(s, "DC", "S001"), _stock(s, "S06", "S001")
        data = full_outcome(mini, stop).model_copy(update={"payment_method": None, "cash_collected_fen": 0})
        r = record_outcome(s, data, idempotency_key="rp", actor="t")
        assert r.postings == [] and r.billed_fen == 0
        assert _stock(s, "DC", "S001")[0] == dc[0] - 10 and _stock(s, "S06", "S001")[0] == s06[0] + 10
        with pytest.raises(InputError, match="no cash"):
            correct_outcome(
                s,
                data.model_copy(update={"cash_collected_fen": 5}),
                reason="x",
                idempotency_key="r2",
                actor="t",
            )


def test_confirmed_plan_releases_reservations_and_images_are_stored_once(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        mini = make_plan(s, confirmed=True, centre_stops=2, store_stops=0)
        # reserve as confirm_plan would
        for st in mini.stops:
            for ln in mini.lines[st]:
                row = s.scalars(
                    select(DepotStock)
                    .join(Product)
                    .join(Depot, Depot.id == DepotStock.depot_id)
                    .where(Depot.code == "DC", Product.code == ln["product"])
                ).one()
                row.reserved_cases += ln["cases"]
        before = _stock(s, "DC", "S001")
    a, b = mini.stops
    with session_scope(county_settings) as s:
        record_outcome(
            s, full_outcome(mini, a).model_copy(update={"signature": PNG}), idempotency_key="a", actor="t"
        )
        short = full_outcome(mini, b).model_copy(
            update={
                "signature": PNG,
                "lines": [
                    LineIn(product=ln["product"], delivered_cases=0, shortfall="refused")
                    for ln in mini.lines[b]
                ],
                "cash_collected_fen": 0,
            }
        )
        record_outcome(s, short, idempotency_key="b", actor="t")
        s001 = sum(ln["cases"] for st in (a, b) for ln in mini.lines[st] if ln["product"] == "S001")
        delivered = sum(ln["cases"] for ln in mini.lines[a] if ln["product"] == "S001")
        assert _stock(s, "DC", "S001") == (before[0] - delivered, before[1] - s001)
        assert _count(s, Media) == 1
        assert sum(balances(s).values()) == 0


def test_a_correction_with_the_longest_allowed_key_fits(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    """Derived posting keys (``<key>/reverse/<uuid>``) stay within their column on PostgreSQL too."""
    settings, mini = ledger_plan
    stop = _cod_stop(mini)
    k1, k2 = "a" * 160, "b" * 160
    with session_scope(settings) as s:
        record_outcome(s, full_outcome(mini, stop), idempotency_key=k1, actor="t")
    with session_scope(settings) as s:
        r = correct_outcome(s, full_outcome(mini, stop), reason="recount", idempotency_key=k2, actor="t")
        assert r.version == 2 and len(r.postings) == 4
    with session_scope(settings) as s:
        again = correct_outcome(s, full_outcome(mini, stop), reason="recount", idempotency_key=k2, actor="t")
        assert again.replayed and check_ledger(s)["balanced"]
        assert all(len(p.idempotency_key) <= 200 for p in s.scalars(select(Posting)))
