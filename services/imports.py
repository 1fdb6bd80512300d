"""Import customers and orders from CSV/XLSX: all or nothing, every error listed.

Each function validates the whole file first (cells, then references to the
register, then duplicates) and raises :class:`~models.errors.InputError` with
every :class:`~models.errors.FieldError` found; only a clean file is written,
inside the caller's transaction.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from models import clock
from models.enums import CustomerStatus, OrderStatus, PaymentTerms
from models.errors import FieldError
from models.lifecycle import received
from models.orm import Customer, Depot, Order, OrderLine, Product, Staff, Township
from services.layouts import CUSTOMER_COLUMNS, ORDER_COLUMNS
from services.orders import next_order_number
from services.tabular import raise_if, read_rows

DEFAULT_WINDOW = [(8 * 3600, 18 * 3600)]


def import_customers(
    session: Session, path: Path, *, update: bool = False, actor: str = "import"
) -> dict[str, int]:
    """Create (and with ``update=True`` also update) customers from ``path``."""
    rows, errors = read_rows(path, CUSTOMER_COLUMNS)
    townships = session.execute(select(Township.code, Township.name_zh, Township.id)).all()
    t_by = {c: i for c, _, i in townships} | {z: i for _, z, i in townships}
    staff = session.execute(select(Staff.code, Staff.name, Staff.id)).all()
    s_by = {c: i for c, _, i in staff} | {n: i for _, n, i in staff}
    seen: dict[str, int] = {}
    codes = [v["code"] for _, v in rows if "code" in v]
    existing = (
        {c.code: c for c in session.scalars(select(Customer).where(Customer.code.in_(codes)))}
        if codes
        else {}
    )
    for n, v in rows:
        code = v.get("code")
        if code:
            if code in seen:
                errors.append(
                    FieldError("customer_code", f"duplicate code (also on row {seen[code]})", n, code)
                )
            seen[code] = n
            if code in existing and not update:
                errors.append(FieldError("customer_code", "already in the register (use --update)", n, code))
        if "township" in v and v["township"] not in t_by:
            errors.append(FieldError("township", "unknown township", n, v["township"]))
        if "manager" in v and v["manager"] not in s_by:
            errors.append(FieldError("customer_manager", "unknown staff member", n, v["manager"]))
    raise_if(errors, f"{path.name}: nothing imported")
    created = updated = 0
    for _, v in rows:
        windows = v.get("windows", DEFAULT_WINDOW)
        fields: dict[str, Any] = dict(
            name=v["name"],
            type=v["type"],
            township_id=t_by[v["township"]],
            village=v.get("village", ""),
            lat=v["lat"],
            lon=v["lon"],
            address=v.get("address", ""),
            contact_name=v.get("contact_name", ""),
            phone=v.get("phone", ""),
            cycle_days=v.get("cycle_days", 15),
            service_24h=v.get("service_24h", False),
            payment_terms=v.get("payment_terms", PaymentTerms.CASH_ON_DELIVERY),
            credit_limit_fen=v.get("credit_limit_fen", 0),
            manager_id=s_by[v["manager"]] if "manager" in v else None,
            recv_open_s=windows[0][0],
            recv_close_s=windows[0][1],
            recv2_open_s=windows[1][0] if len(windows) > 1 else None,
            recv2_close_s=windows[1][1] if len(windows) > 1 else None,
            status=v.get("status", CustomerStatus.ACTIVE),
        )
        cust = existing.get(v["code"])
        if cust is None:
            session.add(Customer(code=v["code"], **fields))
            created += 1
        else:
            if cust.cycle_offset is not None and cust.cycle_offset >= fields["cycle_days"]:
                fields["cycle_offset"] = None
            for k, val in fields.items():
                setattr(cust, k, val)
            updated += 1
    session.flush()
    return {"created": created, "updated": updated, "rows": len(rows)}


def import_orders(session: Session, path: Path, *, actor: str = "import") -> dict[str, int]:
    """Create orders (one row per order line) from ``path``."""
    rows, errors = read_rows(path, ORDER_COLUMNS)
    cust_codes = {v["customer"] for _, v in rows if "customer" in v}
    customers = (
        {c.code: c for c in session.scalars(select(Customer).where(Customer.code.in_(cust_codes)))}
        if cust_codes
        else {}
    )
    products = {p.code: p for p in session.scalars(select(Product))}
    stores = dict(session.execute(select(Depot.code, Depot.id)).all())
    groups: dict[tuple[Any, ...], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
    for n, v in rows:
        if "customer" in v and v["customer"] not in customers:
            errors.append(FieldError("customer_code", "unknown customer", n, v["customer"]))
        elif "customer" in v and customers[v["customer"]].status != CustomerStatus.ACTIVE:
            errors.append(
                FieldError(
                    "customer_code", f"customer is {customers[v['customer']].status.value}", n, v["customer"]
                )
            )
        if "product" in v and v["product"] not in products:
            errors.append(FieldError("product_code", "unknown product", n, v["product"]))
        if "reported_by" in v and v["reported_by"] not in stores:
            errors.append(FieldError("reported_by_store", "unknown store", n, v["reported_by"]))
        if "received_at" in v and "delivery_date" in v:
            received_local = clock.local_day(v["received_at"])
            if v["delivery_date"] < received_local:
                errors.append(
                    FieldError(
                        "delivery_date",
                        "is before the day the order was received",
                        n,
                        v["delivery_date"].isoformat(),
                    )
                )
        key = (
            ("n", v["number"])
            if v.get("number")
            else ("k", v.get("customer"), v.get("channel"), v.get("received_at"), v.get("external_ref"))
        )
        groups[key].append((n, v))
    numbers = [k[1] for k in groups if k[0] == "n"]
    if numbers:
        taken = set(session.scalars(select(Order.number).where(Order.number.in_(numbers))))
        for k, members in groups.items():
            if k[0] == "n" and k[1] in taken:
                errors.append(FieldError("order_number", "already exists", members[0][0], k[1]))
    refs_seen: dict[tuple[Any, str], int] = {}
    for members in groups.values():
        head_n, head = members[0]
        products_seen: dict[str, int] = {}
        for n, v in members:
            for fld, col in (
                ("customer", "customer_code"),
                ("channel", "channel"),
                ("delivery_date", "delivery_date"),
            ):
                if fld in v and fld in head and v[fld] != head[fld]:
                    errors.append(
                        FieldError(col, f"differs from row {head_n} of the same order", n, str(v[fld]))
                    )
            p = v.get("product")
            if p in products_seen:
                errors.append(
                    FieldError("product_code", f"appears twice in one order (row {products_seen[p]})", n, p)
                )
            elif p:
                products_seen[p] = n
        ref = head.get("external_ref")
        if ref and "channel" in head:
            rk = (head["channel"], ref)
            if rk in refs_seen:
                errors.append(
                    FieldError(
                        "external_ref", f"same channel and reference as row {refs_seen[rk]}", head_n, ref
                    )
                )
            refs_seen[rk] = head_n
            dup = session.scalar(
                select(Order.number).where(Order.channel == head["channel"], Order.external_ref == ref)
            )
            if dup:
                errors.append(FieldError("external_ref", f"already imported as order {dup}", head_n, ref))
    raise_if(errors, f"{path.name}: nothing imported")
    created = lines = 0
    for members in groups.values():
        head = members[0][1]
        number = head.get("number") or next_order_number(session, head["received_at"])
        order = Order(
            number=number,
            customer_id=customers[head["customer"]].id,
            channel=head["channel"],
            received_at=head["received_at"],
            delivery_date=head["delivery_date"],
            status=OrderStatus.RECEIVED,
            external_ref=head.get("external_ref"),
            reported_by_depot_id=stores[head["reported_by"]] if head.get("reported_by") else None,
            note=head.get("note", ""),
        )
        for _, v in members:
            prod = products[v["product"]]
            order.lines.append(OrderLine(product_id=prod.id, cases=v["cases"], price_fen=prod.price_fen))
            lines += 1
        received(order, f"imported from {path.name}", actor)
        session.add(order)
        session.flush()
        created += 1
    return {"orders": created, "lines": lines, "rows": len(rows)}
