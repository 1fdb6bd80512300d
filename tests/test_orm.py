"""Every entity round-trips on SQLite and PostgreSQL; constraints reject bad data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from models.db import session_factory
from models.orm import (
    Customer,
    Depot,
    DepotStock,
    Order,
    OrderLine,
    Product,
    RoadNetwork,
    Staff,
    Vehicle,
    VehicleTownship,
)
from models.settings import Settings
from tests.factories import make_register


def _fresh(settings: Settings) -> Session:
    return session_factory(settings)()


def test_round_trip_of_every_entity(settings: Settings) -> None:
    with _fresh(settings) as s:
        reg = make_register(s)
        s.add(VehicleTownship(vehicle_id=reg["van"].id, township_id=reg["town"].id))
        s.add(
            RoadNetwork(
                name="county",
                version="abc",
                source="generated",
                path="roads.npz",
                is_active=True,
                stats={"nodes": 3},
            )
        )
        s.commit()
    with _fresh(settings) as s:
        c2 = s.scalars(select(Customer).where(Customer.name.like("步步高%"))).one()
        assert c2.windows() == [(7 * 3600, 12 * 3600), (14 * 3600, 17 * 3600)]
        assert c2.service_24h and c2.payment_terms.value == "monthly"
        assert c2.credit_limit_fen == 3_000_000 and isinstance(c2.credit_limit_fen, int)
        assert c2.township.name_zh == "青石镇"
        store = s.scalars(select(Depot).where(Depot.code == "S01")).one()
        assert (store.min_order_cases, store.service_radius_m, store.kind.value) == (3, 1000, "store")
        order = s.scalars(select(Order)).one()
        assert order.total_cases == 6 and order.lines[0].product.code == "S001"
        assert order.delivery_date == dt.date(2026, 12, 1)
        assert order.received_at.replace(tzinfo=None) is not None
        van = s.scalars(select(Vehicle).where(Vehicle.plate == "湘X·B2002")).one()
        assert [t.code for t in van.townships] == ["T00"]
        assert van.allowed_area.value == "county_town"
        assert s.scalars(select(Staff).where(Staff.code == "E001")).one().monthly_wage_fen == 230_000
        assert s.scalars(select(RoadNetwork)).one().stats == {"nodes": 3}
        assert s.scalars(select(DepotStock)).first() is not None


def _violates(settings: Settings, mutate: Callable[[Session, dict[str, Any]], None]) -> str:
    with _fresh(settings) as s:
        reg = make_register(s)
        s.commit()
        with pytest.raises((IntegrityError, StatementError)) as info:
            mutate(s, reg)
            s.flush()
        s.rollback()
    return str(info.value).lower()


CASES: dict[str, tuple[Callable[[Session, dict[str, Any]], None], str]] = {
    "negative order quantity": (
        lambda s, r: s.add(
            OrderLine(order_id=r["order"].id, product_id=r["sauce"].id, cases=-1, price_fen=1)
        ),
        "cases",
    ),
    "zero order quantity": (
        lambda s, r: s.add(OrderLine(order_id=r["order"].id, product_id=r["sauce"].id, cases=0, price_fen=1)),
        "cases",
    ),
    "negative price": (lambda s, r: setattr(r["salt"], "price_fen", -5), "price"),
    "negative stock": (
        lambda s, r: setattr(s.scalars(select(DepotStock)).first(), "on_hand_cases", -1),
        "on_hand",
    ),
    "duplicate customer code": (
        lambda s, r: s.add(
            Customer(
                code=r["c1"].code,
                name="x",
                type="grocery",
                township_id=r["town"].id,
                lat=28.4,
                lon=112.3,
                payment_terms="cod",
            )
        ),
        "unique",
    ),
    "duplicate product code": (
        lambda s, r: s.add(
            Product(
                code="S001",
                name_zh="x",
                name_en="x",
                category="salt",
                bags_per_case=1,
                case_weight_kg=1,
                price_fen=1,
            )
        ),
        "unique",
    ),
    "store minimum above 5": (lambda s, r: setattr(r["store"], "min_order_cases", 6), "min_order"),
    "store minimum below 2": (lambda s, r: setattr(r["store"], "min_order_cases", 1), "min_order"),
    "customer outside China": (lambda s, r: setattr(r["c1"], "lat", 60.0), "in_china"),
    "window closing before opening": (lambda s, r: setattr(r["c1"], "recv_close_s", 3600), "window1"),
    "code of wrong length": (lambda s, r: setattr(r["c1"], "code", "123"), "code_len"),
    "negative credit limit": (lambda s, r: setattr(r["c1"], "credit_limit_fen", -1), "credit"),
    "zero vehicle capacity": (lambda s, r: setattr(r["truck"], "capacity_kg", 0), "capacity_kg"),
    "unknown customer type": (lambda s, r: setattr(r["c1"], "type", "hypermarket"), "hypermarket"),
    "order for a missing customer": (
        lambda s, r: s.add(
            Order(
                number="X1",
                customer_id=999_999,
                channel="visit",
                received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                delivery_date=dt.date(2026, 1, 2),
            )
        ),
        "foreign key",
    ),
    "held without a reason": (lambda s, r: setattr(r["order"], "status", "held"), "held_reason"),
    "duplicate channel reference": (
        lambda s, r: s.add(
            Order(
                number="X2",
                customer_id=r["c1"].id,
                channel="visit",
                received_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
                delivery_date=dt.date(2026, 1, 2),
                external_ref="VIS-1",
            )
        ),
        "unique",
    ),
    "two active road networks": (
        lambda s, r: s.add_all(
            [
                RoadNetwork(name="a", version="v1", source="osm", path="a", is_active=True),
                RoadNetwork(name="b", version="v2", source="osm", path="b", is_active=True),
            ]
        ),
        "unique",
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_constraint_rejects(settings: Settings, case: str) -> None:
    mutate, needle = CASES[case]
    message = _violates(settings, mutate)
    assert needle in message or "constraint" in message, message
