"""Numbered cash-receipt books: issue them, hand out numbers once, record voids, find gaps.

A *book* is a pad of consecutively numbered receipts issued to a driver (or
store staff member) or to a store. Numbers are global (two books never
overlap) and printed as eight digits (``00001234``). A number is *assigned*
when a delivery note is printed for a cash-on-delivery stop
(:func:`assign_receipt_number`; never handed out twice), *used* when a stop's
outcome records it, and *voided* when spoilt (:func:`void_receipt`).
Reconciliation flags gaps (numbers skipped) and reuse (one number on two stops).
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from ledger.orm import ReceiptBook, ReceiptEvent, ReceiptEventKind, StopOutcome
from ledger.tx import begin_write, dialect, lock
from models import clock
from models.errors import Conflict, InputError, NotFound
from models.orm import Depot, Staff

WIDTH = 8
MAX_NUMBER = 10**WIDTH - 1
_NUMBER = re.compile(r"^(?:no\.?\s*)?(\d{1,8})$", re.IGNORECASE)


def format_number(n: int) -> str:
    """A receipt number as printed: eight digits."""
    return f"{n:0{WIDTH}d}"


def parse_number(text_: str) -> int:
    """``"00001234"``, ``"1234"`` or ``"No. 1234"`` → 1234; anything else is an input error."""
    m = _NUMBER.match(str(text_).strip())
    if not m or int(m.group(1)) == 0:
        raise InputError.single("receipt_number", "must be a receipt number of up to 8 digits", value=text_)
    return int(m.group(1))


def holder_books(session: Session, staff: Staff, on_date: dt.date) -> list[ReceiptBook]:
    """The staff member's own books, then their store's, oldest first."""
    own = select(ReceiptBook).where(ReceiptBook.staff_id == staff.id, ReceiptBook.issued_on <= on_date)
    books = list(session.scalars(own.order_by(ReceiptBook.first_number)))
    depot = session.get(Depot, staff.depot_id) if staff.depot_id else None
    if depot is not None and depot.kind == "store":
        store = select(ReceiptBook).where(ReceiptBook.depot_id == depot.id, ReceiptBook.issued_on <= on_date)
        books += list(session.scalars(store.order_by(ReceiptBook.first_number)))
    return books


def _highest_taken(session: Session, book: ReceiptBook) -> int:
    """The highest number of the book assigned, voided or written on an outcome (first − 1 if none)."""
    ev = session.scalar(select(func.max(ReceiptEvent.number)).where(ReceiptEvent.book_id == book.id)) or 0
    lo, hi = format_number(book.first_number), format_number(book.last_number)
    used = session.scalar(
        select(func.max(StopOutcome.receipt_number)).where(
            StopOutcome.receipt_number >= lo, StopOutcome.receipt_number <= hi
        )
    )
    return max(book.first_number - 1, ev, int(used) if used else 0)


def assign_receipt_number(
    session: Session, *, staff_id: int, on_date: dt.date, actor: str = "system"
) -> str | None:
    """The next unused number of the staff member's open book, recorded so it is never handed out again.

    Looks in the staff member's own books first, then in their store's books
    (store staff). Returns ``None`` when no open book has a number left. Runs
    inside the caller's transaction; concurrent callers queue on the book
    (row lock on PostgreSQL, the write lock on SQLite).
    """
    begin_write(session)
    staff = session.get(Staff, staff_id)
    if staff is None:
        raise NotFound("staff", staff_id)
    for book in holder_books(session, staff, on_date):
        lock(session, select(ReceiptBook).where(ReceiptBook.id == book.id))
        n = _highest_taken(session, book) + 1
        if n > book.last_number:
            continue
        session.add(
            ReceiptEvent(
                book_id=book.id,
                number=n,
                kind=ReceiptEventKind.ASSIGNED,
                on_date=on_date,
                actor=actor,
                reason=f"assigned to {staff.code}",
            )
        )
        session.flush()
        return format_number(n)
    return None


def book_of(session: Session, number: int) -> ReceiptBook | None:
    """The book a number belongs to, if any."""
    q = select(ReceiptBook).where(ReceiptBook.first_number <= number, ReceiptBook.last_number >= number)
    return session.scalars(q).first()


def issue_book(
    session: Session,
    *,
    first: int,
    last: int,
    staff_code: str | None = None,
    store_code: str | None = None,
    on_date: dt.date | None = None,
    actor: str = "system",
    note: str = "",
) -> dict[str, Any]:
    """Issue a receipt book (numbers ``first``..``last``) to a staff member or a store.

    Refuses a range that overlaps an existing book, or a holder that does not exist.
    """
    if (staff_code is None) == (store_code is None):
        raise InputError.single("holder", "give exactly one of a staff code or a store code")
    for name, v in (("first", first), ("last", last)):
        if isinstance(v, bool) or not isinstance(v, int) or not 0 < v <= MAX_NUMBER:
            raise InputError.single(name, f"must be a whole number from 1 to {MAX_NUMBER}", value=v)
    if last < first:
        raise InputError.single("last", "must not be below first", value=last)
    if last - first >= 100000:
        raise InputError.single("last", "a book holds at most 100,000 receipts", value=last)
    begin_write(session)
    if dialect(session) == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtext('receipt_books'))"))
    staff = depot = None
    if staff_code is not None:
        staff = session.scalars(select(Staff).where(Staff.code == staff_code)).first()
        if staff is None:
            raise InputError.single("staff", "no such staff member", value=staff_code)
    else:
        depot = session.scalars(select(Depot).where(Depot.code == store_code)).first()
        if depot is None or depot.kind != "store":
            raise InputError.single("store", "no such store", value=store_code)
    clash = session.scalars(
        select(ReceiptBook).where(ReceiptBook.first_number <= last, ReceiptBook.last_number >= first)
    ).first()
    if clash is not None:
        raise Conflict(
            f"numbers {format_number(first)}–{format_number(last)} overlap book {clash.id} "
            f"({format_number(clash.first_number)}–{format_number(clash.last_number)})"
        )
    book = ReceiptBook(
        staff_id=staff.id if staff else None,
        depot_id=depot.id if depot else None,
        first_number=first,
        last_number=last,
        issued_on=on_date or clock.today(),
        issued_by=actor,
        note=note,
    )
    session.add(book)
    session.flush()
    return _book_dict(session, book)


def void_receipt(
    session: Session, number: str, *, reason: str, on_date: dt.date, actor: str = "system"
) -> dict[str, Any]:
    """Record a spoilt or cancelled receipt so that it is not reported as a gap."""
    if not reason.strip():
        raise InputError.single("reason", "a void needs a reason")
    n = parse_number(number)
    begin_write(session)
    book = book_of(session, n)
    if book is None:
        raise InputError.single("receipt_number", "not in any issued book", value=number)
    if session.scalars(
        select(ReceiptEvent).where(ReceiptEvent.number == n, ReceiptEvent.kind == ReceiptEventKind.VOID)
    ).first():
        return {"number": format_number(n), "book": book.id, "voided": True, "replayed": True}
    used = session.scalars(select(StopOutcome).where(StopOutcome.receipt_number == format_number(n))).first()
    if used is not None:
        raise Conflict(
            f"receipt {format_number(n)} is written on an outcome (#{used.id}); correct that outcome"
        )
    session.add(
        ReceiptEvent(
            book_id=book.id, number=n, kind=ReceiptEventKind.VOID, on_date=on_date, reason=reason, actor=actor
        )
    )
    session.flush()
    return {"number": format_number(n), "book": book.id, "voided": True, "replayed": False}


def _book_dict(session: Session, book: ReceiptBook) -> dict[str, Any]:
    who = session.get(Staff, book.staff_id) if book.staff_id else session.get(Depot, book.depot_id)
    holder = who.code if who is not None else "?"
    counts = dict(
        session.execute(
            select(ReceiptEvent.kind, func.count())
            .where(ReceiptEvent.book_id == book.id)
            .group_by(ReceiptEvent.kind)
        ).all()
    )
    lo, hi = format_number(book.first_number), format_number(book.last_number)
    used = (
        session.scalar(
            select(func.count(func.distinct(StopOutcome.receipt_number))).where(
                StopOutcome.receipt_number >= lo, StopOutcome.receipt_number <= hi
            )
        )
        or 0
    )
    taken = _highest_taken(session, book)
    return {
        "id": book.id,
        "holder": holder,
        "holder_kind": "staff" if book.staff_id else "store",
        "first": lo,
        "last": hi,
        "size": book.last_number - book.first_number + 1,
        "issued_on": book.issued_on.isoformat(),
        "issued_by": book.issued_by,
        "assigned": int(counts.get(ReceiptEventKind.ASSIGNED, 0)),
        "used": int(used),
        "voided": int(counts.get(ReceiptEventKind.VOID, 0)),
        "remaining": book.last_number - taken,
        "next": format_number(taken + 1) if taken < book.last_number else None,
    }


def list_books(session: Session, *, holder: str | None = None) -> list[dict[str, Any]]:
    """Every book (or a staff member's / store's), with how many numbers are assigned, used, voided, left."""
    q = select(ReceiptBook).order_by(ReceiptBook.first_number)
    if holder is not None:
        q = q.outerjoin(Staff, Staff.id == ReceiptBook.staff_id).outerjoin(
            Depot, Depot.id == ReceiptBook.depot_id
        )
        q = q.where(or_(Staff.code == holder, Depot.code == holder))
    return [_book_dict(session, b) for b in session.scalars(q)]


__all__ = [
    "assign_receipt_number",
    "book_of",
    "format_number",
    "issue_book",
    "list_books",
    "parse_number",
    "void_receipt",
]
