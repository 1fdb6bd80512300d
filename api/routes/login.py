"""``POST /login/access-token``: the OAuth2 password flow."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.security import OAuth2PasswordRequestForm

from api.deps import SessionDep, SettingsDep
from api.errors import ApiError, problem_responses
from api.limits import client_of
from api.schemas.accounts import Token
from api.security import create_access_token
from services.accounts import authenticate

router = APIRouter(tags=["login"])


@router.post("/login/access-token", responses=problem_responses(400, 422, 429))
def login_access_token(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    form: Annotated[OAuth2PasswordRequestForm, Depends()],
) -> Token:
    """OAuth2 password flow: a bearer token for ``Authorization: Bearer …`` (rate-limited)."""
    request.app.state.login_limit.check(client_of(request.client), form.username)
    user = authenticate(session, form.username, form.password)
    if user is None:
        raise ApiError(400, "incorrect username or password, or the account is disabled")
    session.commit()
    token, lifetime = create_access_token(settings, user.id)
    return Token(access_token=token, expires_in=lifetime)
