"""Emergency mode on the bundled county: a product short of stock is shared fairly, per township."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from models.db import session_scope
from models.enums import OrderStatus
from models.orm import DepotStock, Order, OrderLine, Product
from models.planning import DispatchOrder, DispatchOrderLine
from models.settings import Settings
from services.planning import plan_day

DAY = dt.date(2026, 12, 1)
FAST = {"time_limit_s": None, "solution_limit": 30, "workers": 1}


def _starve(settings: Settings) -> tuple[str, int, int]:
    """Leave the most-ordered product of the day with about a third of its demand in stock."""
    with session_scope(settings) as s:
        pid, demand = s.execute(
            select(OrderLine.product_id, func.sum(OrderLine.cases))
            .join(Order)
            .where(Order.delivery_date <= DAY, Order.status == OrderStatus.RECEIVED)
            .group_by(OrderLine.product_id)
            .order_by(func.sum(OrderLine.cases).desc())
        ).first()
        supply = demand // 3
        rows = s.scalars(select(DepotStock).where(DepotStock.product_id == pid).order_by(DepotStock.id)).all()
        for i, row in enumerate(rows):
            row.reserved_cases = 0
            row.on_hand_cases = supply if i == 0 else 0
        return s.get(Product, pid).code, int(demand), int(supply)


def test_a_short_product_is_rationed_within_stock_and_reported_per_township(
    county_settings: Settings,
) -> None:
    code, demand, supply = _starve(county_settings)
    result = plan_day(county_settings, DAY, **FAST)
    (rationed,) = [p for p in result["consolidation"]["rationed_products"] if p["product"] == code]
    assert rationed["ordered"] == demand and rationed["supplied"] == supply
    assert rationed["allocated"] == supply  # whole cases handed out until the stock is gone

    with session_scope(county_settings) as s:
        lines = s.execute(
            select(DispatchOrderLine.ordered_cases, DispatchOrderLine.cases, DispatchOrder.rationed)
            .join(DispatchOrder)
            .join(Product, Product.id == DispatchOrderLine.product_id)
            .where(DispatchOrder.delivery_date == DAY, Product.code == code)
        ).all()
    assert sum(c for _, c, _ in lines) == supply
    assert all(0 <= c <= o for o, c, _ in lines)  # never above what was ordered
    assert any(r for o, c, r in lines if c < o)  # the cut orders carry the flag

    towns = rationed["townships"]
    assert sum(t["ordered"] for t in towns) == demand
    assert sum(t["allocated"] for t in towns) == supply
    for t in towns:
        assert t["fill_per_mille"] == 1000 * t["allocated"] // t["ordered"]
    # no township runs dry while another is filled: every township gets something
    assert all(t["allocated"] > 0 for t in towns), towns
    assert not any(ch.isdigit() for t in towns for ch in t["township"])  # names, not ids
