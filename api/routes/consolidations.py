"""Consolidation runs (read-only here; they are made by plan jobs and ``dispatch plan``)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from api.deps import CurrentUser, PageDep, SessionDep
from api.errors import ApiError
from api.policies import CONSOLIDATION_READ
from api.schemas.common import ListOf
from api.schemas.plans import ConsolidationPublic
from models.planning import Consolidation

router = APIRouter(prefix="/consolidations", tags=["consolidations"])


@router.get("")
def list_consolidations(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    date: Annotated[dt.date | None, Query(description="Delivery date.")] = None,
) -> ListOf[ConsolidationPublic]:
    """Cut-off consolidation runs, newest first, with their summaries."""
    if user.role not in CONSOLIDATION_READ:
        raise ApiError(403, f"a {user.role.value} may not see consolidations")
    conds = [Consolidation.delivery_date == date] if date else []
    total = session.scalar(select(func.count()).select_from(Consolidation).where(*conds)) or 0
    rows = session.scalars(
        select(Consolidation)
        .where(*conds)
        .order_by(Consolidation.id.desc())
        .offset(page.offset)
        .limit(page.limit)
    )
    return ListOf(
        data=[
            ConsolidationPublic(
                id=c.id,
                date=c.delivery_date,
                cut_off_at=c.cut_off_at,
                created_at=c.created_at,
                actor=c.actor,
                summary=c.summary,
            )
            for c in rows
        ],
        count=total,
        offset=page.offset,
        limit=page.limit,
    )
