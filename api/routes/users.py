"""Users: ``/users/me`` for everyone; the rest for admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path
from sqlalchemy import func, select

from api.deps import CurrentUser, PageDep, SessionDep, require_roles
from api.errors import ApiError
from api.policies import Principal, may_manage_users
from api.schemas.accounts import UserCreate, UserPublic, UserUpdate
from api.schemas.common import ListOf
from models.accounts import User, UserRole
from services.accounts import NewUser, create_user, update_user

router = APIRouter(prefix="/users", tags=["users"])
AdminUser = Annotated[Principal, Depends(require_roles(UserRole.ADMIN))]


def public(u: User) -> UserPublic:
    return UserPublic(
        id=u.id,
        username=u.username,
        full_name=u.full_name,
        role=u.role,
        staff=u.staff.code if u.staff else None,
        active=u.active,
        created_at=u.created_at,
    )


@router.get("/me")
def read_me(session: SessionDep, user: CurrentUser) -> UserPublic:
    """The caller's own account."""
    me = session.get(User, user.user_id)
    assert me is not None
    return public(me)


@router.get("")
def list_users(
    session: SessionDep, _: AdminUser, page: PageDep, role: UserRole | None = None
) -> ListOf[UserPublic]:
    """Every account (admin)."""
    conds = [User.role == role] if role else []
    total = session.scalar(select(func.count()).select_from(User).where(*conds)) or 0
    rows = session.scalars(select(User).where(*conds).order_by(User.id).offset(page.offset).limit(page.limit))
    return ListOf(data=[public(u) for u in rows], count=total, offset=page.offset, limit=page.limit)


@router.post("", status_code=201)
def create(session: SessionDep, _: AdminUser, body: UserCreate) -> UserPublic:
    """Create an account (admin). Drivers and store managers name their staff code."""
    u = create_user(
        session,
        NewUser(
            username=body.username,
            password=body.password,
            role=body.role,
            staff_code=body.staff,
            full_name=body.full_name,
        ),
    )
    session.commit()
    return public(u)


def _visible(session: SessionDep, user: Principal, user_id: int) -> User:
    u = session.get(User, user_id)
    if u is None or not (may_manage_users(user) or u.id == user.user_id):
        raise ApiError(404, f"user {user_id} not found")
    return u


@router.get("/{user_id}")
def read_user(
    session: SessionDep, user: CurrentUser, user_id: Annotated[int, Path(ge=1, le=2**31 - 1)]
) -> UserPublic:
    """One account (admin, or the caller's own)."""
    return public(_visible(session, user, user_id))


@router.patch("/{user_id}")
def update(
    session: SessionDep,
    user: CurrentUser,
    user_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: UserUpdate,
) -> UserPublic:
    """Change an account: role, staff, password, active (admin)."""
    u = _visible(session, user, user_id)
    if not may_manage_users(user):
        raise ApiError(403, "only an admin changes accounts")
    fields: dict[str, Any] = body.model_dump(exclude_unset=True)
    update_user(
        session,
        u,
        password=fields.get("password"),
        role=fields.get("role"),
        staff_code=fields.get("staff"),
        active=fields.get("active"),
        full_name=fields.get("full_name"),
    )
    session.commit()
    return public(u)


@router.delete("/{user_id}", status_code=204)
def delete(session: SessionDep, user: CurrentUser, user_id: Annotated[int, Path(ge=1, le=2**31 - 1)]) -> None:
    """Remove an account (admin; not one's own). Audit trails keep the username they recorded."""
    u = _visible(session, user, user_id)
    if not may_manage_users(user):
        raise ApiError(403, "only an admin removes accounts")
    if u.id == user.user_id:
        raise ApiError(409, "an admin cannot remove their own account")
    session.delete(u)
    session.commit()
