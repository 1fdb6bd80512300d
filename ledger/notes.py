"""Delivery-note and cash-receipt numbers of a plan: given once, never changed, reprints marked.

:func:`ensure_notes` gives every stop of a plan its delivery-note number
(``DN<yyyymmdd>-<nnnn>``, transfers ``TN…``, one sequence per delivery day, in
route and stop order) and each cash-on-delivery stop a receipt number from its
driver's open receipt book. Both are given **once**: printing again, a new
plan version that keeps a stop, or a stop whose outcome is already recorded
never changes or re-assigns them. :func:`mark_printed` records a print and
tells which notes had been printed before (those print "重印 / reprint").
:func:`stop_receipt` is the receipt number a stop's outcome should carry.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ledger.orm import StopOutcome
from ledger.receipts import assign_receipt_number
from models import clock
from models.enums import PaymentTerms
from models.planning import DeliveryNote, DispatchOrder, Plan, PlanRoute, PlanStop, StopKind


def _stops(session: Session, plan: Plan) -> list[tuple[PlanRoute, PlanStop]]:
    routes = session.scalars(
        select(PlanRoute)
        .options(
            selectinload(PlanRoute.stops)
            .selectinload(PlanStop.dispatch_order)
            .selectinload(DispatchOrder.customer),
            selectinload(PlanRoute.vehicle),
        )
        .where(PlanRoute.plan_id == plan.id)
        .order_by(PlanRoute.number)
    )
    return [(r, s) for r in routes for s in r.stops]


def is_cod(s: PlanStop) -> bool:
    """A delivery to a cash-on-delivery customer."""
    c = s.dispatch_order.customer if s.kind == StopKind.DELIVERY and s.dispatch_order else None
    return c is not None and c.payment_terms == PaymentTerms.CASH_ON_DELIVERY


def ensure_notes(session: Session, plan: Plan) -> dict[int, DeliveryNote]:
    """The plan's notes by stop id, creating the missing ones (numbers and receipt numbers) in ``session``."""
    stops = _stops(session, plan)
    ids = [s.id for _, s in stops]
    notes = (
        {n.stop_id: n for n in session.scalars(select(DeliveryNote).where(DeliveryNote.stop_id.in_(ids)))}
        if ids
        else {}
    )
    day = plan.delivery_date
    seq = session.scalar(select(func.max(DeliveryNote.seq)).where(DeliveryNote.delivery_date == day)) or 0
    for _, s in stops:
        if s.id not in notes:
            seq += 1
            prefix = "DN" if s.kind == StopKind.DELIVERY else "TN"
            note = DeliveryNote(
                number=f"{prefix}{day:%Y%m%d}-{seq:04d}",
                delivery_date=day,
                seq=seq,
                stop_id=s.id,
                plan_id=plan.id,
            )
            session.add(note)
            notes[s.id] = note
    done = (
        set(session.scalars(select(StopOutcome.stop_id).where(StopOutcome.stop_id.in_(ids))))
        if ids
        else set()
    )
    for r, s in stops:
        note = notes[s.id]
        driver_id = r.driver_id or r.vehicle.driver_id
        if note.receipt_number is None and s.id not in done and is_cod(s) and driver_id is not None:
            note.receipt_number = assign_receipt_number(session, staff_id=driver_id, on_date=day)
    session.flush()
    return notes


def mark_printed(session: Session, notes: Iterable[DeliveryNote]) -> set[int]:
    """Record that ``notes`` were printed now; the stop ids of those printed before (reprints)."""
    again: set[int] = set()
    at = clock.now()
    for n in notes:
        if n.printed_at is None:
            n.printed_at = at
        else:
            again.add(n.stop_id)
        n.print_count = (n.print_count or 0) + 1
    session.flush()
    return again


def stop_receipt(session: Session, stop: PlanStop) -> str | None:
    """The receipt number printed for ``stop`` (``None`` when its note has none)."""
    return session.scalar(select(DeliveryNote.receipt_number).where(DeliveryNote.stop_id == stop.id))


__all__ = ["ensure_notes", "is_cod", "mark_printed", "stop_receipt"]
