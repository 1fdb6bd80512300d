"""Next-morning reconciliation: figures from the ledger, every planted difference flagged, history kept."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from ledger.cash import record_handover, record_store_report
from ledger.flags import set_flag_status
from ledger.orm import FlagEvent
from ledger.outcomes import record_outcome
from ledger.receipts import assign_receipt_number, issue_book, void_receipt
from ledger.reconcile import reconcile
from ledger.schemas import LineIn
from ledger.xlsx import write_reconciliation
from models.db import session_scope
from models.errors import InputError, NotFound
from models.orm import Staff
from models.settings import Settings
from tests.ledger_fixtures import DAY, MiniPlan, full_outcome, ledger_plan  # noqa: F401

LedgerPlan = tuple[Settings, MiniPlan]


# date-sensitive: run at the scenario's delivery day and months later (tests/conftest.py)
pytestmark = pytest.mark.clock_dates


def _kinds(rec: dict[str, Any]) -> dict[str, list[str | None]]:
    out: dict[str, list[str | None]] = {}
    for f in rec["flags"]:
        out.setdefault(f["kind"], []).append(f["stop"] or f.get("driver") or f.get("store") or f["route"])
    return out


def test_a_plan_without_outcomes_flags_every_stop(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, mini = ledger_plan
    with session_scope(settings) as s:
        rec = reconcile(s)  # default: the latest planned day
    assert rec["date"] == DAY.isoformat() and rec["stops"] == len(mini.stops)
    for k in ("signed", "billed_fen", "collected_fen", "handed_over_fen"):
        assert rec[k] == 0 and type(rec[k]) is int
    assert sorted(f["stop"] for f in rec["flags"]) == sorted(mini.stops)
    for f in rec["flags"]:
        assert f["kind"] == "outcome_missing" and f["status"] == "open" and type(f["amount_fen"]) is int
        assert {"kind", "route", "stop", "amount_fen", "status"} <= set(f)
    assert sum(f["amount_fen"] for f in rec["flags"]) == sum(
        mini.due(st) for st in mini.stops if mini.terms[st] != "replenishment"
    )
    with session_scope(settings) as s, pytest.raises(NotFound):
        reconcile(s, dt.date(2030, 1, 1))


def _planted_day(settings: Settings, mini: MiniPlan) -> dict[str, str]:
    """A day with one of every fault; returns the role of each stop."""
    centre, store = sorted(mini.routes)
    cod = [st for st in mini.routes[centre] if mini.terms[st] == "cod"]
    monthly = next(st for st in mini.routes[centre] if mini.terms[st] == "monthly")
    ok, short, refused, unsigned = cod[:4]
    roles = {"ok": ok, "short": short, "refused": refused, "unsigned": unsigned, "monthly": monthly}
    with session_scope(settings) as s:
        issue_book(s, staff_code="E001", first=101, last=150, on_date=DAY)
        e001 = s.scalars(select(Staff.id).where(Staff.code == "E001")).one()
        n = [assign_receipt_number(s, staff_id=e001, on_date=DAY) for _ in range(6)]  # 101..106
        record_outcome(s, full_outcome(mini, ok, receipt=n[0]), idempotency_key="ok", actor="t")
        lines = [
            LineIn(product=ln["product"], delivered_cases=ln["cases"] - 1, shortfall="damaged", reason="wet")
            for ln in mini.lines[short]
        ]
        billed = sum((ln["cases"] - 1) * ln["price_fen"] for ln in mini.lines[short])
        record_outcome(
            s,
            full_outcome(mini, short, receipt=n[1], cash=billed - 100).model_copy(update={"lines": lines}),
            idempotency_key="short",
            actor="t",
        )
        void_receipt(s, n[2], reason="refused", on_date=DAY)
        record_outcome(
            s,
            full_outcome(mini, refused, cash=0).model_copy(
                update={
                    "lines": [
                        LineIn(
                            product=ln["product"],
                            delivered_cases=0,
                            shortfall="refused",
                            reason="wrong brand",
                        )
                        for ln in mini.lines[refused]
                    ]
                }
            ),
            idempotency_key="refused",
            actor="t",
        )
        # n[3] is skipped (a gap); the unsigned stop reuses n[0]
        record_outcome(
            s,
            full_outcome(mini, unsigned, receipt=n[0]).model_copy(
                update={"signed": False, "signer_name": None, "not_signed_reason": "owner away"}
            ),
            idempotency_key="uns",
            actor="t",
        )
        record_outcome(s, full_outcome(mini, monthly), idempotency_key="monthly", actor="t")
        # the store route: one receipt from no book, one from E001's book (not the store staff's)
        st1, st2 = mini.routes[store]
        record_outcome(s, full_outcome(mini, st1, receipt="99999"), idempotency_key="s1", actor="t")
        record_outcome(s, full_outcome(mini, st2, receipt=n[4]), idempotency_key="s2", actor="t")
        roles.update(store1=st1, store2=st2)
    return roles


def test_every_planted_difference_is_flagged(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, mini = ledger_plan
    roles = _planted_day(settings, mini)
    with session_scope(settings) as s:
        before = reconcile(s, DAY)
    collected = before["collected_fen"]
    e001 = next(d for d in before["drivers"] if d["staff"] == "E001")
    assert _kinds(before)["handover_missing"] == ["E001", "E021"]
    with session_scope(settings) as s:
        h = record_handover(
            s,
            {
                "staff": "E001",
                "on_date": DAY,
                "counted_fen": e001["collected_fen"] - 5000,
                "notes_returned": 2,
            },
            idempotency_key="h1",
            actor="t",
        )
        assert h["difference_fen"] == -5000 and h["to"] == "DC"
        h2 = record_handover(
            s,
            {
                "staff": "E021",
                "on_date": DAY,
                "counted_fen": collected - e001["collected_fen"],
                "notes_returned": 2,
            },
            idempotency_key="h2",
            actor="t",
        )
        assert h2["to"] == "S06" and h2["difference_fen"] == 0
        record_store_report(
            s,
            {"store": "S06", "on_date": DAY, "stops": 2, "delivered_cases": 1, "cash_fen": 1},
            idempotency_key="rep",
            actor="t",
        )
    with session_scope(settings) as s:
        rec = reconcile(s, DAY)
    kinds = _kinds(rec)
    replenishment = next(st for st, t in mini.terms.items() if t == "replenishment")
    assert kinds["outcome_missing"] == [replenishment]
    assert kinds["short_delivery"] == [roles["short"]]
    assert kinds["refused"] == [roles["refused"]]
    assert kinds["missing_signature"] == [roles["unsigned"]]
    assert sorted(kinds["cash_short"]) == sorted(["E001", roles["short"]])
    assert kinds["receipt_reuse"] == [min(roles["ok"], roles["unsigned"])]
    assert kinds["receipt_unknown"] == [roles["store1"], roles["store2"]]  # no book; E001's book, not E021's
    assert kinds["receipt_gap"] == [mini.routes[sorted(mini.routes)[0]][0][:-3]]  # the route of E001's book
    assert kinds["notes_missing"] == ["E001"]
    assert kinds["store_report_mismatch"] == ["S06"]
    assert "handover_missing" not in kinds and "payment_terms" not in kinds
    gap = next(f for f in rec["flags"] if f["kind"] == "receipt_gap")
    assert "00000104" in gap["detail"] and "00000103" not in gap["detail"]  # voided numbers are not gaps
    short_cash = next(f for f in rec["flags"] if f["kind"] == "cash_short" and f["stop"] == roles["short"])
    assert short_cash["amount_fen"] == 100
    driver_cash = next(f for f in rec["flags"] if f["kind"] == "cash_short" and f["stop"] is None)
    assert driver_cash["amount_fen"] == 5000
    assert rec["handed_over_fen"] == collected - 5000 and rec["cash_difference_fen"] == -5000
    assert rec["signed"] == rec["with_outcome"] - 1 and rec["refused"] == 1 and rec["short"] == 1
    assert rec["billed_fen"] == rec["due_fen"] + rec["on_account_fen"]
    assert rec["ledger"]["balanced"]
    by_route = {r["route"]: r for r in rec["routes"]}
    assert sum(r["billed_fen"] for r in by_route.values()) == rec["billed_fen"]
    assert sum(c["billed_fen"] for c in rec["customers"]) == rec["billed_fen"]
    [store] = rec["stores"]
    assert store["handed_in_fen"] == collected - e001["collected_fen"] and store["report"]["cash_fen"] == 1


def test_flag_status_history_and_cleared_flags(ledger_plan: LedgerPlan, tmp_path: Path) -> None:  # noqa: F811
    settings, mini = ledger_plan
    stop = mini.stops[0]
    flag_id = f"{DAY.isoformat()}/outcome_missing/{stop}"
    with session_scope(settings) as s:
        with pytest.raises(InputError):
            set_flag_status(s, flag_id, status="closed", comment="x", actor="f")
        with pytest.raises(InputError):
            set_flag_status(s, flag_id, status="explained", comment=" ", actor="f")
        with pytest.raises(NotFound):
            set_flag_status(
                s, f"{DAY.isoformat()}/refused/{stop}", status="explained", comment="x", actor="f"
            )
        r = set_flag_status(s, flag_id, status="explained", comment="driver lost the note", actor="wei")
        assert r["status"] == "explained" and len(r["history"]) == 1
    with session_scope(settings) as s:
        r = set_flag_status(s, flag_id, status="resolved", comment="note found, entered", actor="wei")
        assert [h["status"] for h in r["history"]] == ["explained", "resolved"]
        flag = next(f for f in reconcile(s, DAY)["flags"] if f["id"] == flag_id)
        assert (flag["status"], flag["comment"], flag["by"]) == ("resolved", "note found, entered", "wei")
        assert len(list(s.scalars(select(FlagEvent)))) == 2
        record_outcome(s, full_outcome(mini, stop), idempotency_key="late", actor="t")
    with session_scope(settings) as s:
        rec = reconcile(s, DAY)
    assert flag_id not in {f["id"] for f in rec["flags"]}
    assert [c["id"] for c in rec["cleared_flags"]] == [flag_id]
    out = write_reconciliation(rec, tmp_path / "rec.xlsx")
    from openpyxl import load_workbook

    wb = load_workbook(out)
    assert wb.sheetnames[0].startswith("Summary") and "Flags 差异" in wb.sheetnames
    assert wb["Flags 差异"].max_row == len(rec["flags"]) + 1
    summary = {r[0].value: r[1].value for r in wb.worksheets[0].iter_rows(min_row=2)}
    assert summary["billed_fen"] == rec["billed_fen"] and isinstance(summary["billed_fen"], int)
