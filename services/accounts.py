"""User accounts: create, authenticate, update; passwords hashed with argon2 (pwdlib).

The functions work inside the caller's transaction (they flush, never commit),
like the rest of the service layer. Passwords are never logged or returned.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import STAFF_SCOPED_ROLES, User, UserRole
from models.errors import Conflict, FieldError, InputError, NotFound
from models.orm import Staff

MIN_PASSWORD = 8
MAX_PASSWORD = 128


@lru_cache(maxsize=1)
def _hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    """An argon2id hash of ``password``."""
    return _hasher().hash(password)


@lru_cache(maxsize=1)
def _dummy_hash() -> str:
    return hash_password("not-a-real-password-0000")


def verify_password(password: str, password_hash: str) -> tuple[bool, str | None]:
    """``(matches, new hash or None)``; a new hash when the parameters changed."""
    return _hasher().verify_and_update(password, password_hash)


@dataclass(frozen=True)
class NewUser:
    username: str
    password: str
    role: UserRole
    staff_code: str | None = None
    full_name: str = ""


def _check_password(password: str, errors: list[FieldError]) -> None:
    if not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
        errors.append(
            FieldError("password", f"must be {MIN_PASSWORD} to {MAX_PASSWORD} characters long", value=None)
        )


def _staff(session: Session, role: UserRole, code: str | None, errors: list[FieldError]) -> Staff | None:
    if code is None:
        if role in STAFF_SCOPED_ROLES:
            errors.append(FieldError("staff", f"a {role.value} user must name a staff member"))
        return None
    staff = session.scalar(select(Staff).where(Staff.code == code))
    if staff is None:
        errors.append(FieldError("staff", "unknown staff member", value=code))
        return None
    if role == UserRole.STORE_MANAGER and staff.depot_id is None:
        errors.append(FieldError("staff", "a store manager must be staff of a depot", value=code))
    return staff


def create_user(session: Session, new: NewUser) -> User:
    """Create a user; :class:`InputError` names every bad field, :class:`Conflict` a taken username."""
    errors: list[FieldError] = []
    username = new.username.strip()
    if not username or len(username) > 64:
        errors.append(FieldError("username", "must be 1 to 64 characters", value=new.username))
    _check_password(new.password, errors)
    staff = _staff(session, new.role, new.staff_code, errors)
    if errors:
        raise InputError(errors, context="user not created")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise Conflict(f"username {username!r} is taken")
    user = User(
        username=username,
        full_name=new.full_name,
        password_hash=hash_password(new.password),
        role=new.role,
        staff_id=staff.id if staff else None,
        active=True,
    )
    session.add(user)
    session.flush()
    return user


def update_user(
    session: Session,
    user: User,
    *,
    password: str | None = None,
    role: UserRole | None = None,
    staff_code: str | None = None,
    active: bool | None = None,
    full_name: str | None = None,
) -> User:
    """Change the given fields of ``user`` (``None`` leaves a field as it is)."""
    errors: list[FieldError] = []
    if password is not None:
        _check_password(password, errors)
    new_role = role or user.role
    staff = user.staff
    if staff_code is not None or (role is not None and role in STAFF_SCOPED_ROLES and user.staff_id is None):
        staff = _staff(session, new_role, staff_code, errors)
    if errors:
        raise InputError(errors, context="user not updated")
    if password is not None:
        user.password_hash = hash_password(password)
    user.role = new_role
    user.staff_id = staff.id if staff else None
    if active is not None:
        user.active = active
    if full_name is not None:
        user.full_name = full_name
    session.flush()
    return user


def authenticate(session: Session, username: str, password: str) -> User | None:
    """The active user with this username and password, else ``None`` (same cost either way)."""
    user = session.scalar(select(User).where(User.username == username))
    if user is None:
        verify_password(password, _dummy_hash())
        return None
    ok, new_hash = verify_password(password, user.password_hash)
    if not ok or not user.active:
        return None
    if new_hash:
        user.password_hash = new_hash
        session.flush()
    return user


def get_user(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("user", user_id)
    return user
