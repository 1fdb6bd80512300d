"""Held orders for the dispatcher: reasons, age, overdue flags."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from models.db import session_scope
from models.planning import DispatchOrder, DispatchStatus
from models.settings import Settings
from optimizer.rules import hold_is_overdue


def list_holds(settings: Settings, *, today: dt.date) -> list[dict[str, Any]]:
    """Every held dispatch order; ``overdue`` when older than one cycle of its customer."""
    with session_scope(settings) as session:
        out = []
        for d in session.scalars(
            select(DispatchOrder)
            .options(selectinload(DispatchOrder.customer))
            .where(DispatchOrder.status == DispatchStatus.HELD)
            .order_by(DispatchOrder.number)
        ):
            since = d.held_since or d.delivery_date
            out.append(
                {
                    "order": d.number,
                    "customer": d.customer.code,
                    "name": d.customer.name,
                    "delivery_date": d.delivery_date.isoformat(),
                    "held_since": since.isoformat(),
                    "days": (today - since).days,
                    "cases": d.total_cases,
                    "reason": d.hold_reason,
                    "overdue": hold_is_overdue(since, today, d.customer.cycle_days),
                }
            )
        return out
