"""Monthly statements of monthly-settlement customers, and receivables ageing, from the ledger.

A statement lists every posting on the customer's receivable account in the
month (goods delivered with their delivery note, signer and lines; cash or
bank payments; corrections), with the opening and closing balance. Ageing
allocates payments to the oldest unpaid deliveries first (FIFO) and buckets
what is left by days since delivery: 0–30, 31–60, 61–90, over 90.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.orm import AccountType, Entry, LedgerAccount, Posting, PostingKind, StopOutcome
from ledger.postings import balance
from models import clock
from models.errors import InputError, NotFound
from models.orm import County, Customer, Product
from models.planning import DeliveryNote, PlanStop

BUCKETS = (("0_30", 0, 30), ("31_60", 31, 60), ("61_90", 61, 90), ("over_90", 91, None))


def parse_month(month: str) -> tuple[dt.date, dt.date]:
    """``"2026-12"`` → (first day, last day)."""
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise InputError.single("month", "must be YYYY-MM", value=month) from None
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return first, nxt - dt.timedelta(days=1)


def statement(session: Session, customer: str, month: str) -> dict[str, Any]:
    """The customer's statement for ``month`` (YYYY-MM) as plain data (amounts in fen)."""
    c = session.scalars(select(Customer).where(Customer.code == customer)).first()
    if c is None:
        raise NotFound("customer", customer)
    first, last = parse_month(month)
    code = f"receivable:{c.code}"
    opening = balance(session, code, as_of=first - dt.timedelta(days=1))
    names = {p.code: (p.name_zh, p.name_en) for p in session.scalars(select(Product))}
    q = (
        select(Posting, Entry.amount_fen)
        .join(Entry, Entry.posting_id == Posting.id)
        .join(LedgerAccount, LedgerAccount.id == Entry.account_id)
        .where(LedgerAccount.code == code, Posting.value_date >= first, Posting.value_date <= last)
        .order_by(Posting.value_date, Posting.created_at)
    )
    lines: list[dict[str, Any]] = []
    running = opening
    deliveries = billed = paid = 0
    for p, amount in session.execute(q):
        running += int(amount)
        line: dict[str, Any] = {
            "date": p.value_date.isoformat(),
            "kind": p.kind.value,
            "debit_fen": max(int(amount), 0),
            "credit_fen": max(-int(amount), 0),
            "balance_fen": running,
            "memo": p.memo,
            "note_number": None,
            "stop": None,
            "signed": None,
            "signer": None,
            "items": [],
        }
        if p.outcome_id is not None:
            _outcome_detail(session, p.outcome_id, line, names)
        if p.kind == PostingKind.DELIVERY:
            deliveries += 1
            billed += int(amount)
        elif p.kind in (PostingKind.PAYMENT, PostingKind.CASH_COLLECTED):
            paid -= int(amount)
        lines.append(line)
    county = session.scalars(select(County)).first()
    return {
        "customer": {
            "code": c.code,
            "name": c.name,
            "terms": c.payment_terms.value,
            "credit_limit_fen": c.credit_limit_fen,
            "address": c.address,
        },
        "issuer": {
            "zh": (county.name_zh if county else "") + "盐业公司",
            "en": (county.name_en if county else "") + " Salt Company",
        },
        "month": month,
        "period": [first.isoformat(), last.isoformat()],
        "opening_fen": opening,
        "lines": lines,
        "deliveries": deliveries,
        "billed_fen": billed,
        "paid_fen": paid,
        "adjustments_fen": running - opening - billed + paid,
        "closing_fen": running,
        "over_limit": c.credit_limit_fen > 0 and running > c.credit_limit_fen,
        "unsigned": sum(1 for ln in lines if ln["kind"] == "delivery" and ln["signed"] is False),
    }


def _outcome_detail(
    session: Session, outcome_id: int, line: dict[str, Any], names: dict[str, tuple[str, str]]
) -> None:
    o = session.get(StopOutcome, outcome_id)
    if o is None:
        return
    stop = session.get(PlanStop, o.stop_id)
    note = session.scalars(select(DeliveryNote.number).where(DeliveryNote.stop_id == o.stop_id)).first()
    line.update(
        note_number=note,
        stop=stop.code if stop else None,
        signed=o.signed,
        signer=o.signer_name,
        version=o.version,
        items=[
            {
                "product": ln["product"],
                "name_zh": names.get(ln["product"], ("", ""))[0],
                "name_en": names.get(ln["product"], ("", ""))[1],
                "cases": ln["delivered_cases"],
                "price_fen": ln["price_fen"],
                "amount_fen": ln["delivered_cases"] * ln["price_fen"],
            }
            for ln in o.lines
            if ln["delivered_cases"]
        ],
    )


def statement_pdf(session: Session, customer: str, month: str, *, lang: str = "zh") -> bytes:
    """The statement as a PDF (embedded CJK font), in Chinese (``zh``) or English (``en``)."""
    from documents.statement import render_statement

    return render_statement(statement(session, customer, month), lang=lang)


def receivables_ageing(session: Session, as_of: dt.date | None = None) -> dict[str, Any]:
    """Every customer's unpaid balance by age of the deliveries it comes from (FIFO allocation)."""
    if as_of is None:
        as_of = session.scalar(select(func.max(Posting.value_date))) or clock.today()
    q = (
        select(LedgerAccount.customer_id, Posting.value_date, Entry.amount_fen)
        .join(Entry, Entry.account_id == LedgerAccount.id)
        .join(Posting, Posting.id == Entry.posting_id)
        .where(LedgerAccount.type == AccountType.RECEIVABLE, Posting.value_date <= as_of)
        .order_by(LedgerAccount.customer_id, Posting.value_date, Posting.created_at)
    )
    per: dict[int, list[tuple[dt.date, int]]] = {}
    for cid, day, amount in session.execute(q):
        if cid is not None:
            per.setdefault(cid, []).append((day, int(amount)))
    customers = {c.id: c for c in session.scalars(select(Customer).where(Customer.id.in_(per)))}
    rows: list[dict[str, Any]] = []
    for cid, moves in per.items():
        open_items, credit = _fifo(moves)
        bal = sum(a for _, a in moves)
        if bal == 0:
            continue
        buckets = {name: 0 for name, _, _ in BUCKETS}
        for day, amount in open_items:
            age = (as_of - day).days
            for name, lo, hi in BUCKETS:
                if age >= lo and (hi is None or age <= hi):
                    buckets[name] += amount
        c = customers[cid]
        rows.append(
            {
                "customer": c.code,
                "name": c.name,
                "terms": c.payment_terms.value,
                "credit_limit_fen": c.credit_limit_fen,
                "balance_fen": bal,
                "credit_fen": credit,
                "buckets": buckets,
                "oldest_days": max(((as_of - d).days for d, _ in open_items), default=0),
                "over_limit": c.credit_limit_fen > 0 and bal > c.credit_limit_fen,
            }
        )
    rows.sort(key=lambda r: (-r["balance_fen"], r["customer"]))
    totals = {name: sum(r["buckets"][name] for r in rows) for name, _, _ in BUCKETS}
    return {
        "as_of": as_of.isoformat(),
        "customers": rows,
        "totals": totals,
        "balance_fen": sum(r["balance_fen"] for r in rows),
    }


def _fifo(moves: list[tuple[dt.date, int]]) -> tuple[list[tuple[dt.date, int]], int]:
    """Open debits (date, amount) after applying every credit to the oldest first; and unapplied credit."""
    debits: list[list[Any]] = []
    credit = 0
    for day, amount in moves:
        if amount > 0:
            debits.append([day, amount])
        else:
            credit += -amount
        while credit and debits:
            take = min(credit, debits[0][1])
            debits[0][1] -= take
            credit -= take
            if debits[0][1] == 0:
                debits.pop(0)
    return [(d, a) for d, a in debits], credit


__all__ = ["parse_month", "receivables_ageing", "statement", "statement_pdf"]
