"""The half-monthly cycle over the horizon: which day each village is served.

Clusters are villages, market-town centres and the four quarters of the
county town; each carries the expected kg and stops of one visit (from its
customers' order history). The 24-hour customers are planned every day, so
their average daily load is the base of every day; the customers of a
township with a store are the store's (its territory) and are left out of the
centre's cycle. ``optimizer.periodic`` gives each cluster a day so that each
day fits the centre fleet and each township is visited on as few days as possible; ``apply`` writes the result
to the customers' cycle offsets.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from models import clock
from models.calendar import offset_for
from models.db import session_scope
from models.enums import CustomerStatus, OrderStatus
from models.orm import Customer, Order, OrderLine, Product
from models.settings import Settings
from optimizer.periodic import Cluster, horizon_table, plan_cycle
from optimizer.rules import in_territory
from services.plan_build import fleet_of, load_register

STOPS_PER_VEHICLE_DAY = 35
DEFAULT_VISIT_KG = 90


def _quarter(c: Customer) -> str:
    t = c.township
    return ("N" if c.lat >= t.lat else "S") + ("E" if c.lon >= t.lon else "W")


def cluster_of(c: Customer) -> str:
    """The cluster id of a customer: township:village, township:centre, or county-town quarter."""
    if c.township.is_county_town:
        return f"{c.township.code}:{_quarter(c)}"
    return f"{c.township.code}:{c.village or 'centre'}"


def cycle_plan(
    settings: Settings,
    *,
    days: int = 15,
    fleet: str = "today",
    start: dt.date | None = None,
    apply: bool = False,
) -> dict[str, Any]:
    with session_scope(settings) as session:
        register = load_register(session)
        centre = [v for v in fleet_of(register, fleet) if v.depot_kind == "centre"]
        capacity = sum(v.capacity_kg for v in centre)
        customers = session.scalars(
            select(Customer)
            .options(selectinload(Customer.township))
            .where(Customer.status == CustomerStatus.ACTIVE)
        ).all()
        per_order = (
            select(
                Order.customer_id, Order.id, func.sum(OrderLine.cases * Product.case_weight_kg).label("kg")
            )
            .join(OrderLine, OrderLine.order_id == Order.id)
            .join(Product, Product.id == OrderLine.product_id)
            .where(Order.status.in_([OrderStatus.SETTLED, OrderStatus.DELIVERED, OrderStatus.SHORT]))
            .group_by(Order.customer_id, Order.id)
            .subquery()
        )
        stats = {
            int(c): (float(avg), int(n), int(total))
            for c, avg, n, total in session.execute(
                select(
                    per_order.c.customer_id, func.avg(per_order.c.kg), func.count(), func.sum(per_order.c.kg)
                ).group_by(per_order.c.customer_id)
            )
        }
        span = session.execute(
            select(func.min(Order.delivery_date), func.max(Order.delivery_date)).where(
                Order.status.in_([OrderStatus.SETTLED, OrderStatus.DELIVERED])
            )
        ).one()
        history_days = max(1, (span[1] - span[0]).days + 1) if span[0] else 1
        start = start or (span[1] + dt.timedelta(days=1) if span[1] else clock.today())
        load: dict[str, int] = defaultdict(int)
        stops: dict[str, int] = defaultdict(int)
        township: dict[str, str] = {}
        members: dict[str, list[Customer]] = defaultdict(list)
        base_kg = base_stops = 0.0
        stores = [d for d in register.depots if d.kind == "store"]
        store_served = 0
        cycles = max(1.0, history_days / 15)
        for c in customers:
            avg, n, total = stats.get(c.id, (DEFAULT_VISIT_KG, 0, 0))
            if c.service_24h:
                base_kg += total / history_days
                base_stops += n / history_days
                continue
            if any(in_territory(d.rule(), c.township.code, c.lat, c.lon) for d in stores):
                store_served += 1  # the township store serves its township ("near, quick, emergency")
                continue
            share = min(1.0, n / cycles) if n else 1.0  # how often the customer actually orders per cycle
            cid = cluster_of(c)
            load[cid] += round(avg * share)
            stops[cid] += 1
            township[cid] = c.township.code
            members[cid].append(c)
        clusters = [Cluster(cid, township[cid], load[cid], stops[cid]) for cid in sorted(load)]
        plan = plan_cycle(
            clusters,
            days=days,
            capacity_kg_per_day=capacity,
            max_stops_per_day=STOPS_PER_VEHICLE_DAY * max(1, len(centre)),
            daily_base_load_kg=[round(base_kg)] * days,
            daily_base_stops=[round(base_stops)] * days,
        )
        rows = horizon_table(plan)
        assigned: dict[str, str] = {}
        if apply:
            for cid, day in plan.day_of.items():
                for c in members[cid]:
                    date = start + dt.timedelta(days=day)
                    c.cycle_offset = offset_for(date, c.cycle_days)
                    assigned[c.code] = date.isoformat()
        return {
            "start": start.isoformat(),
            "days": days,
            "fleet": fleet,
            "capacity_kg_per_day": capacity,
            "applied": apply,
            "assigned": assigned,
            "store_served_customers": store_served,
            "daily_24h_kg": round(base_kg),
            "rows": [
                {
                    "date": (start + dt.timedelta(days=r.day)).isoformat(),
                    "day": r.day,
                    "load_kg": r.load_kg,
                    "capacity_kg": r.capacity_kg,
                    "utilisation_pct": round(r.utilisation_per_mille / 10, 1),
                    "stops": r.stops,
                    "stops_by_township": dict(r.stops_by_township),
                    "overloaded": r.overloaded,
                }
                for r in rows
            ],
            "clusters": {
                cid: {
                    "day": d,
                    "date": (start + dt.timedelta(days=d)).isoformat(),
                    "customers": len(members[cid]),
                }
                for cid, d in sorted(plan.day_of.items())
            },
            "township_days": {t: list(d) for t, d in plan.township_days.items()},
            "overloaded_days": list(plan.overloaded_days),
        }
