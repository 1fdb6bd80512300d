"""Depots (read by every role) and their stock (per-object: a store manager sees their own store's)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import func, select

from api.deps import CurrentUser, PageDep, SessionDep
from api.errors import ApiError
from api.policies import Principal, may_see_stock, may_write_stock
from api.schemas.common import ListOf
from api.schemas.register import DepotPublic, StockMovementCreate, StockPublic
from models.enums import DepotKind
from models.orm import Depot, DepotStock, Product
from services.stock import adjust_stock

router = APIRouter(prefix="/depots", tags=["depots"])
Code = Annotated[str, Path(min_length=1, max_length=16, description="Depot code, e.g. DC or S01.")]


def public(d: Depot) -> DepotPublic:
    return DepotPublic(
        id=d.id,
        code=d.code,
        kind=d.kind,
        name_zh=d.name_zh,
        name_en=d.name_en,
        township=d.township.code,
        address=d.address,
        lat=d.lat,
        lon=d.lon,
        opens_s=d.opens_s,
        closes_s=d.closes_s,
        min_order_cases=d.min_order_cases,
        service_radius_m=d.service_radius_m,
        safety_stock_kg=d.safety_stock_kg,
    )


def stock_public(s: DepotStock) -> StockPublic:
    return StockPublic(
        depot=s.depot.code,
        product=s.product.code,
        on_hand_cases=s.on_hand_cases,
        reserved_cases=s.reserved_cases,
        safety_cases=s.safety_cases,
        free_cases=s.on_hand_cases - s.reserved_cases,
    )


@router.get("")
def list_depots(
    session: SessionDep, _: CurrentUser, page: PageDep, kind: DepotKind | None = None
) -> ListOf[DepotPublic]:
    """The centre and the township stores."""
    conds = [Depot.kind == kind] if kind else []
    total = session.scalar(select(func.count()).select_from(Depot).where(*conds)) or 0
    rows = session.scalars(
        select(Depot).where(*conds).order_by(Depot.code).offset(page.offset).limit(page.limit)
    )
    return ListOf(data=[public(d) for d in rows], count=total, offset=page.offset, limit=page.limit)


def _depot(session: SessionDep, code: str) -> Depot:
    d = session.scalar(select(Depot).where(Depot.code == code))
    if d is None:
        raise ApiError(404, f"depot {code} not found")
    return d


@router.get("/{code}")
def read_depot(session: SessionDep, _: CurrentUser, code: Code) -> DepotPublic:
    return public(_depot(session, code))


def _stock_depot(session: SessionDep, user: Principal, code: str) -> Depot:
    d = _depot(session, code)
    if not may_see_stock(user, d):
        raise ApiError(404, f"depot {code} not found")
    return d


@router.get("/{code}/stock")
def read_stock(session: SessionDep, user: CurrentUser, code: Code) -> list[StockPublic]:
    """Stock per product at the depot, in cases (store managers: their own store)."""
    d = _stock_depot(session, user, code)
    rows = session.scalars(
        select(DepotStock).join(Product).where(DepotStock.depot_id == d.id).order_by(Product.code)
    )
    return [stock_public(s) for s in rows]


@router.post("/{code}/stock/movements", status_code=201)
def add_movement(
    session: SessionDep, user: CurrentUser, code: Code, body: StockMovementCreate
) -> StockPublic:
    """Record goods received or a counted adjustment: an append-only movement and the new balance."""
    d = _stock_depot(session, user, code)
    if not may_write_stock(user, d):
        raise ApiError(403, f"a {user.role.value} may not change this depot's stock")
    if session.scalar(select(Product.id).where(Product.code == body.product)) is None:
        raise ApiError(404, f"product {body.product} not found")
    adjust_stock(
        session,
        depot=d,
        product=body.product,
        on_hand_delta=body.on_hand_delta,
        reason=body.reason,
        note=body.note,
        actor=user.actor,
    )
    row = session.scalars(
        select(DepotStock).join(Product).where(DepotStock.depot_id == d.id, Product.code == body.product)
    ).one()
    session.commit()
    session.refresh(row)
    return stock_public(row)
