"""The double-entry core: accounts, balanced postings, reversals, balances.

Accounts (created on first use, never changed):

===========================  ==========  =========================================
code                         type        holds
===========================  ==========  =========================================
``receivable:<customer>``    receivable  what the customer owes (debit balance)
``cash:staff:<staff>``       cash        cash a driver / store staff member holds
``cash:store:<store>``       cash        cash held at a township store
``cash:centre``              cash        cash at the service centre
``bank:centre``              bank        the company's bank account
``revenue:sales``            revenue     goods sold (credit balance, negative)
===========================  ==========  =========================================

A posting's entries are signed fen (positive = debit) and sum to zero; the
whole ledger therefore sums to zero. Postings are never changed: a mistake is
undone by :func:`reverse`, which posts the mirror image and links it to the
original (``reverses_posting_id``, unique: a posting is reversed at most once).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledger.orm import AccountType, Entry, LedgerAccount, Posting, PostingKind
from ledger.tx import dialect
from models import clock
from models.errors import Conflict
from models.orm import Customer, Depot, Staff

CENTRE_CASH = "cash:centre"
BANK = "bank:centre"
REVENUE = "revenue:sales"


def ensure_accounts(session: Session, specs: list[dict[str, Any]]) -> dict[str, int]:
    """Account ids by code, creating missing ones (in code order, so concurrent writers never deadlock)."""
    out: dict[str, int] = {}
    ins = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    for spec in sorted({s["code"]: s for s in specs}.values(), key=lambda s: s["code"]):
        found = session.scalar(select(LedgerAccount.id).where(LedgerAccount.code == spec["code"]))
        if found is None:
            session.execute(
                ins(LedgerAccount)
                .values(created_at=clock.now(), **spec)
                .on_conflict_do_nothing(index_elements=["code"])
            )
            found = session.scalar(select(LedgerAccount.id).where(LedgerAccount.code == spec["code"]))
        assert found is not None
        out[spec["code"]] = found
    return out


def receivable_spec(c: Customer) -> dict[str, Any]:
    return {
        "code": f"receivable:{c.code}",
        "type": AccountType.RECEIVABLE,
        "name": c.name[:100],
        "customer_id": c.id,
    }


def staff_cash_spec(s: Staff) -> dict[str, Any]:
    return {"code": f"cash:staff:{s.code}", "type": AccountType.CASH, "name": s.name[:100], "staff_id": s.id}


def depot_cash_spec(d: Depot) -> dict[str, Any]:
    if d.kind == "centre":
        return {
            "code": CENTRE_CASH,
            "type": AccountType.CASH,
            "name": "服务中心现金 centre cash",
            "depot_id": d.id,
        }
    return {
        "code": f"cash:store:{d.code}",
        "type": AccountType.CASH,
        "name": d.name_zh[:100],
        "depot_id": d.id,
    }


def bank_spec() -> dict[str, Any]:
    return {"code": BANK, "type": AccountType.BANK, "name": "银行存款 bank"}


def revenue_spec() -> dict[str, Any]:
    return {"code": REVENUE, "type": AccountType.REVENUE, "name": "销售收入 sales"}


def existing_posting(session: Session, key: str, request_hash: str) -> Posting | None:
    """The posting already made under ``key`` (same request) or ``None``; another request → Conflict."""
    p = session.scalars(select(Posting).where(Posting.idempotency_key == key)).first()
    if p is not None and p.request_hash != request_hash:
        raise Conflict(f"idempotency key {key!r} was already used for a different request")
    return p


KEY_MAX = 200


def fit_key(key: str) -> str:
    """A posting key that fits its column: long derived keys (``…/reverse/<uuid>``) become a digest.

    The digest is of the whole key, so the same request still finds its posting.
    """
    if len(key) <= KEY_MAX:
        return key
    return "sha256:" + hashlib.sha256(key.encode("utf-8")).hexdigest()


def post(
    session: Session,
    *,
    kind: PostingKind,
    key: str,
    request_hash: str,
    value_date: dt.date,
    legs: list[tuple[int, int]],
    actor: str,
    memo: str = "",
    outcome_id: int | None = None,
    handover_id: int | None = None,
    reverses: str | None = None,
) -> str:
    """Write one balanced posting; returns its id (the existing one when ``key`` was already posted).

    ``legs`` are (account id, signed fen); legs on the same account are merged
    and zero legs dropped. Raises ``ValueError`` unless the amounts are ints
    summing to zero over at least two accounts (the database checks it again).
    """
    key = fit_key(key)
    merged: dict[int, int] = defaultdict(int)
    for account_id, amount in legs:
        if isinstance(amount, bool) or not isinstance(amount, int):
            raise ValueError(f"ledger amounts are integer fen, got {amount!r}")
        merged[account_id] += amount
    entries = [(a, amt) for a, amt in merged.items() if amt != 0]
    if sum(amt for _, amt in entries) != 0 or len(entries) < 2:
        raise ValueError(f"a posting needs two or more entries summing to zero, got {entries}")
    done = existing_posting(session, key, request_hash)
    if done is not None:
        return done.id
    pid = str(uuid.uuid4())
    # entries first, then the posting: the database checks on the posting's insert that they balance
    session.execute(
        insert(Entry), [{"posting_id": pid, "account_id": a, "amount_fen": amt} for a, amt in entries]
    )
    session.execute(
        insert(Posting).values(
            id=pid,
            kind=kind,
            idempotency_key=key,
            request_hash=request_hash,
            reverses_posting_id=reverses,
            value_date=value_date,
            entry_count=len(entries),
            outcome_id=outcome_id,
            handover_id=handover_id,
            created_at=clock.now(),
            actor=actor,
            memo=memo,
        )
    )
    return pid


def reverse(
    session: Session,
    posting_id: str,
    *,
    key: str,
    request_hash: str,
    value_date: dt.date,
    actor: str,
    memo: str = "",
    outcome_id: int | None = None,
) -> str:
    """Post the mirror image of ``posting_id`` (every sign swapped), linked to it."""
    legs = [
        (a, -amt)
        for a, amt in session.execute(
            select(Entry.account_id, Entry.amount_fen)
            .where(Entry.posting_id == posting_id)
            .order_by(Entry.id)
        )
    ]
    return post(
        session,
        kind=PostingKind.REVERSAL,
        key=key,
        request_hash=request_hash,
        value_date=value_date,
        legs=legs,
        actor=actor,
        memo=memo,
        outcome_id=outcome_id,
        reverses=posting_id,
    )


def balances(session: Session, *, as_of: dt.date | None = None) -> dict[str, int]:
    """Every account's balance (sum of its entries, optionally up to a value date), by account code."""
    q = (
        select(LedgerAccount.code, func.coalesce(func.sum(Entry.amount_fen), 0))
        .join(Entry, Entry.account_id == LedgerAccount.id)
        .join(Posting, Posting.id == Entry.posting_id)
        .group_by(LedgerAccount.code)
    )
    if as_of is not None:
        q = q.where(Posting.value_date <= as_of)
    return {code: int(total) for code, total in session.execute(q)}


def balance(session: Session, code: str, *, as_of: dt.date | None = None) -> int:
    q = (
        select(func.coalesce(func.sum(Entry.amount_fen), 0))
        .join(LedgerAccount, LedgerAccount.id == Entry.account_id)
        .join(Posting, Posting.id == Entry.posting_id)
        .where(LedgerAccount.code == code)
    )
    if as_of is not None:
        q = q.where(Posting.value_date <= as_of)
    return int(session.scalar(q) or 0)


def check_ledger(session: Session) -> dict[str, Any]:
    """The ledger's own audit: counts, the grand total (must be 0), postings that do not balance."""
    per = session.execute(
        select(Entry.posting_id, func.count(), func.sum(Entry.amount_fen)).group_by(Entry.posting_id)
    ).all()
    declared = dict(session.execute(select(Posting.id, Posting.entry_count)).all())
    bad = sorted(pid for pid, n, total in per if int(total) != 0 or declared.get(pid) != n)
    orphans = sorted(set(pid for pid, _, _ in per) - set(declared))
    missing = sorted(pid for pid in declared if pid not in {p for p, _, _ in per})
    return {
        "postings": len(declared),
        "entries": sum(n for _, n, _ in per),
        "total_fen": int(sum(int(t) for _, _, t in per)),
        "unbalanced": bad,
        "orphan_entries": orphans,
        "postings_without_entries": missing,
        "balanced": not bad and not orphans and not missing and sum(int(t) for _, _, t in per) == 0,
    }


__all__ = [
    "BANK",
    "CENTRE_CASH",
    "REVENUE",
    "balance",
    "balances",
    "check_ledger",
    "depot_cash_spec",
    "ensure_accounts",
    "existing_posting",
    "post",
    "receivable_spec",
    "revenue_spec",
    "reverse",
    "staff_cash_spec",
]
