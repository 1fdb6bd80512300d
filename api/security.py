"""Access tokens (pyjwt, HS256) and password hashing (pwdlib argon2, in ``services.accounts``).

The signing key is ``DISPATCH_JWT_SECRET``; when it is unset, a random key is
made once and kept in ``data_dir/.jwt-secret`` (mode 0600), so tokens survive a
restart and every process over the same data folder agrees.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import jwt

from models import clock
from models.settings import Settings
from services.accounts import hash_password, verify_password

ALGORITHM = "HS256"

__all__ = [
    "ALGORITHM",
    "TokenClaims",
    "create_access_token",
    "decode_access_token",
    "hash_password",
    "signing_key",
    "verify_password",
]


@lru_cache(maxsize=8)
def _file_secret(path: Path) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_text().strip()
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def signing_key(settings: Settings) -> str:
    """The HS256 key: the configured secret, else the data folder's generated one."""
    if settings.jwt_secret:
        return settings.jwt_secret
    return _file_secret((settings.data_dir / ".jwt-secret").resolve())


@dataclass(frozen=True)
class TokenClaims:
    user_id: int
    expires: dt.datetime


def create_access_token(
    settings: Settings, user_id: int, *, now: dt.datetime | None = None
) -> tuple[str, int]:
    """``(token, lifetime in seconds)`` for ``user_id``."""
    issued = now or clock.now()
    lifetime = settings.token_expire_minutes * 60
    payload = {
        "sub": str(user_id),
        "iat": issued,
        "exp": issued + dt.timedelta(seconds=lifetime),
        "typ": "access",
    }
    return jwt.encode(payload, signing_key(settings), algorithm=ALGORITHM), lifetime


def decode_access_token(settings: Settings, token: str) -> TokenClaims | None:
    """The claims of a valid, unexpired token, else ``None``.

    Expiry is judged by the product clock (:mod:`models.clock`), not by PyJWT's
    own reading of the machine's time, so a moved clock and the tokens it
    issued agree.
    """
    try:
        data = jwt.decode(
            token,
            signing_key(settings),
            algorithms=[ALGORITHM],
            options={
                "require": ["sub", "exp"],
                "verify_exp": False,
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        if data.get("typ") != "access":
            return None
        expires = dt.datetime.fromtimestamp(data["exp"], dt.UTC)
        if expires <= clock.now():
            return None
        return TokenClaims(int(data["sub"]), expires)
    except (jwt.InvalidTokenError, ValueError, TypeError, OverflowError):
        return None
