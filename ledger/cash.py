"""End of day and after: handovers, store reports, store remittances, monthly-account payments.

Each function runs inside the caller's transaction and is idempotent on its
key (same key + same content → the first answer; other content → Conflict).

* handover: the counted cash moves from the staff member's cash account to the
  centre's (or their store's); the difference to what the ledger says they
  held moves to their suspense account ``cash_diff:staff:<code>``, pending a
  finance decision (:mod:`ledger.shortfalls`), and is flagged by reconciliation;
* store report: the store's own figures for the day (stops, cases, cash),
  compared with the ledger by reconciliation;
* remittance: a store pays its cash in to the centre;
* payment: a monthly-settlement customer pays into the bank.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.orm import Handover, PostingKind, StoreReport
from ledger.postings import (
    BANK,
    CENTRE_CASH,
    balance,
    bank_spec,
    depot_cash_spec,
    ensure_accounts,
    existing_posting,
    post,
    receivable_spec,
    staff_cash_spec,
)
from ledger.schemas import DENOMINATIONS_FEN, HandoverIn, PaymentIn, RemittanceIn, StoreReportIn, parse
from ledger.shortfalls import post_cash_difference, suspense_code
from ledger.tx import begin_write, content_hash, lock
from models.errors import Conflict, FieldError, InputError
from models.orm import Customer, Depot, Staff


def _key(key: str) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > 150:
        raise InputError.single("idempotency_key", "must be 1–150 characters", value=key)
    return key.strip()


def _depot(session: Session, code: str, field: str, *, store_only: bool = False) -> Depot:
    d = lock(session, select(Depot).where(Depot.code == code))
    if d is None or (store_only and d.kind != "store"):
        raise InputError.single(field, "no such store" if store_only else "no such depot", value=code)
    return d


def _check_denominations(data: HandoverIn) -> None:
    if data.denominations is None:
        return
    errors = []
    total = 0
    for k, n in data.denominations.items():
        if not k.isdigit() or int(k) not in DENOMINATIONS_FEN:
            errors.append(FieldError(f"denominations.{k}", f"not a denomination in fen {DENOMINATIONS_FEN}"))
        elif n < 0:
            errors.append(FieldError(f"denominations.{k}", "count must not be negative", value=n))
        else:
            total += int(k) * n
    if not errors and total != data.counted_fen:
        errors.append(
            FieldError("denominations", f"add up to {total} fen, not the counted {data.counted_fen}")
        )
    if errors:
        raise InputError(errors, context="handover")


def _handover_dict(
    session: Session, h: Handover, staff: Staff, *, held_before: int, replayed: bool
) -> dict[str, Any]:
    to = session.get(Depot, h.to_depot_id)
    return {
        "id": h.id,
        "staff": staff.code,
        "name": staff.name,
        "date": h.on_date.isoformat(),
        "to": to.code if to else None,
        "counted_fen": h.counted_fen,
        "denominations": h.denominations,
        "notes_returned": h.notes_returned,
        "held_before_fen": held_before,
        "difference_fen": h.counted_fen - held_before,
        # a difference waits on this account for finance (dispatch finance shortfall …)
        "difference_account": suspense_code(staff.code) if h.counted_fen != held_before else None,
        "replayed": replayed,
    }


def record_handover(
    session: Session, data: HandoverIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> dict[str, Any]:
    """Record a driver's end-of-day handover of cash and signed notes.

    ``difference_fen`` = counted − what the ledger said the staff member held
    (negative: cash short). The handover is recorded as counted either way; the
    difference moves to the staff member's suspense account, so their cash
    account is back to zero, and waits there for finance's decision.
    """
    d = parse(HandoverIn, data)
    key = _key(idempotency_key)
    _check_denominations(d)
    begin_write(session)
    staff = lock(session, select(Staff).where(Staff.code == d.staff))
    if staff is None:
        raise InputError.single("staff", "no such staff member", value=d.staff)
    h = content_hash(d.model_dump(mode="json"))
    cash_code = f"cash:staff:{staff.code}"
    prior = session.scalars(select(Handover).where(Handover.idempotency_key == key)).first()
    if prior is not None:
        if prior.content_hash != h:
            raise Conflict(f"idempotency key {key!r} was already used for a different handover")
        return _handover_dict(session, prior, staff, held_before=_held_before(session, prior), replayed=True)
    if d.to is not None:
        to = _depot(session, d.to, "to")
    else:
        home = session.get(Depot, staff.depot_id) if staff.depot_id else None
        to = (
            home
            if home is not None and home.kind == "store"
            else session.scalars(select(Depot).where(Depot.kind == "centre")).one()
        )
    held = balance(session, cash_code)
    row = Handover(
        idempotency_key=key,
        content_hash=h,
        staff_id=staff.id,
        on_date=d.on_date,
        to_depot_id=to.id,
        counted_fen=d.counted_fen,
        denominations=d.denominations,
        notes_returned=d.notes_returned,
        note=d.note,
        recorded_by=actor,
    )
    session.add(row)
    session.flush()
    if d.counted_fen:
        to_spec = depot_cash_spec(to)
        acc = ensure_accounts(session, [staff_cash_spec(staff), to_spec])
        post(
            session,
            kind=PostingKind.HANDOVER,
            key=f"{key}/handover",
            request_hash=h,
            value_date=d.on_date,
            legs=[(acc[to_spec["code"]], d.counted_fen), (acc[cash_code], -d.counted_fen)],
            actor=actor,
            handover_id=row.id,
            memo=f"handover by {staff.code} to {to.code}",
        )
    post_cash_difference(session, staff, row, held=held, key=key, request_hash=h, actor=actor)
    return _handover_dict(session, row, staff, held_before=held, replayed=False)


def _held_before(session: Session, h: Handover) -> int:
    """What the staff member held just before handover ``h`` (its balance less everything after)."""
    from ledger.orm import Entry, LedgerAccount, Posting

    staff = session.get(Staff, h.staff_id)
    assert staff is not None
    code = f"cash:staff:{staff.code}"
    total = balance(session, code)
    q = (
        select(Entry.amount_fen)
        .join(Posting, Posting.id == Entry.posting_id)
        .join(LedgerAccount, LedgerAccount.id == Entry.account_id)
        .where(LedgerAccount.code == code, Posting.created_at >= h.recorded_at)
    )
    return total - sum(int(a) for a in session.scalars(q))


def record_store_report(
    session: Session, data: StoreReportIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> dict[str, Any]:
    """Record a store's report of its day (stops served, cases delivered, cash collected)."""
    d = parse(StoreReportIn, data)
    key = _key(idempotency_key)
    begin_write(session)
    store = _depot(session, d.store, "store", store_only=True)
    h = content_hash(d.model_dump(mode="json"))
    prior = session.scalars(select(StoreReport).where(StoreReport.idempotency_key == key)).first()
    if prior is not None and prior.content_hash != h:
        raise Conflict(f"idempotency key {key!r} was already used for a different store report")
    row = prior or StoreReport(
        idempotency_key=key,
        content_hash=h,
        depot_id=store.id,
        on_date=d.on_date,
        stops=d.stops,
        delivered_cases=d.delivered_cases,
        cash_fen=d.cash_fen,
        note=d.note,
        recorded_by=actor,
    )
    if prior is None:
        session.add(row)
        session.flush()
    return {
        "id": row.id,
        "store": store.code,
        "date": row.on_date.isoformat(),
        "stops": row.stops,
        "delivered_cases": row.delivered_cases,
        "cash_fen": row.cash_fen,
        "replayed": prior is not None,
    }


def record_remittance(
    session: Session, data: RemittanceIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> dict[str, Any]:
    """A store pays cash in to the centre: centre cash +, store cash −."""
    d = parse(RemittanceIn, data)
    key = f"{_key(idempotency_key)}/remittance"
    begin_write(session)
    store = _depot(session, d.store, "store", store_only=True)
    h = content_hash(d.model_dump(mode="json"))
    done = existing_posting(session, key, h)
    centre = session.scalars(select(Depot).where(Depot.kind == "centre")).one()
    spec = depot_cash_spec(store)
    if done is None:
        acc = ensure_accounts(session, [spec, depot_cash_spec(centre)])
        pid = post(
            session,
            kind=PostingKind.REMITTANCE,
            key=key,
            request_hash=h,
            value_date=d.on_date,
            legs=[(acc[CENTRE_CASH], d.amount_fen), (acc[spec["code"]], -d.amount_fen)],
            actor=actor,
            memo=f"remittance from {store.code}" + (f": {d.note}" if d.note else ""),
        )
    else:
        pid = done.id
    return {
        "posting": pid,
        "store": store.code,
        "date": d.on_date.isoformat(),
        "amount_fen": d.amount_fen,
        "store_cash_fen": balance(session, spec["code"]),
        "replayed": done is not None,
    }


def record_payment(
    session: Session, data: PaymentIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> dict[str, Any]:
    """A monthly-account customer pays into the bank: bank +, receivable −."""
    d = parse(PaymentIn, data)
    key = f"{_key(idempotency_key)}/payment"
    begin_write(session)
    customer = lock(session, select(Customer).where(Customer.code == d.customer))
    if customer is None:
        raise InputError.single("customer", "no such customer", value=d.customer)
    h = content_hash(d.model_dump(mode="json"))
    done = existing_posting(session, key, h)
    spec = receivable_spec(customer)
    if done is None:
        acc = ensure_accounts(session, [spec, bank_spec()])
        pid = post(
            session,
            kind=PostingKind.PAYMENT,
            key=key,
            request_hash=h,
            value_date=d.on_date,
            legs=[(acc[BANK], d.amount_fen), (acc[spec["code"]], -d.amount_fen)],
            actor=actor,
            memo=f"payment by {customer.code}" + (f" ref {d.reference}" if d.reference else ""),
        )
    else:
        pid = done.id
    return {
        "posting": pid,
        "customer": customer.code,
        "date": d.on_date.isoformat(),
        "amount_fen": d.amount_fen,
        "receivable_fen": balance(session, spec["code"]),
        "replayed": done is not None,
    }


__all__ = ["record_handover", "record_payment", "record_remittance", "record_store_report"]
