"""Export customers and orders in the same layouts that import reads."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import clock
from models.orm import Customer, Order
from services.layouts import CUSTOMER_COLUMNS, ORDER_COLUMNS
from services.tabular import fen_to_yuan_text, windows_text, write_rows


def export_customers(session: Session, path: Path, *, lang: str = "zh") -> int:
    """Write every customer to ``path`` (.csv/.xlsx); return the number of rows."""
    q = select(Customer).options(selectinload(Customer.township), selectinload(Customer.manager))
    rows = []
    for c in session.scalars(q.order_by(Customer.code)):
        rows.append(
            {
                "code": c.code,
                "name": c.name,
                "type": c.type.value,
                "township": c.township.code,
                "village": c.village,
                "lat": f"{c.lat:.6f}",
                "lon": f"{c.lon:.6f}",
                "address": c.address,
                "contact_name": c.contact_name,
                "phone": c.phone,
                "cycle_days": c.cycle_days,
                "service_24h": "yes" if c.service_24h else "no",
                "payment_terms": c.payment_terms.value,
                "credit_limit_fen": fen_to_yuan_text(c.credit_limit_fen),
                "manager": c.manager.code if c.manager else "",
                "windows": windows_text(c.windows()),
                "status": c.status.value,
            }
        )
    return write_rows(path, CUSTOMER_COLUMNS, rows, lang=lang)


def export_orders(
    session: Session, path: Path, *, lang: str = "zh", delivery_date: dt.date | None = None
) -> int:
    """Write orders (one row per line) to ``path``; optionally only one delivery day."""
    q = select(Order).options(selectinload(Order.lines), selectinload(Order.customer)).order_by(Order.number)
    if delivery_date is not None:
        q = q.where(Order.delivery_date == delivery_date)
    from models.orm import Depot, Product

    products = dict(session.execute(select(Product.id, Product.code)).all())
    depots = dict(session.execute(select(Depot.id, Depot.code)).all())
    rows = []
    for o in session.scalars(q):
        for ln in o.lines:
            rows.append(
                {
                    "number": o.number,
                    "customer": o.customer.code,
                    "channel": o.channel.value,
                    "received_at": o.received_at.astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M")
                    if o.received_at.tzinfo
                    else o.received_at.strftime("%Y-%m-%d %H:%M"),
                    "delivery_date": o.delivery_date.isoformat(),
                    "product": products[ln.product_id],
                    "cases": ln.cases,
                    "external_ref": o.external_ref or "",
                    "reported_by": depots.get(o.reported_by_depot_id, "") if o.reported_by_depot_id else "",
                    "note": o.note,
                }
            )
    return write_rows(path, ORDER_COLUMNS, rows, lang=lang)
