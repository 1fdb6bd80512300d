"""Carry-over: no order is left behind on a past day.

At the consolidation of day D, every earlier dispatch order that is still open
joins the customer's order of D:

* **unassigned** on its day (the fleet could not carry it) — carried to D, with
  the reason it was left out;
* **released** by the dispatcher, or confirmed but never planned — carried to D
  (a release note, the minimum waiver, travels with it);
* **planned on a day whose plan was never confirmed** — carried to D (that
  day's drafts can no longer be confirmed);
* **held** (below a minimum, over a credit limit) — merged into the customer's
  order of D when the customer orders again ("merged into that customer's next
  order"); otherwise it stays held, with its reason, in the backlog;
* the cases **emergency rationing cut** from an order that was delivered — a
  back-order merged into the customer's next order.

Each move keeps the oldest first-due date, so the backlog and the plan can say
how many days an order has waited.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.enums import OrderStatus
from models.lifecycle import transition
from models.planning import DispatchOrder, DispatchStatus, Plan, PlanStatus, PlanUnassigned
from services.day_orders import DayBook, cut_cases, merge_backorder, merge_into, sources_of

CARRIED_STATUSES = (DispatchStatus.CONFIRMED, DispatchStatus.UNASSIGNED, DispatchStatus.PLANNED)


def confirmed_days(session: Session, before: dt.date) -> set[dt.date]:
    """The delivery days before ``before`` that have a confirmed plan."""
    return set(
        session.scalars(
            select(Plan.delivery_date).where(Plan.status == PlanStatus.CONFIRMED, Plan.delivery_date < before)
        )
    )


def unassigned_reason(session: Session, d: DispatchOrder) -> str | None:
    """Why the order's day left it out (its confirmed plan's reason, else the latest version's)."""
    row = session.scalars(
        select(PlanUnassigned)
        .join(Plan, Plan.id == PlanUnassigned.plan_id)
        .where(PlanUnassigned.dispatch_order_id == d.id)
        .order_by((Plan.status == PlanStatus.CONFIRMED).desc(), Plan.version.desc())
    ).first()
    return row.reason if row else None


def carry_reason(session: Session, d: DispatchOrder, confirmed: set[dt.date]) -> str | None:
    """Why ``d`` (of an earlier day) is carried to the next day, or ``None`` when it stays where it is."""
    day = d.delivery_date.isoformat()
    if d.status == DispatchStatus.UNASSIGNED:
        why = unassigned_reason(session, d)
        return f"unassigned on {day}" + (f" ({why})" if why else "")
    if d.status == DispatchStatus.CONFIRMED:
        if d.release_note:
            return f"hold released on {day} ({d.release_note})"
        return f"not planned on {day}"
    if d.status == DispatchStatus.PLANNED and d.delivery_date not in confirmed:
        return f"planned on {day}, but that day's plan was never confirmed"
    return None


def carry_over(session: Session, book: DayBook, *, actor: str) -> list[dict[str, Any]]:
    """Carry every open dispatch order of an earlier day into ``book``'s day; what was carried, and why."""
    confirmed = confirmed_days(session, book.day)
    earlier = session.scalars(
        select(DispatchOrder)
        .options(selectinload(DispatchOrder.lines))
        .where(DispatchOrder.delivery_date < book.day, DispatchOrder.status.in_(CARRIED_STATUSES))
        .order_by(DispatchOrder.delivery_date, DispatchOrder.number)
    ).all()
    out = []
    for e in earlier:
        why = carry_reason(session, e, confirmed)
        if why is None:
            continue
        into = book.order_for(e.customer_id)
        moved = merge_into(session, e, into, why=f"carried over: {why}", actor=actor, kind="carried")
        for src in sources_of(session, into):
            if src.status in (OrderStatus.ASSIGNED, OrderStatus.PLANNED):
                transition(src, OrderStatus.CONFIRMED, f"carried to {book.day.isoformat()}: {why}", actor)
        out.append(
            {
                "order": e.number,
                "into": into.number,
                "from": e.delivery_date.isoformat(),
                "cases": sum(moved.values()),
                "reason": why,
            }
        )
    return out


def merge_earlier_holds(session: Session, book: DayBook, *, actor: str) -> list[dict[str, Any]]:
    """Merge each touched customer's earlier held orders into their order of the day."""
    if not book.touched:
        return []
    held = session.scalars(
        select(DispatchOrder)
        .options(selectinload(DispatchOrder.lines))
        .where(
            DispatchOrder.status == DispatchStatus.HELD,
            DispatchOrder.delivery_date < book.day,
            DispatchOrder.customer_id.in_(list(book.touched)),
        )
        .order_by(DispatchOrder.delivery_date, DispatchOrder.number)
    ).all()
    out = []
    for h in held:
        into = book.touched[h.customer_id]
        why = f"held since {h.due_since.isoformat()} ({h.hold_reason or 'held'})"
        moved = merge_into(session, h, into, why=why, actor=actor, kind="merged_hold")
        out.append({"order": h.number, "into": into.number, "cases": sum(moved.values()), "reason": why})
    return out


def merge_backorders(session: Session, book: DayBook, *, actor: str) -> list[dict[str, Any]]:
    """Merge the cases rationing cut from each touched customer's earlier delivered orders."""
    if not book.touched:
        return []
    confirmed = confirmed_days(session, book.day)
    rationed = session.scalars(
        select(DispatchOrder)
        .options(selectinload(DispatchOrder.lines))
        .where(
            DispatchOrder.rationed.is_(True),
            DispatchOrder.backorder_into_id.is_(None),
            DispatchOrder.delivery_date < book.day,
            DispatchOrder.status.in_([DispatchStatus.PLANNED, DispatchStatus.DELIVERED]),
            DispatchOrder.customer_id.in_(list(book.touched)),
        )
        .order_by(DispatchOrder.delivery_date, DispatchOrder.number)
    ).all()
    out = []
    for r in rationed:
        if r.delivery_date not in confirmed or not cut_cases(r):
            continue
        into = book.touched[r.customer_id]
        cut = merge_backorder(session, r, into, actor=actor)
        out.append({"order": r.number, "into": into.number, "cases": sum(cut.values())})
    return out


__all__ = [
    "carry_over",
    "carry_reason",
    "confirmed_days",
    "merge_backorders",
    "merge_earlier_holds",
    "unassigned_reason",
]
