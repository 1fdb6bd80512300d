"""The day's consolidated orders: find or create a customer's dispatch order, add lines, merge earlier ones.

A *dispatch order* (``CO<yyyymmdd><nnnn>``) is one customer's order for one
delivery day. :class:`DayBook` holds the day's dispatch orders while a
consolidation runs; :func:`merge_into` moves an earlier dispatch order's cases
(a held order, an unassigned or released one carried over, or the cases a
rationed order was cut by) into the customer's order of the day, so that no
case is ever lost between days and every move is in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.lifecycle import note
from models.orm import Order, Product
from models.planning import Consolidation, DispatchOrder, DispatchOrderLine, DispatchStatus

NUMBER_PREFIX = "CO"


def next_number(session: Session, day: dt.date) -> int:
    """The next free sequence number of ``CO<yyyymmdd><nnnn>`` for ``day``.

    Only numbers of exactly that shape count (prefix, then digits): a number of
    another shape that happens to share the prefix (an import's, a test's, a
    future format's) can neither break nor shift the sequence. Past 9999 the
    sequence simply grows a digit.
    """
    prefix = f"{NUMBER_PREFIX}{day:%Y%m%d}"
    taken = session.scalars(select(DispatchOrder.number).where(DispatchOrder.number.like(f"{prefix}%")))
    seqs = [int(n[len(prefix) :]) for n in taken if n[len(prefix) :].isdigit()]
    return max(seqs, default=0) + 1


def add_cases(d: DispatchOrder, product_id: int, cases: int, price_fen: int) -> DispatchOrderLine:
    """Add ``cases`` of a product to ``d`` (a new line, or more on its line); the line is un-rationed."""
    line = next((ln for ln in d.lines if ln.product_id == product_id), None)
    if line is None:
        line = DispatchOrderLine(product_id=product_id, ordered_cases=cases, cases=cases, price_fen=price_fen)
        d.lines.append(line)
    else:
        line.ordered_cases += cases
        line.cases = line.ordered_cases
    return line


def add_flag(d: DispatchOrder, kind: str, text: str, **extra: Any) -> None:
    d.flags = [*(d.flags or []), {"kind": kind, "text": text, **extra}]


@dataclass
class DayBook:
    """The dispatch orders of one delivery day, by customer, while a consolidation runs."""

    session: Session
    day: dt.date
    consolidation: Consolidation
    products: Mapping[int, Product]
    by_customer: dict[int, DispatchOrder] = field(default_factory=dict)
    touched: dict[int, DispatchOrder] = field(default_factory=dict)
    _seq: int | None = None

    def __post_init__(self) -> None:
        for d in self.session.scalars(
            select(DispatchOrder)
            .options(selectinload(DispatchOrder.lines))
            .where(DispatchOrder.delivery_date == self.day)
        ):
            self.by_customer[d.customer_id] = d

    def order_for(self, customer_id: int) -> DispatchOrder:
        """The customer's dispatch order of the day, created (numbered, confirmed, empty) if none."""
        d = self.by_customer.get(customer_id)
        if d is None:
            if self._seq is None:
                self._seq = next_number(self.session, self.day)
            d = DispatchOrder(
                number=f"{NUMBER_PREFIX}{self.day:%Y%m%d}{self._seq:04d}",
                delivery_date=self.day,
                first_due_date=self.day,
                customer_id=customer_id,
                consolidation_id=self.consolidation.id,
                status=DispatchStatus.CONFIRMED,
                flags=[],
            )
            self._seq += 1
            self.session.add(d)
            self.session.flush()
            self.by_customer[customer_id] = d
        self.touched[customer_id] = d
        return d


def sources_of(session: Session, d: DispatchOrder) -> list[Order]:
    """The source orders consolidated into ``d``."""
    return list(session.scalars(select(Order).where(Order.dispatch_order_id == d.id).order_by(Order.id)))


def merge_into(
    session: Session,
    earlier: DispatchOrder,
    into: DispatchOrder,
    *,
    why: str,
    actor: str,
    kind: str,
) -> dict[int, int]:
    """Move all of ``earlier`` (its ordered cases and its source orders) into ``into``.

    ``earlier`` ends ``merged`` and points at ``into``; ``into`` keeps the older
    first-due date, and a dispatcher's release note (the minimum waiver) travels
    with the cases. Returns the cases moved per product id.
    """
    moved: dict[int, int] = {}
    for ln in earlier.lines:
        add_cases(into, ln.product_id, ln.ordered_cases, ln.price_fen)
        moved[ln.product_id] = moved.get(ln.product_id, 0) + ln.ordered_cases
    for src in sources_of(session, earlier):
        src.dispatch_order_id = into.id
        note(src, f"{why}: {earlier.number} merged into {into.number}", actor)
    earlier.status = DispatchStatus.MERGED
    earlier.merged_into_id = into.id
    into.first_due_date = min(into.due_since, earlier.due_since)
    if earlier.release_note and not into.release_note:
        into.release_note = earlier.release_note
    if earlier.pinned_depot_id and not into.pinned_depot_id:
        into.pinned_depot_id = earlier.pinned_depot_id
    add_flag(
        into,
        kind,
        f"{why}: {earlier.number} ({sum(moved.values())} cases) merged into this order",
        order=earlier.number,
    )
    return moved


def cut_cases(d: DispatchOrder) -> dict[int, int]:
    """Cases per product id that rationing cut from ``d`` (ordered minus allotted)."""
    return {ln.product_id: ln.ordered_cases - ln.cases for ln in d.lines if ln.ordered_cases > ln.cases}


def merge_backorder(
    session: Session, rationed: DispatchOrder, into: DispatchOrder, *, actor: str
) -> dict[int, int]:
    """Add the cases rationing cut from ``rationed`` to ``into`` (the customer's next order)."""
    cut = cut_cases(rationed)
    for pid, cases in cut.items():
        line = next(ln for ln in rationed.lines if ln.product_id == pid)
        add_cases(into, pid, cases, line.price_fen)
    rationed.backorder_into_id = into.id
    into.first_due_date = min(into.due_since, rationed.due_since)
    add_flag(
        into,
        "backorder",
        f"back-order of {rationed.number}: {sum(cut.values())} cases cut by rationing on "
        f"{rationed.delivery_date.isoformat()} merged into this order",
        order=rationed.number,
    )
    for src in sources_of(session, rationed):
        note(src, f"{sum(cut.values())} cases cut by rationing back-ordered into {into.number}", actor)
    return cut


__all__ = [
    "DayBook",
    "add_cases",
    "add_flag",
    "cut_cases",
    "merge_backorder",
    "merge_into",
    "next_number",
    "sources_of",
]
