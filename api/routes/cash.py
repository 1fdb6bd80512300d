"""Cash after the round: handovers, store day reports, store remittances, monthly-account payments.

Cash is recorded by whoever receives and counts it (see ``api.policies``):
the service centre's desk (dispatcher, finance, admin) records every driver's
handover and every store's remittance; a store manager records the handovers
of their own store's staff and their store's day report; finance records
customers' bank payments. A driver reads their own handovers but does not
record them. Every write takes an ``Idempotency-Key`` (required).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.deps import CurrentUser, PageDep, SessionDep, rollback_on_error
from api.errors import ApiError, problem_responses
from api.idempotency import Idempotency, IdempotencyRequiredDep, ledger_key
from api.policies import (
    Principal,
    handover_filter,
    may_receive_handover,
    may_record_handovers,
    may_record_payment,
    may_record_remittance,
    may_report_store_day,
    may_see_store_day,
    where,
)
from api.schemas.cash import (
    HandoverCreate,
    HandoverPublic,
    HandoverRecord,
    PaymentCreate,
    PaymentPublic,
    RemittanceCreate,
    RemittancePublic,
    StoreReportCreate,
    StoreReportPublic,
)
from api.schemas.common import ListOf
from ledger.orm import Handover
from ledger.schemas import parse
from ledger.service import (
    HandoverIn,
    PaymentIn,
    RemittanceIn,
    StoreReportIn,
    record_handover,
    record_payment,
    record_remittance,
    record_store_report,
)
from models.enums import DepotKind
from models.errors import InputError
from models.orm import Depot, Staff

router = APIRouter(tags=["cash"])
StoreCode = Annotated[str, Path(min_length=1, max_length=16, description="Depot code of a store, e.g. S06.")]
WRITE_ERRORS = problem_responses(409)


def _write(session: Session, idem: Idempotency, out: Any) -> Response:
    resp: Response = idem.respond(session, 201, out)
    return resp


def _handover_target(session: Session, user: Principal, body: HandoverCreate) -> None:
    """A store manager records their own store's staff only (others: unknown), handing over to their store."""
    staff = session.scalar(select(Staff).where(Staff.code == body.staff))
    if staff is None or not may_receive_handover(user, staff, None):
        raise InputError.single("staff", "no such staff member", value=body.staff)
    to = session.scalar(select(Depot).where(Depot.code == body.to)) if body.to else None
    if to is not None and not may_receive_handover(user, staff, to):
        raise InputError.single(
            "to", "a store's staff hand their cash over at their own store", value=body.to
        )


@router.post("/handovers", status_code=201, responses=WRITE_ERRORS)
def create_handover(
    session: SessionDep, user: CurrentUser, body: HandoverCreate, idem: IdempotencyRequiredDep
) -> HandoverPublic:
    """Record a driver's (or store staff member's) end-of-day handover, as counted by who receives it.

    ``difference_fen`` = counted − what the ledger says they held; a shortfall
    stays on their cash account and is flagged by the reconciliation.
    """
    if not may_record_handovers(user):
        raise ApiError(403, f"a {user.role.value} may not record handovers (the receiving desk does)")
    if idem.replay is not None:
        return idem.replay  # type: ignore[return-value]
    _handover_target(session, user, body)
    data = parse(HandoverIn, body.model_dump())
    with rollback_on_error(session):
        out = record_handover(session, data, idempotency_key=ledger_key(user.user_id, idem), actor=user.actor)
        return _write(session, idem, HandoverPublic(**out))  # type: ignore[return-value]


@router.get("/handovers")
def list_handovers(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    date: Annotated[dt.date | None, Query(description="Day of the handover.")] = None,
    staff: Annotated[str | None, Query(max_length=16, description="Staff code.")] = None,
    to: Annotated[str | None, Query(max_length=16, description="Depot code that received the cash.")] = None,
) -> ListOf[HandoverRecord]:
    """Handovers, newest first (a driver: their own; a store manager: their store's)."""
    flt = handover_filter(user)
    if flt is None:
        raise ApiError(403, f"a {user.role.value} may not list handovers")
    conds = where(flt)
    if date:
        conds.append(Handover.on_date == date)
    if staff:
        conds.append(Staff.code == staff)
    if to:
        conds.append(Handover.to_depot_id.in_(select(Depot.id).where(Depot.code == to)))
    base = select(Handover, Staff.code).join(Staff, Staff.id == Handover.staff_id).where(*conds)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    depots = {i: c for i, c in session.execute(select(Depot.id, Depot.code))}
    rows = session.execute(
        base.order_by(Handover.on_date.desc(), Handover.id.desc()).offset(page.offset).limit(page.limit)
    )
    data = [
        HandoverRecord(
            id=h.id,
            staff=code,
            date=h.on_date,
            to=depots.get(h.to_depot_id),
            counted_fen=h.counted_fen,
            denominations=h.denominations,
            notes_returned=h.notes_returned,
            note=h.note,
            recorded_by=h.recorded_by,
            recorded_at=h.recorded_at,
        )
        for h, code in rows
    ]
    return ListOf(data=data, count=total, offset=page.offset, limit=page.limit)


@router.post("/stores/{code}/reports", status_code=201, responses=WRITE_ERRORS)
def create_store_report(
    session: SessionDep,
    user: CurrentUser,
    code: StoreCode,
    body: StoreReportCreate,
    idem: IdempotencyRequiredDep,
) -> StoreReportPublic:
    """A store's report of its day to the service centre (its manager; the centre on its behalf)."""
    store = session.scalar(select(Depot).where(Depot.code == code, Depot.kind == DepotKind.STORE))
    if store is None or not may_see_store_day(user, store):
        raise ApiError(404, f"store {code} not found")
    if not may_report_store_day(user, store):
        raise ApiError(403, f"a {user.role.value} may not report a store's day")
    if idem.replay is not None:
        return idem.replay  # type: ignore[return-value]
    data = parse(StoreReportIn, {**body.model_dump(), "store": code})
    with rollback_on_error(session):
        out = record_store_report(
            session, data, idempotency_key=ledger_key(user.user_id, idem), actor=user.actor
        )
        return _write(session, idem, StoreReportPublic(**out))  # type: ignore[return-value]


@router.post("/remittances", status_code=201, responses=WRITE_ERRORS)
def create_remittance(
    session: SessionDep, user: CurrentUser, body: RemittanceCreate, idem: IdempotencyRequiredDep
) -> RemittancePublic:
    """A store's cash paid in to the centre, recorded by the centre's desk."""
    if not may_record_remittance(user):
        raise ApiError(403, f"a {user.role.value} may not record remittances (the centre's desk does)")
    if idem.replay is not None:
        return idem.replay  # type: ignore[return-value]
    data = parse(RemittanceIn, body.model_dump())
    with rollback_on_error(session):
        out = record_remittance(
            session, data, idempotency_key=ledger_key(user.user_id, idem), actor=user.actor
        )
        return _write(session, idem, RemittancePublic(**out))  # type: ignore[return-value]


@router.post("/payments", status_code=201, responses=WRITE_ERRORS)
def create_payment(
    session: SessionDep, user: CurrentUser, body: PaymentCreate, idem: IdempotencyRequiredDep
) -> PaymentPublic:
    """A monthly-account customer's payment into the bank (finance)."""
    if not may_record_payment(user):
        raise ApiError(403, f"a {user.role.value} may not record payments")
    if idem.replay is not None:
        return idem.replay  # type: ignore[return-value]
    data = parse(PaymentIn, body.model_dump())
    with rollback_on_error(session):
        out = record_payment(session, data, idempotency_key=ledger_key(user.user_id, idem), actor=user.actor)
        return _write(session, idem, PaymentPublic(**out))  # type: ignore[return-value]
