"""Emergency mode at consolidation: share scarce stock among the day's orders (根据库存情况均衡发货).

For each product whose day's demand exceeds the stock that can reach the
ordering customers (the centre's free stock for everyone, each store's for its
own township only), the cases are shared by :func:`optimizer.rationing_reach.
ration_reachable`: weighted max-min fair, each township that ordered gets a
share before anyone gets a second case. A rationed order is marked
``rationed``: its minimum order is waived (it is never then held for being
small) and the cases it was cut by stay on the customer's back-order, merged
into their next order (:mod:`services.carry_over`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.enums import DepotKind, OrderStatus
from models.orm import Customer, Order, OrderLine, Product, Township
from models.planning import DispatchOrder
from optimizer.rationing import Claim
from optimizer.rationing_reach import ReachableRationing, ration_reachable
from services.day_orders import add_flag
from services.free_stock import free_stock_rows

RATIONING_FLAGS = ("rationed", "minimum_waived", "township_share")


def normal_volumes(session: Session, customer_ids: list[int], before: dt.date) -> dict[int, int]:
    """Average cases per past order of each customer (at least 1): the weight for rationing."""
    if not customer_ids:
        return {}
    per_order = (
        select(Order.customer_id, func.sum(OrderLine.cases).label("cases"))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            Order.customer_id.in_(customer_ids),
            Order.delivery_date < before,
            Order.status.in_([OrderStatus.DELIVERED, OrderStatus.SETTLED, OrderStatus.SHORT]),
        )
        .group_by(Order.id, Order.customer_id)
        .subquery()
    )
    rows = session.execute(
        select(per_order.c.customer_id, func.avg(per_order.c.cases)).group_by(per_order.c.customer_id)
    ).all()
    got = {int(c): max(1, round(float(a))) for c, a in rows}
    return {c: got.get(c, 1) for c in customer_ids}


def reachable_stock(session: Session, day: dt.date) -> tuple[dict[int, int], dict[int, dict[str, int]]]:
    """Free stock per product id: the centre's, and each store's by its township name."""
    centre: dict[int, int] = defaultdict(int)
    local: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for r in free_stock_rows(session, day):
        if r.depot_kind == DepotKind.CENTRE.value:
            centre[r.product_id] += max(0, r.cases)
        else:
            local[r.product_id][r.township] += max(0, r.cases)
    return dict(centre), {p: dict(t) for p, t in local.items()}


def ration_day(
    session: Session,
    day: dt.date,
    orders: Sequence[DispatchOrder],
    products: Mapping[int, Product],
    emergency: bool | None,
) -> list[dict[str, Any]]:
    """Ration every product the day's orders ask more of than can reach them; the report per product.

    ``emergency``: ``None`` or ``True`` ration every product whose demand exceeds
    the reachable stock; ``False`` never rations.
    """
    if emergency is False or not orders:
        return []
    customers = {
        c.id: c
        for c in session.scalars(select(Customer).where(Customer.id.in_({d.customer_id for d in orders})))
    }
    township_name = dict(session.execute(select(Township.id, Township.name_zh)).all())
    centre, local = reachable_stock(session, day)
    for d in orders:  # ration from what was ordered, not from an earlier run's shares
        d.rationed = False
        d.flags = [f for f in (d.flags or []) if f.get("kind") not in RATIONING_FLAGS]
        for ln in d.lines:
            ln.cases = ln.ordered_cases
    claims: dict[int, list[Claim]] = defaultdict(list)
    weights = normal_volumes(session, sorted(customers), day)
    for d in orders:
        c = customers[d.customer_id]
        for ln in d.lines:
            if ln.cases > 0:
                claims[ln.product_id].append(
                    Claim(
                        d.number,
                        c.code,
                        township_name.get(c.township_id, str(c.township_id)),
                        ln.cases,
                        weights.get(d.customer_id, 1),
                    )
                )
    out = []
    by_number = {d.number: d for d in orders}
    for pid in sorted(claims, key=lambda p: products[p].code):
        result = ration_reachable(claims[pid], shared=centre.get(pid, 0), local=local.get(pid, {}))
        if not result.rationing.rationed:
            continue
        _apply(result, pid, products[pid].code, by_number)
        out.append(_report(products[pid].code, result, claims[pid]))
    return out


def _apply(result: ReachableRationing, pid: int, code: str, by_number: Mapping[str, DispatchOrder]) -> None:
    anchors: dict[str, tuple[int, str]] = {}  # per township: its biggest share, planned first
    for claim_township, number, cases in _shares(result, by_number):
        if cases > 0 and cases > anchors.get(claim_township, (0, ""))[0]:
            anchors[claim_township] = (cases, number)
    for _, number in anchors.values():
        d = by_number[number]
        if not any(f.get("kind") == "township_share" for f in d.flags or []):
            add_flag(d, "township_share", f"{code}: its township's share of the scarce stock; planned first")
    for number, cases in result.allocation.items():
        d = by_number[number]
        ln = next(x for x in d.lines if x.product_id == pid)
        if cases >= ln.cases:
            continue
        ln.cases = cases
        if not d.rationed:
            add_flag(d, "minimum_waived", "rationed in emergency mode: the minimum order is waived")
        d.rationed = True
        add_flag(
            d,
            "rationed",
            f"{code}: rationed to {cases} of {ln.ordered_cases} cases; "
            f"{ln.ordered_cases - cases} back-ordered for the next delivery",
            product=code,
        )


def _shares(
    result: ReachableRationing, by_number: Mapping[str, DispatchOrder]
) -> list[tuple[str, str, int]]:
    """(township, order number, cases allocated) for every claim."""
    township = {c.id: c.township for c in result.claims}
    return [(township[n], n, cases) for n, cases in sorted(result.allocation.items())]


def _report(code: str, result: ReachableRationing, claims: Sequence[Claim]) -> dict[str, Any]:
    r = result.rationing
    sourced = {s.township: s for s in result.sourced}
    return {
        "product": code,
        "ordered": sum(c.ordered_cases for c in claims),
        "supplied": r.supply_cases,
        "allocated": r.allocated_cases,
        "centre_free": result.centre_supply,
        "level": r.level,
        "townships": [
            {
                "township": t.township,
                "orders": t.claims,
                "ordered": t.ordered_cases,
                "allocated": t.allocated_cases,
                "fill_per_mille": t.fill_per_mille,
                "from_store": sourced[t.township].from_store,
                "from_centre": sourced[t.township].from_centre,
            }
            for t in r.townships
        ],
    }


__all__ = ["normal_volumes", "ration_day", "reachable_stock"]
