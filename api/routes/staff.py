"""Staff: per-object (a driver sees themself, a store manager their store's people); phones to few."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import func, select

from api.deps import CurrentUser, PageDep, SessionDep
from api.errors import ApiError
from api.policies import Principal, may_see_staff, sees_staff_personal, staff_filter, where
from api.schemas.common import ListOf
from api.schemas.register import StaffPublic
from models.enums import StaffRole
from models.orm import Staff

router = APIRouter(prefix="/staff", tags=["staff"])
Code = Annotated[str, Path(min_length=1, max_length=16)]


def public(s: Staff, user: Principal) -> StaffPublic:
    return StaffPublic(
        id=s.id,
        code=s.code,
        name=s.name,
        role=s.role,
        depot=s.depot.code if s.depot else None,
        monthly_wage_fen=s.monthly_wage_fen,
        phone=s.phone if sees_staff_personal(user, s) else None,
        active=s.active,
    )


@router.get("")
def list_staff(
    session: SessionDep, user: CurrentUser, page: PageDep, role: StaffRole | None = None
) -> ListOf[StaffPublic]:
    flt = staff_filter(user)
    if flt is None:
        raise ApiError(403, f"a {user.role.value} may not list staff")
    conds = where(flt) + ([Staff.role == role] if role else [])
    total = session.scalar(select(func.count()).select_from(Staff).where(*conds)) or 0
    rows = session.scalars(
        select(Staff).where(*conds).order_by(Staff.code).offset(page.offset).limit(page.limit)
    )
    return ListOf(data=[public(s, user) for s in rows], count=total, offset=page.offset, limit=page.limit)


@router.get("/{code}")
def read_staff(session: SessionDep, user: CurrentUser, code: Code) -> StaffPublic:
    s = session.scalar(select(Staff).where(Staff.code == code))
    if s is None or not may_see_staff(user, s):
        raise ApiError(404, f"staff member {code} not found")
    return public(s, user)
