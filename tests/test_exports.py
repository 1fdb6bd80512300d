"""Exports use the import layout: what is exported imports again unchanged."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import select

from models.db import session_factory
from models.orm import Customer, Order
from models.settings import Settings
from services.exports import export_customers, export_orders
from services.imports import import_customers, import_orders
from tests.factories import make_register


@pytest.mark.parametrize(("fmt", "lang"), [("csv", "zh"), ("xlsx", "en")])
def test_export_then_import_round_trips(settings: Settings, tmp_path: Path, fmt: str, lang: str) -> None:
    s = session_factory(settings)()
    make_register(s)
    s.commit()
    cpath, opath = tmp_path / f"c.{fmt}", tmp_path / f"o.{fmt}"
    assert export_customers(s, cpath, lang=lang) == 2
    assert export_orders(s, opath, lang=lang, delivery_date=dt.date(2026, 12, 1)) == 1
    before = {
        c.code: (c.name, c.lat, c.lon, c.windows(), c.credit_limit_fen, c.payment_terms)
        for c in s.scalars(select(Customer))
    }
    # Re-import the customers over themselves (update) and the order as a new one.
    assert import_customers(s, cpath, update=True)["updated"] == 2
    s.commit()
    after = {
        c.code: (c.name, c.lat, c.lon, c.windows(), c.credit_limit_fen, c.payment_terms)
        for c in s.scalars(select(Customer))
    }
    assert after == before
    o = s.scalars(select(Order)).one()
    o.number, o.external_ref = "OLD", "OLD"  # free the number and the reference
    s.commit()
    assert import_orders(s, opath) == {"orders": 1, "lines": 1, "rows": 1}
    s.commit()
    again = s.scalars(select(Order).where(Order.number == "DO202611300001")).one()
    assert [(ln.product.code, ln.cases) for ln in again.lines] == [("S001", 6)]
    s.close()
