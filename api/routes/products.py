"""Products: read by every role, changed by admins."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path
from sqlalchemy import func, select

from api.deps import CurrentUser, PageDep, SessionDep
from api.errors import ApiError
from api.policies import Principal, may_write_reference
from api.schemas.common import ListOf
from api.schemas.register import ProductCreate, ProductPublic, ProductUpdate
from models.errors import Conflict
from models.orm import Product

router = APIRouter(prefix="/products", tags=["products"])
Code = Annotated[str, Path(min_length=1, max_length=16)]


def _writer(user: CurrentUser) -> Principal:
    if not may_write_reference(user):
        raise ApiError(403, f"a {user.role.value} may not change products")
    return user


Admin = Annotated[Principal, Depends(_writer)]


@router.get("")
def list_products(
    session: SessionDep, _: CurrentUser, page: PageDep, active: bool | None = None
) -> ListOf[ProductPublic]:
    conds = [Product.active == active] if active is not None else []
    total = session.scalar(select(func.count()).select_from(Product).where(*conds)) or 0
    rows = session.scalars(
        select(Product).where(*conds).order_by(Product.code).offset(page.offset).limit(page.limit)
    )
    return ListOf(
        data=[ProductPublic.model_validate(p) for p in rows],
        count=total,
        offset=page.offset,
        limit=page.limit,
    )


def _product(session: SessionDep, code: str) -> Product:
    p = session.scalar(select(Product).where(Product.code == code))
    if p is None:
        raise ApiError(404, f"product {code} not found")
    return p


@router.get("/{code}")
def read_product(session: SessionDep, _: CurrentUser, code: Code) -> ProductPublic:
    return ProductPublic.model_validate(_product(session, code))


@router.post("", status_code=201)
def create_product(session: SessionDep, _: Admin, body: ProductCreate) -> ProductPublic:
    if session.scalar(select(Product.id).where(Product.code == body.code)) is not None:
        raise Conflict(f"product {body.code} exists")
    p = Product(**body.model_dump(), active=True)
    session.add(p)
    session.commit()
    return ProductPublic.model_validate(p)


@router.patch("/{code}")
def update_product(session: SessionDep, _: Admin, code: Code, body: ProductUpdate) -> ProductPublic:
    p = _product(session, code)
    for k, v in body.model_dump(exclude_unset=True).items():
        if v is not None:
            setattr(p, k, v)
    session.commit()
    return ProductPublic.model_validate(p)
