"""Typed dependencies: settings, the database session, the current user, role requirements, paging.

``CurrentUser`` is a :class:`~api.policies.Principal`: the user with what
per-object access keys on (role, staff member, the staff member's depot and
township), loaded once per request.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi.security import OAuth2PasswordBearer
from sqlalchemy.orm import Session

from api.errors import ApiError
from api.policies import Principal
from api.security import decode_access_token
from models.accounts import User, UserRole
from models.db import session_factory
from models.settings import Settings

API_PREFIX = "/api/v1"
PAGE_DEFAULT = 50
PAGE_MAX = 200

oauth2 = OAuth2PasswordBearer(tokenUrl=f"{API_PREFIX}/login/access-token", auto_error=False)


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_session(settings: SettingsDep) -> Iterator[Session]:
    """One session per request; the route commits, anything else is rolled back."""
    session = session_factory(settings)()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


SessionDep = Annotated[Session, Depends(get_session)]
TokenDep = Annotated[str | None, Depends(oauth2)]

UNAUTHENTICATED = {"WWW-Authenticate": "Bearer"}


def get_current_user(settings: SettingsDep, session: SessionDep, token: TokenDep) -> Principal:
    if not token:
        raise ApiError(401, "log in first: POST /api/v1/login/access-token", headers=UNAUTHENTICATED)
    claims = decode_access_token(settings, token)
    if claims is None:
        raise ApiError(401, "the access token is invalid or expired", headers=UNAUTHENTICATED)
    user = session.get(User, claims.user_id)
    if user is None or not user.active:
        raise ApiError(401, "the account is unknown or disabled", headers=UNAUTHENTICATED)
    principal = Principal.of(user)
    session.rollback()  # give the connection back: a request never holds two (see api.idempotency)
    return principal


CurrentUser = Annotated[Principal, Depends(get_current_user)]


def require_roles(*roles: UserRole) -> Callable[[Principal], Principal]:
    """A dependency that refuses (403) every role but ``roles``: for collections and creations."""
    allowed = frozenset(roles)

    def check(user: CurrentUser) -> Principal:
        if user.role not in allowed:
            raise ApiError(403, f"a {user.role.value} may not do this")
        return user

    return check


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


def get_page(
    offset: Annotated[int, Query(ge=0, le=1_000_000, description="Rows to skip.")] = 0,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX, description=f"Rows to return (at most {PAGE_MAX}).")] = (
        PAGE_DEFAULT
    ),
) -> Page:
    return Page(offset, limit)


PageDep = Annotated[Page, Depends(get_page)]


@contextmanager
def rollback_on_error(session: Session) -> Iterator[None]:
    """Roll ``session`` back at once if the block fails.

    A ledger write takes SQLite's write lock (``BEGIN IMMEDIATE``) at its first
    statement; giving it back before the request's dependencies are torn down
    lets the idempotency claim be released (in its own connection) without
    waiting for it.
    """
    try:
        yield
    except BaseException:
        session.rollback()
        raise
