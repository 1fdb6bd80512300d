"""End of day: handovers against what the ledger says, denominations, store reports, remittances, payments."""

from __future__ import annotations

import pytest

from ledger.cash import record_handover, record_payment, record_remittance, record_store_report
from ledger.outcomes import record_outcome
from ledger.postings import balance, check_ledger
from models.db import session_scope
from models.errors import Conflict, InputError
from models.settings import Settings
from tests.ledger_fixtures import DAY, MiniPlan, full_outcome, ledger_plan  # noqa: F401


def test_handover_moves_counted_cash_and_reports_the_difference(
    ledger_plan: tuple[Settings, MiniPlan],  # noqa: F811
) -> None:
    settings, mini = ledger_plan
    centre = sorted(mini.routes)[0]
    cod = [st for st in mini.routes[centre] if mini.terms[st] == "cod"][:2]
    with session_scope(settings) as s:
        for st in cod:
            record_outcome(s, full_outcome(mini, st), idempotency_key=st, actor="t")
    held = sum(mini.due(st) for st in cod)
    counted = held - 1230
    data = {"staff": "E001", "on_date": DAY, "counted_fen": counted, "notes_returned": 2}
    with session_scope(settings) as s:
        r = record_handover(s, data, idempotency_key="eod-E001", actor="clerk")
    assert (r["held_before_fen"], r["counted_fen"], r["difference_fen"], r["to"]) == (
        held,
        counted,
        -1230,
        "DC",
    )
    with session_scope(settings) as s:
        again = record_handover(s, data, idempotency_key="eod-E001", actor="clerk")
        assert again["replayed"] and again["id"] == r["id"] and again["held_before_fen"] == held
        with pytest.raises(Conflict):
            record_handover(s, {**data, "counted_fen": held}, idempotency_key="eod-E001", actor="clerk")
        # the shortfall leaves the driver's cash account for their suspense account (a finance decision)
        assert balance(s, "cash:staff:E001") == 0 and balance(s, "cash_diff:staff:E001") == 1230
        assert r["difference_account"] == "cash_diff:staff:E001"
        assert balance(s, "cash:centre") == counted
        assert check_ledger(s)["balanced"]


def test_denominations_must_be_real_and_add_up(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, _ = ledger_plan
    good = {
        "staff": "E001",
        "on_date": DAY,
        "counted_fen": 36550,
        "denominations": {"10000": 3, "5000": 1, "1000": 1, "500": 1, "50": 1},
    }
    with session_scope(settings) as s:
        assert record_handover(s, good, idempotency_key="d1", actor="t")["counted_fen"] == 36550
        with pytest.raises(InputError, match="add up"):
            record_handover(s, {**good, "counted_fen": 36560}, idempotency_key="d2", actor="t")
        with pytest.raises(InputError, match="denomination"):
            record_handover(
                s, {**good, "denominations": {"3000": 12, "550": 1}}, idempotency_key="d3", actor="t"
            )
        with pytest.raises(InputError, match="integer"):
            record_handover(s, {**good, "counted_fen": 365.5}, idempotency_key="d4", actor="t")
        with pytest.raises(InputError, match="staff"):
            record_handover(s, {**good, "staff": "E999"}, idempotency_key="d5", actor="t")


def test_store_report_remittance_and_payment(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, mini = ledger_plan
    store = sorted(mini.routes)[1]
    with session_scope(settings) as s:
        for st in mini.routes[store]:
            record_outcome(s, full_outcome(mini, st), idempotency_key=st, actor="t")
        collected = sum(mini.due(st) for st in mini.routes[store] if mini.terms[st] == "cod")
        h = record_handover(
            s, {"staff": "E021", "on_date": DAY, "counted_fen": collected}, idempotency_key="h", actor="t"
        )
        assert h["to"] == "S06" and h["difference_fen"] == 0
        rep = {"store": "S06", "on_date": DAY, "stops": 2, "delivered_cases": 11, "cash_fen": collected}
        first = record_store_report(s, rep, idempotency_key="rep", actor="t")
        assert record_store_report(s, rep, idempotency_key="rep", actor="t")["replayed"]
        with pytest.raises(Conflict):
            record_store_report(s, {**rep, "stops": 3}, idempotency_key="rep", actor="t")
        with pytest.raises(InputError, match="store"):
            record_store_report(s, {**rep, "store": "DC"}, idempotency_key="rep2", actor="t")
        assert first["stops"] == 2
        m = record_remittance(
            s, {"store": "S06", "on_date": DAY, "amount_fen": collected}, idempotency_key="m", actor="t"
        )
        assert m["store_cash_fen"] == 0 and not m["replayed"]
        assert record_remittance(
            s, {"store": "S06", "on_date": DAY, "amount_fen": collected}, idempotency_key="m", actor="t"
        )["replayed"]
        with pytest.raises(Conflict):
            record_remittance(
                s, {"store": "S06", "on_date": DAY, "amount_fen": 1}, idempotency_key="m", actor="t"
            )
        with pytest.raises(InputError):
            record_remittance(
                s, {"store": "S06", "on_date": DAY, "amount_fen": 0}, idempotency_key="m0", actor="t"
            )
        assert balance(s, "cash:centre") == collected
        monthly = next(st for st, t in mini.terms.items() if t == "monthly")
        record_outcome(s, full_outcome(mini, monthly), idempotency_key=monthly, actor="t")
        cust = mini.customers[monthly]
        p = record_payment(
            s,
            {"customer": cust, "on_date": DAY, "amount_fen": 1000, "reference": "BK-1"},
            idempotency_key="pay",
            actor="finance",
        )
        assert p["receivable_fen"] == mini.due(monthly) - 1000
        assert balance(s, "bank:centre") == 1000
        assert check_ledger(s)["balanced"]
