"""Monthly statements (data and PDF, Chinese and English) and receivables ageing, from the ledger."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from pypdf import PdfReader

from ledger.cash import record_payment
from ledger.outcomes import correct_outcome, record_outcome
from ledger.schemas import LineIn
from ledger.statements import parse_month, receivables_ageing, statement, statement_pdf
from models.db import session_scope
from models.errors import InputError, NotFound
from models.settings import Settings
from tests.ledger_fixtures import DAY, MiniPlan, full_outcome, ledger_plan  # noqa: F401

# date-sensitive: run at the scenario's delivery day and months later (tests/conftest.py)
pytestmark = pytest.mark.clock_dates


def test_statement_lists_signed_deliveries_payments_and_corrections(
    ledger_plan: tuple[Settings, MiniPlan],  # noqa: F811
) -> None:
    settings, mini = ledger_plan
    stop = next(st for st, t in mini.terms.items() if t == "monthly")
    cust = mini.customers[stop]
    due = mini.due(stop)
    with session_scope(settings) as s:
        record_outcome(s, full_outcome(mini, stop, signer="王店长"), idempotency_key="m", actor="t")
        record_payment(
            s,
            {"customer": cust, "on_date": dt.date(2026, 11, 20), "amount_fen": 5000},
            idempotency_key="nov",
            actor="f",
        )  # paid in advance, last month
        record_payment(
            s,
            {"customer": cust, "on_date": dt.date(2026, 12, 20), "amount_fen": 10000},
            idempotency_key="dec",
            actor="f",
        )
        lines = [
            LineIn(product=ln["product"], delivered_cases=ln["cases"] - 1, shortfall="short")
            for ln in mini.lines[stop]
        ]
        corrected = full_outcome(mini, stop, signer="王店长").model_copy(update={"lines": lines})
        correct_outcome(s, corrected, reason="one case short", idempotency_key="m2", actor="t")
    new_due = sum((ln["cases"] - 1) * ln["price_fen"] for ln in mini.lines[stop])
    with session_scope(settings) as s:
        d = statement(s, cust, "2026-12")
        assert d["opening_fen"] == -5000 and d["closing_fen"] == new_due - 15000
        kinds = [ln["kind"] for ln in d["lines"]]
        assert kinds.count("delivery") == 2 and kinds.count("reversal") == 1 and kinds.count("payment") == 1
        first = d["lines"][0]
        assert first["signer"] == "王店长" and first["stop"] == stop and first["items"]
        assert d["billed_fen"] == due + new_due and d["paid_fen"] == 10000
        assert d["adjustments_fen"] == -due and d["unsigned"] == 0
        zh = statement_pdf(s, cust, "2026-12")
        en = statement_pdf(s, cust, "2026-12", lang="en")
        with pytest.raises(NotFound):
            statement(s, "0000000000000", "2026-12")
        with pytest.raises(InputError):
            statement(s, cust, "December")
    zh_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(zh)).pages)
    en_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(en)).pages)
    assert "客户对账单" in zh_text and cust in zh_text and "王店长" in zh_text
    assert "Customer statement" in en_text and "Closing balance" in en_text
    fonts = {
        str(f.get("/BaseFont"))
        for p in PdfReader(io.BytesIO(zh)).pages
        for f in (p["/Resources"]["/Font"].values() if "/Font" in p["/Resources"] else [])
    }
    assert not any("STSong" in f for f in fonts)  # the CJK font is embedded, not a CID reference


def test_ageing_allocates_payments_to_the_oldest_deliveries(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, mini = ledger_plan
    monthly = [st for st, t in mini.terms.items() if t == "monthly"]
    stop = monthly[0]
    cust = mini.customers[stop]
    due = mini.due(stop)
    with session_scope(settings) as s:
        record_outcome(s, full_outcome(mini, stop), idempotency_key="m", actor="t")
        record_payment(
            s,
            {"customer": cust, "on_date": dt.date(2027, 1, 10), "amount_fen": due // 2},
            idempotency_key="p",
            actor="f",
        )
        a = receivables_ageing(s, dt.date(2027, 2, 20))  # 80 days after the delivery
        row = next(r for r in a["customers"] if r["customer"] == cust)
        assert row["balance_fen"] == due - due // 2
        assert row["buckets"]["61_90"] == due - due // 2 and row["oldest_days"] == 80
        assert a["totals"]["61_90"] >= row["balance_fen"]
        early = receivables_ageing(s, DAY)
        assert next(r for r in early["customers"] if r["customer"] == cust)["buckets"]["0_30"] == due
    assert parse_month("2026-02") == (dt.date(2026, 2, 1), dt.date(2026, 2, 28))
