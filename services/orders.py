"""Placing one order (the API, and later the web app, call this): validate, number, insert.

One transaction is the caller's. Bad input raises :class:`InputError` naming
every field; the same channel reference twice raises :class:`Conflict`.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from models import clock, lifecycle
from models.enums import Channel, CustomerStatus, OrderStatus
from models.errors import Conflict, FieldError, InputError
from models.orm import Customer, Order, OrderLine, Product


@dataclass(frozen=True)
class LineIn:
    product: str
    cases: int


def next_order_number(session: Session, received_at: dt.datetime) -> str:
    """The next free order number ``DOyyyymmddNNNN`` for the (China-time) day of ``received_at``."""
    day = clock.local_day(received_at)
    prefix = f"DO{day:%Y%m%d}"
    last = session.scalar(select(func.max(Order.number)).where(Order.number.like(f"{prefix}%")))
    seq = int(last[len(prefix) :]) + 1 if last and last[len(prefix) :].isdigit() else 1
    return f"{prefix}{seq:04d}"


def validate_order(
    session: Session,
    *,
    customer: Customer | None,
    customer_code: str,
    channel: Channel,
    delivery_date: dt.date,
    lines: Sequence[LineIn],
    external_ref: str | None,
    today: dt.date,
) -> dict[str, Product]:
    """Every problem with an order at once; returns the products by code when it is valid."""
    errors: list[FieldError] = []
    if customer is None:
        errors.append(FieldError("customer", "unknown customer", value=customer_code))
    elif customer.status != CustomerStatus.ACTIVE:
        errors.append(FieldError("customer", f"customer is {customer.status.value}", value=customer_code))
    products = {
        p.code: p
        for p in session.scalars(select(Product).where(Product.code.in_([ln.product for ln in lines])))
    }
    seen: set[str] = set()
    for i, ln in enumerate(lines):
        p = products.get(ln.product)
        if p is None:
            errors.append(FieldError(f"lines.{i}.product", "unknown product", value=ln.product))
        elif not p.active:
            errors.append(FieldError(f"lines.{i}.product", "product is no longer sold", value=ln.product))
        if ln.product in seen:
            errors.append(FieldError(f"lines.{i}.product", "appears twice in one order", value=ln.product))
        seen.add(ln.product)
    if delivery_date < today:
        errors.append(FieldError("delivery_date", "is before today", value=delivery_date.isoformat()))
    if delivery_date > today + dt.timedelta(days=366):
        errors.append(
            FieldError("delivery_date", "is more than a year ahead", value=delivery_date.isoformat())
        )
    if errors:
        raise InputError(errors, context="order not created")
    if external_ref and session.scalar(
        select(Order.number).where(Order.channel == channel, Order.external_ref == external_ref)
    ):
        raise Conflict(f"an order with channel {channel.value} and reference {external_ref} exists")
    return products


def insert_order(
    session: Session,
    *,
    customer: Customer,
    channel: Channel,
    delivery_date: dt.date,
    lines: Sequence[LineIn],
    products: dict[str, Product],
    external_ref: str | None,
    note: str,
    actor: str,
    reported_by_depot_id: int | None,
    via: str = "the API",
) -> Order:
    """Insert a validated order with its first event; numbers are given one at a time."""
    received = clock.now()
    order = Order(
        number=f"TMP-{uuid.uuid4().hex[:24]}",
        customer_id=customer.id,
        channel=channel,
        received_at=received,
        delivery_date=delivery_date,
        status=OrderStatus.RECEIVED,
        external_ref=external_ref,
        note=note,
        reported_by_depot_id=reported_by_depot_id,
    )
    for ln in lines:
        p = products[ln.product]
        order.lines.append(OrderLine(product_id=p.id, cases=ln.cases, price_fen=p.price_fen))
    lifecycle.received(order, f"received via {via}", actor)
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(72700101)"))  # numbering, one at a time
    session.add(order)
    session.flush()  # SQLite: this write holds the database's write lock until commit
    order.number = next_order_number(session, received)
    session.flush()
    return order
