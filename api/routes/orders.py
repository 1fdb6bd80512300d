"""Orders: list and filter, create (with ``Idempotency-Key``), import CSV/XLSX.

A store manager sees and places orders for their township's customers (and
sees what their store reported); drivers see none (their stops carry what to
deliver).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, File, Path, Query, Response, UploadFile
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from api.deps import API_PREFIX, CurrentUser, PageDep, SessionDep, SettingsDep
from api.errors import ApiError, problem_responses
from api.idempotency import IdempotencyDep
from api.policies import (
    ORDER_CREATE,
    ORDER_IMPORT,
    Principal,
    local_today,
    may_order_for,
    may_see_order,
    order_filter,
    where,
)
from api.routes.uploads import counts, with_upload
from api.schemas.common import ListOf
from api.schemas.customers import ImportResult
from api.schemas.orders import OrderCreate, OrderLinePublic, OrderPublic
from models.enums import Channel, OrderStatus
from models.orm import Customer, Depot, Order, OrderLine, Product
from services.imports import import_orders
from services.orders import LineIn, insert_order, validate_order

router = APIRouter(prefix="/orders", tags=["orders"])
Number = Annotated[str, Path(min_length=1, max_length=32, description="Order number, e.g. DO202611300001.")]
RETRIES = 8


def public(o: Order) -> OrderPublic:
    return OrderPublic(
        id=o.id,
        number=o.number,
        customer=o.customer.code,
        customer_name=o.customer.name,
        channel=o.channel,
        received_at=o.received_at,
        delivery_date=o.delivery_date,
        status=o.status,
        hold_reason=o.hold_reason,
        external_ref=o.external_ref,
        reported_by=_depot_code(o),
        note=o.note,
        total_cases=o.total_cases,
        value_fen=sum(ln.cases * ln.price_fen for ln in o.lines),
        lines=[
            OrderLinePublic(product=ln.product.code, cases=ln.cases, price_fen=ln.price_fen) for ln in o.lines
        ],
    )


def _depot_code(o: Order) -> str | None:
    if o.reported_by_depot_id is None:
        return None
    d = Session.object_session(o).get(Depot, o.reported_by_depot_id)  # type: ignore[union-attr]
    return d.code if d else None


_LOAD = (selectinload(Order.lines).selectinload(OrderLine.product), selectinload(Order.customer))


@router.get("")
def list_orders(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    date: Annotated[dt.date | None, Query(description="Delivery date.")] = None,
    status: OrderStatus | None = None,
    customer: Annotated[str | None, Query(max_length=13, description="Customer code.")] = None,
    channel: Channel | None = None,
) -> ListOf[OrderPublic]:
    """Orders, newest number first, filtered by delivery date, status, customer, channel."""
    flt = order_filter(user)
    if flt is None:
        raise ApiError(403, f"a {user.role.value} may not list orders")
    conds = where(flt)
    if date:
        conds.append(Order.delivery_date == date)
    if status:
        conds.append(Order.status == status)
    if customer:
        conds.append(Customer.code == customer)
    if channel:
        conds.append(Order.channel == channel)
    base = select(Order).join(Customer, Order.customer_id == Customer.id).where(*conds)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = session.scalars(
        base.options(*_LOAD).order_by(Order.number.desc()).offset(page.offset).limit(page.limit)
    )
    return ListOf(data=[public(o) for o in rows], count=total, offset=page.offset, limit=page.limit)


@router.get("/{number}")
def read_order(session: SessionDep, user: CurrentUser, number: Number) -> OrderPublic:
    o = session.scalar(select(Order).options(*_LOAD).where(Order.number == number))
    if o is None or not may_see_order(user, o):
        raise ApiError(404, f"order {number} not found")
    return public(o)


def _validate(
    session: Session, user: Principal, body: OrderCreate, today: dt.date
) -> tuple[Customer, dict[str, Product]]:
    c = session.scalar(select(Customer).where(Customer.code == body.customer))
    visible = c if c is not None and may_order_for(user, c) else None
    products = validate_order(
        session, customer=visible, customer_code=body.customer, channel=body.channel,
        delivery_date=body.delivery_date, lines=_lines(body), external_ref=body.external_ref, today=today,
    )
    assert visible is not None
    return visible, products


def _lines(body: OrderCreate) -> list[LineIn]:
    return [LineIn(ln.product, ln.cases) for ln in body.lines]


def _insert(
    session: Session, user: Principal, body: OrderCreate, c: Customer, products: dict[str, Product]
) -> Order:
    return insert_order(
        session, customer=c, channel=body.channel, delivery_date=body.delivery_date, lines=_lines(body),
        products=products, external_ref=body.external_ref, note=body.note, actor=user.actor,
        reported_by_depot_id=user.depot_id if user.role == "store_manager" else None,
    )


@router.post("", status_code=201, responses=problem_responses(409))
def create_order(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, body: OrderCreate, idem: IdempotencyDep
) -> OrderPublic:
    """Place an order. Send an ``Idempotency-Key`` so that a retry is answered, not repeated."""
    if user.role not in ORDER_CREATE:
        raise ApiError(403, f"a {user.role.value} may not place orders")
    if idem.replay is not None:
        return idem.replay  # type: ignore[return-value]
    today = local_today(settings)
    for attempt in range(RETRIES):
        c, products = _validate(session, user, body, today)
        try:
            order = _insert(session, user, body, c, products)
            out = public(order)
            resp: Response = idem.respond(
                session, 201, out, headers={"Location": f"{API_PREFIX}/orders/{order.number}"}
            )
            return resp  # type: ignore[return-value]
        except IntegrityError:
            session.rollback()
            if attempt == RETRIES - 1:
                raise
    raise AssertionError("unreachable")


@router.post("/import", status_code=201)
def import_order_file(
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="CSV or XLSX, one row per order line.")],
) -> ImportResult:
    """Import orders from CSV/XLSX: all or nothing; a 422 lists every row's errors."""
    if user.role not in ORDER_IMPORT:
        raise ApiError(403, f"a {user.role.value} may not import orders")
    result = with_upload(file, lambda p: import_orders(session, p, actor=user.actor))
    session.commit()
    return ImportResult(**counts(result))
