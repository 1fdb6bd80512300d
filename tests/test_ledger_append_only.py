"""The database itself refuses to change ledger history and to store an unbalanced posting."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from sqlalchemy import func, insert, select, text
from sqlalchemy.exc import DBAPIError

from ledger.cash import record_handover, record_store_report
from ledger.flags import set_flag_status
from ledger.orm import APPEND_ONLY_TABLES, Entry, LedgerAccount, Posting, PostingKind
from ledger.outcomes import record_outcome
from ledger.postings import ensure_accounts, post, revenue_spec
from ledger.receipts import assign_receipt_number, issue_book
from ledger.reconcile import reconcile
from ledger.shortfalls import write_off_shortfall
from models.db import session_scope
from models.orm import Staff
from models.settings import Settings
from tests.ledger_fixtures import MiniPlan, full_outcome, ledger_plan  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 32
DAY = dt.date(2026, 12, 2)


def _fill(settings: Settings, mini: MiniPlan) -> None:
    """At least one row in every append-only table."""
    with session_scope(settings) as s:
        issue_book(s, staff_code="E001", first=1, last=50, on_date=DAY)
        e001 = s.scalars(select(Staff.id).where(Staff.code == "E001")).one()
        receipt = assign_receipt_number(s, staff_id=e001, on_date=DAY)
        stop = next(st for st in mini.stops if mini.terms[st] == "cod")
        data = full_outcome(mini, stop, receipt=receipt).model_copy(update={"signature": PNG})
        record_outcome(s, data, idempotency_key="o1", actor="t")
        record_handover(
            s,
            {"staff": "E001", "on_date": DAY, "counted_fen": 100, "notes_returned": 1},
            idempotency_key="h1",
            actor="t",
        )
        write_off_shortfall(  # the handover was short: finance decides (cash_decisions)
            s,
            {"staff": "E001", "on_date": DAY, "decided_on": DAY, "amount_fen": 1, "reason": "coin lost"},
            idempotency_key="w1",
            actor="finance",
        )
        record_store_report(
            s,
            {"store": "S06", "on_date": DAY, "stops": 0, "delivered_cases": 0, "cash_fen": 0},
            idempotency_key="r1",
            actor="t",
        )
    with session_scope(settings) as s:
        flag = reconcile(s, DAY)["flags"][0]["id"]
        set_flag_status(s, flag, status="explained", comment="driver phoned", actor="finance")


def test_update_and_delete_fail_on_every_ledger_table(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, mini = ledger_plan
    _fill(settings, mini)
    for table in APPEND_ONLY_TABLES:
        with session_scope(settings) as s:
            assert s.scalar(text(f"SELECT COUNT(*) FROM {table}")), f"{table} is empty"
        with pytest.raises(DBAPIError, match="append-only"), session_scope(settings) as s:
            s.execute(text(f"UPDATE {table} SET id = id"))
        with pytest.raises(DBAPIError, match="append-only"), session_scope(settings) as s:
            s.execute(text(f"DELETE FROM {table}"))
    if settings.effective_database_url.startswith("postgresql"):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(settings) as s:
            s.execute(text("TRUNCATE ledger_entries, ledger_postings CASCADE"))


def test_unbalanced_or_half_written_postings_are_refused(ledger_plan: tuple[Settings, MiniPlan]) -> None:  # noqa: F811
    settings, _ = ledger_plan
    with session_scope(settings) as s:
        acc = ensure_accounts(s, [revenue_spec(), {"code": "bank:centre", "type": "bank"}])
        a, b = acc["revenue:sales"], acc["bank:centre"]
        good = post(
            s,
            kind=PostingKind.PAYMENT,
            key="good",
            request_hash="h",
            value_date=DAY,
            legs=[(b, 500), (a, -500)],
            actor="t",
        )

    def raw(
        entries: list[tuple[int, int]], count: int, pid: str | None = None, with_posting: bool = True
    ) -> None:
        pid = pid or str(uuid.uuid4())
        with session_scope(settings) as s:
            s.execute(
                insert(Entry), [{"posting_id": pid, "account_id": x, "amount_fen": v} for x, v in entries]
            )
            if with_posting:
                s.execute(
                    insert(Posting).values(
                        id=pid,
                        kind="payment",
                        idempotency_key=pid,
                        request_hash="h",
                        value_date=DAY,
                        entry_count=count,
                        actor="t",
                        memo="",
                    )
                )

    with pytest.raises(DBAPIError, match="balance"):
        raw([(b, 500), (a, -499)], 2)  # does not sum to zero
    with pytest.raises(DBAPIError, match="balance"):
        raw([(b, 500), (a, -500)], 3)  # an entry missing
    with pytest.raises(DBAPIError, match="complete"):
        raw([(b, 1), (a, -1)], 2, pid=good, with_posting=False)  # entries added to a finished posting
    with pytest.raises(DBAPIError):
        raw([(b, 7), (a, -7)], 2, with_posting=False)  # entries without their posting: refused at commit
    with pytest.raises(DBAPIError):
        raw([(b, 0), (a, 0)], 2)  # zero entries
    with pytest.raises(ValueError, match="integer fen"), session_scope(settings) as s:
        post(
            s,
            kind=PostingKind.PAYMENT,
            key="float",
            request_hash="h",
            value_date=DAY,
            legs=[(b, 5.0), (a, -5.0)],
            actor="t",
        )  # type: ignore[list-item]
    with session_scope(settings) as s:
        assert s.scalar(select(func.count()).select_from(Posting)) == 1
        assert s.scalar(select(func.count()).select_from(Entry)) == 2
        assert s.scalar(select(func.count()).select_from(LedgerAccount)) == 2
