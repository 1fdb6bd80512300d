"""The backlog: every open order whose delivery day has passed, with its state, reason and age.

Nothing may be left behind silently on a past day. An order whose day is
before ``as_of`` (default: today) and that is not finished — delivered, short,
refused (an outcome is recorded), or merged into a later order — is one of:

=============  ==================================================================
state          meaning
=============  ==================================================================
``held``       held with its reason (below a minimum, over a credit limit…);
               merged into the customer's next order, or released
``unassigned`` left out of its day's plan (capacity, time…); carried into the
               next day's consolidation
``unconfirmed``planned on a day whose plan was never confirmed; carried too
``no_outcome`` on the day's confirmed plan, but no stop outcome recorded
``backorder``  cases emergency rationing cut; merged into the customer's next
               order
``received``   received but not consolidated (e.g. after the cut-off)
=============  ==================================================================

``age_days`` counts from the first day any of the order's content was due.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import asdict, dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ledger.orm import StopOutcome
from models import clock
from models.enums import OrderStatus
from models.orm import Customer, Order
from models.planning import DispatchOrder, DispatchStatus, Plan, PlanRoute, PlanStatus, PlanStop
from services.carry_over import confirmed_days, unassigned_reason
from services.day_orders import cut_cases

STATES = ("held", "unassigned", "unconfirmed", "no_outcome", "backorder", "received")


@dataclass(frozen=True)
class BacklogEntry:
    """One open order of a past day."""

    order: str
    customer: str
    township: str
    delivery_date: str
    due_since: str
    age_days: int
    state: str
    reason: str
    cases: int


@dataclass(frozen=True)
class Backlog:
    as_of: str
    orders: tuple[BacklogEntry, ...]

    @property
    def counts(self) -> dict[str, int]:
        c = Counter(e.state for e in self.orders)
        return {s: c[s] for s in STATES if c[s]}

    def as_dict(self) -> dict[str, object]:
        return {
            "as_of": self.as_of,
            "open": len(self.orders),
            "cases": sum(e.cases for e in self.orders),
            "counts": self.counts,
            "orders": [asdict(e) for e in self.orders],
        }


def backlog(session: Session, as_of: dt.date | None = None) -> Backlog:
    """Every open order of a day before ``as_of`` (default: today), oldest first."""
    day = as_of or clock.today()
    confirmed = confirmed_days(session, day)
    entries = [*_dispatch_entries(session, day, confirmed), *_received_entries(session, day)]
    entries.sort(key=lambda e: (-e.age_days, e.order))
    return Backlog(day.isoformat(), tuple(entries))


def _entry(d: DispatchOrder, as_of: dt.date, state: str, reason: str, cases: int) -> BacklogEntry:
    c = d.customer
    return BacklogEntry(
        order=d.number,
        customer=c.code,
        township=c.township.name_zh,
        delivery_date=d.delivery_date.isoformat(),
        due_since=d.due_since.isoformat(),
        age_days=(as_of - d.due_since).days,
        state=state,
        reason=reason,
        cases=cases,
    )


def _dispatch_entries(session: Session, as_of: dt.date, confirmed: set[dt.date]) -> list[BacklogEntry]:
    rows = session.scalars(
        select(DispatchOrder)
        .options(
            selectinload(DispatchOrder.lines),
            selectinload(DispatchOrder.customer).selectinload(Customer.township),
        )
        .where(
            DispatchOrder.delivery_date < as_of,
            DispatchOrder.status.in_(
                [
                    DispatchStatus.HELD,
                    DispatchStatus.CONFIRMED,
                    DispatchStatus.UNASSIGNED,
                    DispatchStatus.PLANNED,
                    DispatchStatus.DELIVERED,
                ]
            ),
        )
        .order_by(DispatchOrder.delivery_date, DispatchOrder.number)
    ).all()
    stops = _confirmed_stops(session, [d.id for d in rows])
    out = []
    for d in rows:
        day = d.delivery_date.isoformat()
        ordered = sum(ln.ordered_cases for ln in d.lines)
        if d.status == DispatchStatus.HELD:
            out.append(_entry(d, as_of, "held", d.hold_reason or "held", ordered))
        elif d.status in (DispatchStatus.CONFIRMED, DispatchStatus.UNASSIGNED):
            why = unassigned_reason(session, d)
            why = f"unassigned on {day} ({why})" if why else f"not planned on {day}"
            out.append(_entry(d, as_of, "unassigned", f"{why}; carried to the next delivery day", ordered))
        elif d.status == DispatchStatus.PLANNED and d.delivery_date not in confirmed:
            out.append(_entry(d, as_of, "unconfirmed", f"the plan of {day} was never confirmed", ordered))
        elif d.status == DispatchStatus.PLANNED and d.id in stops and not stops[d.id][1]:
            out.append(
                _entry(
                    d, as_of, "no_outcome", f"on route {stops[d.id][0]}; no outcome recorded", d.total_cases
                )
            )
        if d.rationed and d.backorder_into_id is None and d.delivery_date in confirmed:
            cut = sum(cut_cases(d).values())
            if cut and d.status in (DispatchStatus.PLANNED, DispatchStatus.DELIVERED):
                why = f"{cut} cases cut by emergency rationing on {day}; waits for the customer's next order"
                out.append(_entry(d, as_of, "backorder", why, cut))
    return out


def _confirmed_stops(session: Session, ids: list[int]) -> dict[int, tuple[str, bool]]:
    """Per dispatch order on a confirmed plan: (route code and stop, whether an outcome is recorded)."""
    if not ids:
        return {}
    rows = session.execute(
        select(PlanStop.dispatch_order_id, PlanRoute.code, PlanStop.seq, PlanStop.id)
        .join(PlanRoute, PlanRoute.id == PlanStop.route_id)
        .join(Plan, Plan.id == PlanStop.plan_id)
        .where(Plan.status == PlanStatus.CONFIRMED, PlanStop.dispatch_order_id.in_(ids))
    ).all()
    done = set(
        session.scalars(select(StopOutcome.stop_id).where(StopOutcome.stop_id.in_([r[3] for r in rows])))
    )
    return {int(d or 0): (f"{code} stop {seq}", sid in done) for d, code, seq, sid in rows}


def _received_entries(session: Session, as_of: dt.date) -> list[BacklogEntry]:
    rows = session.scalars(
        select(Order)
        .options(selectinload(Order.lines), selectinload(Order.customer).selectinload(Customer.township))
        .where(Order.status == OrderStatus.RECEIVED, Order.delivery_date < as_of)
        .order_by(Order.delivery_date, Order.number)
    ).all()
    return [
        BacklogEntry(
            order=o.number,
            customer=o.customer.code,
            township=o.customer.township.name_zh,
            delivery_date=o.delivery_date.isoformat(),
            due_since=o.delivery_date.isoformat(),
            age_days=(as_of - o.delivery_date).days,
            state="received",
            reason=f"received {clock.local_day(o.received_at).isoformat()}, not consolidated yet "
            "(after its day's cut-off, or its day was never planned); the next plan takes it",
            cases=sum(ln.cases for ln in o.lines),
        )
        for o in rows
    ]


__all__ = ["STATES", "Backlog", "BacklogEntry", "backlog"]
