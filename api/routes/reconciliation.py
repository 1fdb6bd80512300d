"""Reconciliation (JSON and XLSX) and its flags: finance, managers and the dispatcher read; finance acts.

A flag's id holds slashes (``2026-12-01/cash_short/E003``): ``/flags/{id}``
takes the rest of the path, so it can be sent as is (or percent-encoded).
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy.orm import Session

from api.deps import CurrentUser, PageDep, SessionDep, rollback_on_error
from api.errors import ApiError
from api.policies import Principal, may_read_reconciliation, may_see_flags, may_set_flag_status
from api.schemas.common import ListOf
from api.schemas.finance import FlagDetail, FlagPublic, FlagStatusUpdate, ReconciliationPublic
from ledger.facts import gather
from ledger.flags import compute_flags
from ledger.service import flag_history, reconcile, set_flag_status
from ledger.xlsx import write_reconciliation
from models.errors import InputError, NotFound

router = APIRouter(tags=["reconciliation"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DateQ = Annotated[dt.date | None, Query(description="The day (default: the latest planned day).")]
FlagId = Annotated[
    str,
    Path(
        min_length=1,
        max_length=120,
        description="Flag id, e.g. 2026-12-01/cash_short/E003 (slashes allowed).",
    ),
]


def _reader(user: Principal) -> None:
    if not may_read_reconciliation(user):
        raise ApiError(403, f"a {user.role.value} may not read the reconciliation")


@router.get("/reconciliation")
def read_reconciliation(session: SessionDep, user: CurrentUser, date: DateQ = None) -> ReconciliationPublic:
    """The day's reconciliation: per route, driver, store and customer, and every difference flagged."""
    _reader(user)
    return ReconciliationPublic.model_validate(reconcile(session, date))


@router.get(
    "/reconciliation.xlsx",
    response_class=Response,
    responses={
        200: {
            "description": "The workbook: summary, flags, routes, drivers, stores, customers, stops.",
            "content": {
                XLSX: {"schema": {"type": "string", "format": "binary", "examples": ["PK\u0003\u0004…"]}}
            },
        }
    },
)
def reconciliation_workbook(session: SessionDep, user: CurrentUser, date: DateQ = None) -> Response:
    """The same reconciliation as an XLSX workbook (money in fen and in yuan)."""
    _reader(user)
    rec = reconcile(session, date)
    with tempfile.TemporaryDirectory(prefix="reconcile-") as tmp:
        path = write_reconciliation(rec, FilePath(tmp) / "reconcile.xlsx")
        data = path.read_bytes()
    name = f"reconciliation-{rec['date']}.xlsx"
    return Response(data, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@router.get("/flags")
def list_flags(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    date: DateQ = None,
    status: Annotated[str | None, Query(pattern="^(open|explained|resolved)$")] = None,
    kind: Annotated[
        str | None, Query(max_length=40, description="e.g. cash_short, missing_signature.")
    ] = None,
    route: Annotated[str | None, Query(max_length=32)] = None,
    driver: Annotated[str | None, Query(max_length=16, description="Staff code.")] = None,
) -> ListOf[FlagPublic]:
    """The day's flags (every difference the reconciliation finds), filtered; with finance's status."""
    if not may_see_flags(user):
        raise ApiError(403, f"a {user.role.value} may not read flags")
    try:
        flags, _ = compute_flags(session, gather(session, date))
    except NotFound:  # no plan that day: nothing to flag
        flags = []
    wanted = {"status": status, "kind": kind, "route": route, "driver": driver}
    rows = [f for f in flags if all(v is None or f.get(k) == v for k, v in wanted.items())]
    data = [FlagPublic.model_validate(f) for f in rows[page.offset : page.offset + page.limit]]
    return ListOf(data=data, count=len(rows), offset=page.offset, limit=page.limit)


def flag_detail(session: Session, flag_id: str) -> FlagDetail:
    """The flag as found now (or as stored, if its cause went away) with its history; else NotFound."""
    try:
        day = dt.date.fromisoformat(flag_id.split("/", 1)[0])
    except ValueError:
        raise NotFound("flag", flag_id) from None
    try:
        flags, cleared = compute_flags(session, gather(session, day))
    except NotFound:
        raise NotFound("flag", flag_id) from None
    found: dict[str, Any] | None = next((f for f in flags if f["id"] == flag_id), None)
    current = found is not None
    if found is None:
        found = next((f for f in cleared if f["id"] == flag_id), None)
    if found is None:
        raise NotFound("flag", flag_id)
    return FlagDetail.model_validate({**found, "current": current, "history": flag_history(session, flag_id)})


@router.get("/flags/{flag_id:path}")
def read_flag(session: SessionDep, user: CurrentUser, flag_id: FlagId) -> FlagDetail:
    """One flag with every status change finance made (who, when, why)."""
    if not may_see_flags(user):
        raise ApiError(404, f"flag {flag_id} not found")
    return flag_detail(session, flag_id)


@router.patch("/flags/{flag_id:path}")
def update_flag(
    session: SessionDep, user: CurrentUser, flag_id: FlagId, body: FlagStatusUpdate
) -> FlagDetail:
    """Mark a flag explained or resolved (or open again), with a comment (finance); history is kept."""
    if not may_see_flags(user):
        raise ApiError(404, f"flag {flag_id} not found")
    if not may_set_flag_status(user):
        raise ApiError(403, f"a {user.role.value} may not change flags")
    with rollback_on_error(session):
        try:
            set_flag_status(session, flag_id, status=body.status, comment=body.comment, actor=user.actor)
        except InputError as exc:
            if any(e.field == "flag" for e in exc.errors):
                raise NotFound("flag", flag_id) from None
            raise
        session.commit()
    return flag_detail(session, flag_id)
