"""Customers: per-object, with contact data (personal data) only for the roles that need it.

A driver may not list customers; they see a customer (with contact data)
only when it is on one of today's own stops. A store manager lists their
township's customers without contact data.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Path, Query, UploadFile
from sqlalchemy import func, select

from api.deps import CurrentUser, PageDep, SessionDep, SettingsDep
from api.errors import ApiError
from api.policies import (
    Principal,
    customer_filter,
    local_today,
    may_see_customer,
    may_write_customer,
    sees_customer_personal,
    todays_customer_ids,
    where,
)
from api.routes.uploads import counts, with_upload
from api.schemas.common import ListOf
from api.schemas.customers import CustomerCreate, CustomerPublic, CustomerUpdate, ImportResult
from models.codes import customer_code_problem
from models.enums import CustomerStatus, CustomerType
from models.errors import Conflict, InputError
from models.orm import Customer, Township
from services.imports import import_customers

router = APIRouter(prefix="/customers", tags=["customers"])
Code = Annotated[str, Path(min_length=1, max_length=13, description="Unified customer code.")]


def public(c: Customer, personal: bool) -> CustomerPublic:
    return CustomerPublic(
        id=c.id,
        code=c.code,
        name=c.name,
        type=c.type,
        township=c.township.code,
        village=c.village,
        lat=c.lat,
        lon=c.lon,
        cycle_days=c.cycle_days,
        service_24h=c.service_24h,
        payment_terms=c.payment_terms,
        credit_limit_fen=c.credit_limit_fen,
        recv_open_s=c.recv_open_s,
        recv_close_s=c.recv_close_s,
        status=c.status,
        created_at=c.created_at,
        personal_visible=personal,
        contact_name=c.contact_name if personal else None,
        phone=c.phone if personal else None,
        address=c.address if personal else None,
    )


@router.get("")
def list_customers(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    township: Annotated[str | None, Query(max_length=16)] = None,
    type: CustomerType | None = None,
    status: CustomerStatus | None = None,
    q: Annotated[str | None, Query(max_length=100, description="Part of the name or code.")] = None,
) -> ListOf[CustomerPublic]:
    """The register (not for drivers); contact data only for admin, dispatcher and customer service."""
    flt = customer_filter(user)
    if flt is None:
        raise ApiError(403, f"a {user.role.value} may not list customers")
    conds = where(flt)
    if township:
        conds.append(Customer.township_id.in_(select(Township.id).where(Township.code == township)))
    if type:
        conds.append(Customer.type == type)
    if status:
        conds.append(Customer.status == status)
    if q:
        conds.append(
            Customer.name.contains(q, autoescape=True) | Customer.code.startswith(q, autoescape=True)
        )
    total = session.scalar(select(func.count()).select_from(Customer).where(*conds)) or 0
    rows = session.scalars(
        select(Customer).where(*conds).order_by(Customer.code).offset(page.offset).limit(page.limit)
    )
    return ListOf(
        data=[public(c, sees_customer_personal(user, c)) for c in rows],
        count=total,
        offset=page.offset,
        limit=page.limit,
    )


def visible_customer(session: SessionDep, user: Principal, code: str, today_ids: set[int] | None) -> Customer:
    c = session.scalar(select(Customer).where(Customer.code == code))
    if c is None or not may_see_customer(user, c, todays=today_ids):
        raise ApiError(404, f"customer {code} not found")
    return c


def _todays(session: SessionDep, user: Principal, settings: SettingsDep) -> set[int] | None:
    return todays_customer_ids(session, user, local_today(settings)) if user.role == "driver" else None


@router.get("/{code}")
def read_customer(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, code: Code
) -> CustomerPublic:
    """One customer (a driver: only today's own stops)."""
    today_ids = _todays(session, user, settings)
    c = visible_customer(session, user, code, today_ids)
    return public(c, sees_customer_personal(user, c, todays=today_ids))


@router.post("", status_code=201)
def create_customer(session: SessionDep, user: CurrentUser, body: CustomerCreate) -> CustomerPublic:
    """Register a customer (admin, dispatcher, customer service)."""
    if not may_write_customer(user):
        raise ApiError(403, f"a {user.role.value} may not register customers")
    problem = customer_code_problem(body.code)
    if problem:
        raise InputError.single("code", problem, value=body.code)
    township = session.scalar(select(Township).where(Township.code == body.township))
    if township is None:
        raise InputError.single("township", "unknown township", value=body.township)
    if body.recv_open_s >= body.recv_close_s:
        raise InputError.single("recv_close_s", "must be after recv_open_s", value=body.recv_close_s)
    if session.scalar(select(Customer.id).where(Customer.code == body.code)) is not None:
        raise Conflict(f"customer {body.code} is already registered")
    c = Customer(
        **body.model_dump(exclude={"township"}), township_id=township.id, status=CustomerStatus.ACTIVE
    )
    session.add(c)
    session.commit()
    return public(c, True)


@router.patch("/{code}")
def update_customer(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, code: Code, body: CustomerUpdate
) -> CustomerPublic:
    """Change a customer's data (admin, dispatcher, customer service)."""
    c = visible_customer(session, user, code, _todays(session, user, settings))
    if not may_write_customer(user):
        raise ApiError(403, f"a {user.role.value} may not change customers")
    fields = body.model_dump(exclude_unset=True)
    if (
        "cycle_days" in fields
        and fields["cycle_days"] is not None
        and c.cycle_offset is not None
        and c.cycle_offset >= fields["cycle_days"]
    ):
        c.cycle_offset = None
    for k, v in fields.items():
        if v is not None:
            setattr(c, k, v)
    session.commit()
    return public(c, True)


@router.post("/import", status_code=201)
def import_customer_file(
    session: SessionDep,
    user: CurrentUser,
    file: Annotated[UploadFile, File(description="CSV or XLSX.")],
    update: bool = False,
) -> ImportResult:
    """Import customers from CSV/XLSX: all or nothing; a 422 lists every row's errors."""
    if not may_write_customer(user):
        raise ApiError(403, f"a {user.role.value} may not import customers")
    result = with_upload(file, lambda p: import_customers(session, p, update=update, actor=user.actor))
    session.commit()
    return ImportResult(**counts(result))
