"""The backlog: every open order of a past day, with its state, reason and age (``services.backlog``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentUser, SessionDep
from api.errors import ApiError
from api.policies import BACKLOG_READ
from api.schemas.backlog import BacklogEntryPublic, BacklogPublic
from services.backlog import backlog

router = APIRouter(prefix="/backlog", tags=["backlog"])


@router.get("")
def read_backlog(
    session: SessionDep,
    user: CurrentUser,
    as_of: Annotated[
        dt.date | None,
        Query(description="Orders due before this day (default: today, in the installation's time zone)."),
    ] = None,
) -> BacklogPublic:
    """Held, unassigned (carried), unconfirmed, back-ordered and not-yet-recorded orders of past days."""
    if user.role not in BACKLOG_READ:
        raise ApiError(403, f"a {user.role.value} may not see the backlog")
    if as_of is not None and not dt.date(2000, 1, 1) <= as_of <= dt.date(2999, 12, 31):
        raise ApiError(422, "as_of must be between 2000-01-01 and 2999-12-31")
    b = backlog(session, as_of)
    return BacklogPublic(
        as_of=dt.date.fromisoformat(b.as_of),
        open=len(b.orders),
        cases=sum(e.cases for e in b.orders),
        counts=b.counts,
        orders=[BacklogEntryPublic(**e.__dict__) for e in b.orders],
    )
