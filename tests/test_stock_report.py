"""Days of cover per depot and product, against the orders counted by hand."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models.db import session_scope
from models.enums import DepotKind, OrderStatus
from models.errors import InputError
from models.orm import Customer, Depot, DepotStock, Order, Product
from models.settings import Settings
from services.stock_report import stock_cover

AS_OF = dt.date(2026, 11, 30)


def test_a_stores_cover_is_its_free_stock_over_its_customers_daily_orders(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        store = s.scalars(select(Depot).where(Depot.kind == DepotKind.STORE).order_by(Depot.code)).first()
        s001 = s.scalars(select(Product).where(Product.code == "S001")).one()
        row = s.scalars(
            select(DepotStock).where(DepotStock.depot_id == store.id, DepotStock.product_id == s001.id)
        ).one()
        row.on_hand_cases, row.reserved_cases, row.safety_cases = 40, 10, 20
        # the store's territory: its township
        near = {c.id for c in s.scalars(select(Customer)) if c.township_id == store.township_id}
        window = Order.delivery_date.between(AS_OF - dt.timedelta(days=9), AS_OF)
        ordered = sum(
            ln.cases
            for o in s.scalars(select(Order).where(window))
            if o.customer_id in near and o.status not in (OrderStatus.MERGED, OrderStatus.CANCELLED)
            for ln in o.lines if ln.product_id == s001.id
        )
        code = store.code
    assert ordered > 0
    with session_scope(county_settings) as s:
        r = stock_cover(s, AS_OF, days=10, warn_days=100)
    (depot,) = [d for d in r["depots"] if d["depot"] == code]
    assert depot["customers"] <= len(near)
    (line,) = [x for x in depot["products"] if x["product"] == "S001"]
    assert (line["on_hand"], line["reserved"], line["free"], line["safety"]) == (40, 10, 30, 20)
    assert line["cases_per_day"] == round(ordered / 10, 2)
    assert line["days_of_cover"] == round(30 / (ordered / 10), 1)
    assert line["below_safety"] is False and line["low"] is True
    centre = next(d for d in r["depots"] if d["kind"] == "centre")
    assert centre["customers"] >= depot["customers"]


def test_days_out_of_range_name_the_field(county_settings: Settings) -> None:
    with session_scope(county_settings) as s, pytest.raises(InputError) as err:
        stock_cover(s, AS_OF, days=0)
    assert "days" in str(err.value)
    with session_scope(county_settings) as s, pytest.raises(InputError) as err:
        stock_cover(s, dt.date(1, 1, 1))
    assert "as_of" in str(err.value)
