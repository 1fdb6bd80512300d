"""Days of cover: how long each depot's free stock of each product lasts at its recent demand.

A store's demand is what the customers of its territory (its township)
ordered over the last ``days`` days (the orders it may serve); the centre's is what the
whole county ordered, since it supplies the stores as well. Days of cover =
free cases (on hand − reserved) ÷ average cases per day, one decimal; none
when nothing was ordered. A product below its safety stock is marked, as is
one with under ``warn_days`` of cover.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models import clock
from models.enums import DepotKind, OrderStatus
from models.errors import InputError
from models.orm import Customer, Depot, DepotStock, Order, OrderLine, Product
from optimizer.rules import DepotRule, in_territory

_NOT_DEMAND = (OrderStatus.MERGED, OrderStatus.CANCELLED, OrderStatus.REFUSED)


def stock_cover(
    session: Session,
    as_of: dt.date | None = None,
    *,
    days: int = 30,
    warn_days: float = 3.0,
    depot_id: int | None = None,
) -> dict[str, Any]:
    """Per depot and product: on hand, reserved, free, safety stock, cases per day, days of cover.

    ``depot_id`` limits the report to one depot (a store manager's own store).
    """
    if days < 1 or days > 366:
        raise InputError.single("days", "must be between 1 and 366", value=str(days))
    if as_of is None:
        as_of = session.scalar(select(func.max(Order.delivery_date))) or clock.today()
    if as_of.year < 2000:
        raise InputError.single("as_of", "must be in the year 2000 or later", value=as_of.isoformat())
    first = as_of - dt.timedelta(days=days - 1)
    ordered = session.execute(
        select(Order.customer_id, OrderLine.product_id, func.sum(OrderLine.cases))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(Order.delivery_date >= first, Order.delivery_date <= as_of, Order.status.not_in(_NOT_DEMAND))
        .group_by(Order.customer_id, OrderLine.product_id)
    ).all()
    by_customer: dict[int, dict[int, int]] = defaultdict(dict)
    for customer_id, product_id, cases in ordered:
        by_customer[customer_id][product_id] = int(cases)
    where = {
        c.id: (c.township.code, c.lat, c.lon)
        for c in session.scalars(
            select(Customer).options(selectinload(Customer.township)).where(Customer.id.in_(list(by_customer)))
        )
    }
    products = {p.id: p for p in session.scalars(select(Product))}
    q = (
        select(Depot)
        .options(selectinload(Depot.stock), selectinload(Depot.township))
        .order_by(Depot.kind, Depot.code)
    )
    depots = session.scalars(q if depot_id is None else q.where(Depot.id == depot_id)).all()
    out = []
    for d in depots:
        rule = DepotRule(d.code, d.kind.value, d.name_zh, d.township.code, d.lat, d.lon, d.min_order_cases,
                         d.service_radius_m)
        served = list(by_customer) if d.kind == DepotKind.CENTRE else [
            cid for cid, (town, lat, lon) in where.items() if in_territory(rule, town, lat, lon)
        ]
        demand: dict[int, int] = defaultdict(int)
        for cid in served:
            for pid, cases in by_customer[cid].items():
                demand[pid] += cases
        lines = [_line(s, products[s.product_id], demand.get(s.product_id, 0), days, warn_days)
                 for s in sorted(d.stock, key=lambda s: products[s.product_id].code)]
        out.append({"depot": d.code, "name": d.name_zh, "kind": d.kind.value, "customers": len(served),
                    "products": lines})
    return {"as_of": as_of.isoformat(), "days": days, "first": first.isoformat(), "depots": out}


def _line(s: DepotStock, p: Product, ordered: int, days: int, warn_days: float) -> dict[str, Any]:
    free = s.on_hand_cases - s.reserved_cases
    per_day = ordered / days
    cover = None if ordered == 0 else round(max(0, free) / per_day, 1)
    return {
        "product": p.code,
        "on_hand": s.on_hand_cases,
        "reserved": s.reserved_cases,
        "free": free,
        "safety": s.safety_cases,
        "cases_per_day": round(per_day, 2),
        "days_of_cover": cover,
        "below_safety": free < s.safety_cases,
        "low": cover is not None and cover < warn_days,
    }
