"""Receipt numbers are given once and survive every reprint; a reprint says so; a mismatch is flagged.

Issue 13 repro 7: reprinting a finished day re-assigned receipt numbers (E001's
book went from 33 to 66 numbers assigned, a reprinted note showed 00001034
while the recorded receipt was 00001001) and reconciliation did not notice.
Issue 13 repro 3 / issue 14 repro 3: a day with a store-replenishment stop
could not be printed or simulated (``KeyError: 'price_fen'``).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import func, select, update

from ledger.orm import ReceiptEvent, StopOutcome
from ledger.reconcile import reconcile
from ledger.simulate import simulate_day
from models.db import session_scope
from models.enums import OrderStatus
from models.orm import Order
from models.planning import DeliveryNote, PlanStop, StopKind
from models.settings import Settings
from services.imports import import_orders
from services.plan_ops import confirm_plan
from services.planning import plan_day
from services.printing import print_day, route_pack_pdf
from tests.factories import write_orders_csv
from tests.test_printing import pdf_pages

DAY = dt.date(2026, 12, 1)
FAST = {"time_limit_s": None, "solution_limit": 10, "workers": 1}


def _assigned(settings: Settings) -> int:
    with session_scope(settings) as s:
        return int(s.scalar(select(func.count()).select_from(ReceiptEvent)) or 0)


def test_a_finished_day_reprints_with_the_same_receipts_marked_reprint(
    county_settings: Settings, tmp_path: Path
) -> None:
    r = plan_day(county_settings, DAY, **FAST)
    confirm_plan(county_settings, plan_id=r["plan_id"], actor="test")
    simulate_day(county_settings, DAY)  # the clerk keys the day in before anyone printed it
    assigned = _assigned(county_settings)
    with session_scope(county_settings) as s:
        recorded = dict(s.execute(select(StopOutcome.stop_id, StopOutcome.receipt_number)).all())
        printed = dict(s.execute(select(DeliveryNote.stop_id, DeliveryNote.receipt_number)).all())
    assert any(recorded.values())
    assert all(recorded[k] == printed[k] for k in recorded if recorded[k])  # one number per stop
    with session_scope(county_settings) as s:  # the truck's route: the centre's cash customers
        route = s.scalars(
            select(PlanStop.route_id)
            .join(DeliveryNote, DeliveryNote.stop_id == PlanStop.id)
            .where(DeliveryNote.receipt_number.is_not(None))
        ).first()
    first = print_day(county_settings, date=DAY, route=route, out=tmp_path / "a")
    again = print_day(county_settings, date=DAY, route=route, out=tmp_path / "b")
    assert _assigned(county_settings) == assigned  # printing never hands out new numbers
    with session_scope(county_settings) as s:
        assert dict(s.execute(select(DeliveryNote.stop_id, DeliveryNote.receipt_number)).all()) == printed
        counts = dict(s.execute(select(DeliveryNote.stop_id, DeliveryNote.print_count)).all())
        on_route = set(s.scalars(select(PlanStop.id).where(PlanStop.route_id == route)))
    assert {counts[k] for k in on_route} == {2} and {v for k, v in counts.items() if k not in on_route} == {0}
    assert not any(x["reprint"] for x in first["routes"]) and all(x["reprint"] for x in again["routes"])
    pages = pdf_pages(again["routes"][0]["pdf"])
    assert all("重印" in p for p in pages)  # every page of a reprint says so
    assert not any("重印" in p for p in pdf_pages(first["routes"][0]["pdf"]))
    text = "\n".join("\n".join(pdf_pages(x["pdf"])) for x in again["routes"])
    assert all(number in text for k, number in recorded.items() if number and k in on_route)
    with session_scope(county_settings) as s:
        rec = reconcile(s, DAY)
    assert "receipt_differs" not in rec["flag_counts"]


def test_reconciliation_flags_a_receipt_that_differs_from_the_printed_one(county_settings: Settings) -> None:
    r = plan_day(county_settings, DAY, **FAST)
    confirm_plan(county_settings, plan_id=r["plan_id"], actor="test")
    simulate_day(county_settings, DAY)
    with session_scope(county_settings) as s:
        note = s.scalars(select(DeliveryNote).where(DeliveryNote.receipt_number.is_not(None))).first()
        assert note is not None
        original = note.receipt_number
        note.receipt_number = "09999999"  # what a stale reprint would have carried
        stop_code = s.get(PlanStop, note.stop_id).code
    with session_scope(county_settings) as s:
        rec = reconcile(s, DAY)
    flags = [f for f in rec["flags"] if f["kind"] == "receipt_differs"]
    assert [f["stop"] for f in flags] == [stop_code]
    assert original in flags[0]["detail"] and "09999999" in flags[0]["detail"]


def test_a_day_with_a_store_replenishment_prints_and_simulates(
    county_settings: Settings, tmp_path: Path
) -> None:
    """One big order a store cannot cover brings a replenishment stop; its transfer note prints."""
    path = write_orders_csv(
        tmp_path / "replenish.csv",
        [("4399010100017", "2026-12-01 10:00", "2026-12-02", "S001", 20)],
        ref="INT",
    )
    with session_scope(county_settings) as s:  # the repro: this one order is the whole day
        others = update(Order).where(Order.status == OrderStatus.RECEIVED)
        s.execute(others.values(status=OrderStatus.CANCELLED))
        import_orders(s, path, actor="test")
    r = plan_day(county_settings, DAY + dt.timedelta(days=1), **FAST)
    assert r["replenishment"], "the store short of S001 gets a replenishment stop"
    assert r["transfer_kg"] == sum(x["kg"] for x in r["replenishment"])
    confirm_plan(county_settings, plan_id=r["plan_id"], actor="test")
    out = print_day(county_settings, date=DAY + dt.timedelta(days=1), out=tmp_path / "p")
    text = "\n".join("\n".join(pdf_pages(x["pdf"])) for x in out["routes"])
    assert "调拨单" in text or "TN20261202" in text
    sim = simulate_day(county_settings, DAY + dt.timedelta(days=1))
    assert sim["recorded"] >= 1
    with session_scope(county_settings) as s:
        stop = s.scalars(select(PlanStop).where(PlanStop.kind == StopKind.REPLENISHMENT)).first()
        assert stop is not None and all(ln["price_fen"] == 0 for ln in stop.lines)
        pdf = route_pack_pdf(s, county_settings, stop.route_id)  # the API's route pack
    assert pdf.startswith(b"%PDF")
