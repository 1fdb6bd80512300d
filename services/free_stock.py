"""Free stock for planning a day: on hand minus reserved, not counting the day's own reservation.

When a day that already has a confirmed plan is planned again, the stock that
plan reserved is free for the new version (confirming the new version releases
the old reservation), so it is added back; otherwise the day would compete
with itself for its own stock.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.enums import DepotKind
from models.orm import Depot, DepotStock, Product, Township
from models.planning import Plan, PlanStatus, StockMovement


@dataclass(frozen=True)
class FreeStock:
    """One depot's free cases of one product."""

    depot_code: str
    depot_kind: str
    township: str  # the depot's township name (zh)
    product_code: str
    product_id: int
    cases: int


def reserved_by_day(session: Session, day: dt.date) -> dict[tuple[int, int], int]:
    """Cases still reserved by the confirmed plan of ``day``, per (depot id, product id)."""
    plan_id = session.scalar(
        select(Plan.id).where(Plan.delivery_date == day, Plan.status == PlanStatus.CONFIRMED)
    )
    if plan_id is None:
        return {}
    rows = session.execute(
        select(StockMovement.depot_id, StockMovement.product_id, func.sum(StockMovement.reserved_delta))
        .where(StockMovement.plan_id == plan_id)
        .group_by(StockMovement.depot_id, StockMovement.product_id)
    ).all()
    return {(int(d), int(p)): max(0, int(n or 0)) for d, p, n in rows}


def free_stock_rows(session: Session, day: dt.date | None = None) -> list[FreeStock]:
    """Every depot's free stock per product; with ``day``, that day's own reservation counts as free."""
    own = reserved_by_day(session, day) if day is not None else {}
    rows = session.execute(
        select(
            DepotStock.depot_id,
            Depot.code,
            Depot.kind,
            Township.name_zh,
            Product.code,
            DepotStock.product_id,
            DepotStock.on_hand_cases - DepotStock.reserved_cases,
        )
        .join(Depot, DepotStock.depot_id == Depot.id)
        .join(Township, Depot.township_id == Township.id)
        .join(Product, DepotStock.product_id == Product.id)
    ).all()
    return [
        FreeStock(code, DepotKind(kind).value, town, pcode, pid, int(free or 0) + own.get((did, pid), 0))
        for did, code, kind, town, pcode, pid, free in rows
    ]


def free_by_depot(session: Session, day: dt.date | None = None) -> dict[str, dict[str, int]]:
    """Free cases per depot code and product code."""
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for r in free_stock_rows(session, day):
        out[r.depot_code][r.product_code] = r.cases
    return dict(out)


__all__ = ["FreeStock", "free_by_depot", "free_stock_rows", "reserved_by_day"]
