"""Townships: read by every role."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from sqlalchemy import func, select

from api.deps import CurrentUser, PageDep, SessionDep
from api.errors import ApiError
from api.schemas.common import ListOf
from api.schemas.register import TownshipPublic
from models.orm import Township

router = APIRouter(prefix="/townships", tags=["townships"])
Code = Annotated[str, Path(min_length=1, max_length=16)]


@router.get("")
def list_townships(session: SessionDep, _: CurrentUser, page: PageDep) -> ListOf[TownshipPublic]:
    """The county's townships, by number."""
    total = session.scalar(select(func.count()).select_from(Township)) or 0
    rows = session.scalars(select(Township).order_by(Township.number).offset(page.offset).limit(page.limit))
    return ListOf(
        data=[TownshipPublic.model_validate(t) for t in rows],
        count=total,
        offset=page.offset,
        limit=page.limit,
    )


@router.get("/{code}")
def read_township(session: SessionDep, _: CurrentUser, code: Code) -> TownshipPublic:
    t = session.scalar(select(Township).where(Township.code == code))
    if t is None:
        raise ApiError(404, f"township {code} not found")
    return TownshipPublic.model_validate(t)
