"""Stops and their outcomes: what the driver's phone reads and records at each stop.

* ``GET /stops/{code}``: the stop with its lines, customer name and delivery
  address, cash due, note and receipt numbers and current outcome; the contact
  name and phone only for the register's roles and for the route's crew on the
  route's day;
* ``GET /stops/{code}/outcomes``: every version, oldest first, with postings;
* ``POST /stops/{code}/outcome`` (``Idempotency-Key`` required): the first
  outcome; a driver only on their own routes, from the delivery day until
  noon the next day (``api.policies.driver_write_window``);
* ``POST /stops/{code}/outcome/corrections`` (dispatcher, finance, admin): a
  new version that reverses the previous one.

A stop is seen by whoever sees its route; anyone else gets 404.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from api.deps import API_PREFIX, CurrentUser, SessionDep, SettingsDep, rollback_on_error
from api.errors import ApiError, problem_responses
from api.idempotency import Idempotency, IdempotencyRequiredDep, ledger_key
from api.policies import (
    Principal,
    local_today,
    may_correct_outcome,
    may_see_stop,
    outcome_write_refusal,
    sees_stop_personal,
)
from api.schemas.stops import (
    CurrentOutcome,
    OutcomeCorrection,
    OutcomeCreate,
    OutcomeResultPublic,
    OutcomeVersion,
    StopCustomerDetail,
    StopDetail,
    StopLine,
)
from ledger.outcomes import current_outcome
from ledger.schemas import OutcomeIn, OutcomeResult, parse
from ledger.service import correct_outcome, outcome_history, record_outcome
from models.enums import PaymentTerms
from models.orm import Customer
from models.planning import DeliveryNote, DispatchOrder, PlanRoute, PlanStop, StopKind
from models.settings import Settings

router = APIRouter(prefix="/stops", tags=["stops"])
Code = Annotated[str, Path(min_length=1, max_length=40, description="Stop code, e.g. 20261201-V1-R01-03.")]
WRITE_ERRORS = problem_responses(409)


def visible_stop(session: Session, user: Principal, code: str) -> PlanStop:
    """The stop ``code`` if the caller may see it (its route), else 404."""
    s = session.scalar(
        select(PlanStop)
        .options(
            selectinload(PlanStop.route).selectinload(PlanRoute.plan),
            selectinload(PlanStop.dispatch_order).selectinload(DispatchOrder.customer),
            selectinload(PlanStop.target_depot),
        )
        .where(PlanStop.code == code)
    )
    if s is None or not may_see_stop(user, s.route):
        raise ApiError(404, f"stop {code} not found")
    return s


def _customer(c: Customer, personal: bool) -> StopCustomerDetail:
    return StopCustomerDetail(
        code=c.code,
        name=c.name,
        address=c.address,
        payment_terms=c.payment_terms,
        contact_name=c.contact_name if personal else None,
        phone=c.phone if personal else None,
    )


def detail(session: Session, s: PlanStop, user: Principal, settings: Settings) -> StopDetail:
    r = s.route
    personal = sees_stop_personal(user, r, local_today(settings))
    c = s.dispatch_order.customer if s.dispatch_order is not None else None
    lines = [StopLine.model_validate(ln) for ln in s.lines or []]
    value = sum(ln.cases * (ln.price_fen or 0) for ln in lines) if s.kind == StopKind.DELIVERY else 0
    cod = c is not None and c.payment_terms == PaymentTerms.CASH_ON_DELIVERY
    note = session.scalar(select(DeliveryNote).where(DeliveryNote.stop_id == s.id))
    o = current_outcome(session, s.id)
    return StopDetail(
        id=s.id,
        code=s.code,
        route=r.code,
        date=r.plan.delivery_date,
        plan_status=r.plan.status,
        seq=s.seq,
        kind=s.kind,
        order=s.dispatch_order.number if s.dispatch_order is not None else None,
        customer=_customer(c, personal) if c is not None else None,
        store=s.target_depot.code if s.target_depot is not None else None,
        arrival_s=s.arrival_s,
        service_start_s=s.service_start_s,
        departure_s=s.departure_s,
        kg=s.kg,
        cases=s.cases,
        lines=lines,
        value_fen=value,
        cash_due_fen=value if cod else 0,
        note_number=note.number if note else None,
        receipt_number=note.receipt_number if note else None,
        personal_visible=personal,
        outcome=(
            CurrentOutcome(
                version=o.version,
                status=o.status.value,
                signed=o.signed,
                billed_fen=o.billed_fen,
                cash_collected_fen=o.cash_collected_fen,
                recorded_at=o.recorded_at,
            )
            if o is not None
            else None
        ),
    )


@router.get("/{code}")
def read_stop(session: SessionDep, settings: SettingsDep, user: CurrentUser, code: Code) -> StopDetail:
    """A stop: what to deliver and collect, the customer and the current outcome."""
    return detail(session, visible_stop(session, user, code), user, settings)


@router.get("/{code}/outcomes")
def stop_outcomes(session: SessionDep, user: CurrentUser, code: Code) -> list[OutcomeVersion]:
    """Every version of the stop's outcome, oldest first, with the postings each wrote."""
    visible_stop(session, user, code)
    return [OutcomeVersion.model_validate(v) for v in outcome_history(session, code)]


def _outcome_in(code: str, body: OutcomeCreate) -> OutcomeIn:
    data: dict[str, Any] = body.model_dump(exclude={"reason"})
    return parse(OutcomeIn, {**data, "stop": code})


def _respond(session: Session, idem: Idempotency, code: str, result: OutcomeResult) -> Response:
    out = OutcomeResultPublic(**result.as_dict())
    resp: Response = idem.respond(
        session, 201, out, headers={"Location": f"{API_PREFIX}/stops/{code}/outcomes"}
    )
    return resp


@router.post("/{code}/outcome", status_code=201, responses=WRITE_ERRORS)
def record_stop_outcome(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    code: Code,
    body: OutcomeCreate,
    idem: IdempotencyRequiredDep,
) -> OutcomeResultPublic:
    """Record what happened at the stop (once; 409 if it has an outcome: send a correction).

    Writes, in one transaction, the outcome and its images, the stock movements,
    the orders' statuses and the ledger postings. A driver records only their own
    routes' stops, from the delivery day until noon the next day.
    """
    s = visible_stop(session, user, code)
    refusal = outcome_write_refusal(user, s.route, settings)
    if idem.replay is not None:
        return idem.replay  # type: ignore[return-value]
    if refusal:
        raise ApiError(403, refusal)
    data = _outcome_in(code, body)
    with rollback_on_error(session):
        result = record_outcome(
            session, data, idempotency_key=ledger_key(user.user_id, idem), actor=user.actor
        )
        return _respond(session, idem, code, result)  # type: ignore[return-value]


@router.post("/{code}/outcome/corrections", status_code=201, responses=WRITE_ERRORS)
def correct_stop_outcome(
    session: SessionDep,
    user: CurrentUser,
    code: Code,
    body: OutcomeCorrection,
    idem: IdempotencyRequiredDep,
) -> OutcomeResultPublic:
    """Correct the stop's outcome (dispatcher, finance): a new version; the previous one is reversed."""
    visible_stop(session, user, code)
    if not may_correct_outcome(user):
        raise ApiError(403, f"a {user.role.value} may not correct stop outcomes")
    if idem.replay is not None:
        return idem.replay  # type: ignore[return-value]
    data = _outcome_in(code, body)
    with rollback_on_error(session):
        result = correct_outcome(
            session,
            data,
            reason=body.reason,
            idempotency_key=ledger_key(user.user_id, idem),
            actor=user.actor,
        )
        return _respond(session, idem, code, result)  # type: ignore[return-value]
