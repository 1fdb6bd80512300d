"""Stop outcomes: written once per idempotency key, corrected by new versions that reverse the old.

``record_outcome`` and ``correct_outcome`` run inside the caller's transaction
(one operation = one transaction: the CLI and the API open a session, call
one of them, commit). Everything an outcome causes is written together: the
outcome row, its images, the stock movements, the source orders' statuses and
the ledger postings (goods delivered; cash collected). On a crash nothing of
it survives, or all of it does.

Idempotency, as Formance and Stripe describe it: the same key with the same
content returns the first result (``replayed=True``) and writes nothing; the
same key with other content is refused (:class:`Conflict`).
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.orm import Media, OutcomeStatus, PaymentMethod, Posting, PostingKind, StopOutcome
from ledger.postings import depot_cash_spec as _depot_cash
from ledger.postings import ensure_accounts, post, receivable_spec, revenue_spec, reverse, staff_cash_spec
from ledger.receipts import format_number, parse_number
from ledger.schemas import OutcomeIn, OutcomeResult, parse
from ledger.stock import advance_orders, apply_stock, reverse_stock
from ledger.tx import begin_write, content_hash, dialect, lock
from models.errors import Conflict, FieldError, InputError, NotFound
from models.orm import Customer, Depot, Staff
from models.planning import DispatchOrder, Plan, PlanRoute, PlanStop, StopKind

_MIME = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF8", "image/gif"),
    (b"RIFF", "image/webp"),
)


def record_outcome(
    session: Session, data: OutcomeIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> OutcomeResult:
    """Record a stop's first outcome. Raises Conflict if it already has one (send a correction)."""
    return _write(session, parse(OutcomeIn, data), key=idempotency_key, actor=actor, correction=None)


def correct_outcome(
    session: Session, data: OutcomeIn | dict[str, Any], *, reason: str, idempotency_key: str, actor: str
) -> OutcomeResult:
    """Write a new version of a stop's outcome; the old version's postings and stock moves are reversed."""
    if not reason or not reason.strip():
        raise InputError.single("reason", "a correction needs a reason")
    return _write(
        session, parse(OutcomeIn, data), key=idempotency_key, actor=actor, correction=reason.strip()
    )


def current_outcome(session: Session, stop_id: int) -> StopOutcome | None:
    q = select(StopOutcome).where(StopOutcome.stop_id == stop_id).order_by(StopOutcome.version.desc())
    return session.scalars(q).first()


def _result(session: Session, o: StopOutcome, stop_code: str, *, replayed: bool) -> OutcomeResult:
    ids = list(
        session.scalars(select(Posting.id).where(Posting.outcome_id == o.id).order_by(Posting.created_at))
    )
    return OutcomeResult(
        outcome_id=o.id,
        stop=stop_code,
        version=o.version,
        status=o.status.value,
        billed_fen=o.billed_fen,
        cash_collected_fen=o.cash_collected_fen,
        postings=ids,
        replayed=replayed,
    )


def _check_key(key: str) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > 160:
        raise InputError.single("idempotency_key", "must be 1–160 characters", value=key)
    return key.strip()


def _replay(session: Session, key: str, h: str, stop_code: str) -> OutcomeResult | None:
    prior = session.scalars(select(StopOutcome).where(StopOutcome.idempotency_key == key)).first()
    if prior is None:
        return None
    if prior.content_hash != h:
        raise Conflict(f"idempotency key {key!r} was already used for different content")
    return _result(session, prior, stop_code, replayed=True)


def _write(
    session: Session, data: OutcomeIn, *, key: str, actor: str, correction: str | None
) -> OutcomeResult:
    key = _check_key(key)
    begin_write(session)
    stop = lock(session, select(PlanStop).where(PlanStop.code == data.stop))
    if stop is None:
        raise NotFound("stop", data.stop)
    h = content_hash({"op": "correct" if correction else "record", "reason": correction, **data.hashable()})
    replay = _replay(session, key, h, stop.code)
    if replay is not None:
        return replay
    prior = current_outcome(session, stop.id)
    if correction is None and prior is not None:
        raise Conflict(
            f"stop {stop.code} already has an outcome (version {prior.version}); "
            "send a correction to change it"
        )
    if correction is not None and prior is None:
        raise Conflict(f"stop {stop.code} has no outcome to correct; record one first")
    try:
        with session.begin_nested():
            return _store(session, data, stop, prior, key=key, h=h, actor=actor, correction=correction)
    except IntegrityError:
        # a concurrent writer won the race for this key or this version: answer as it did
        replay = _replay(session, key, h, stop.code)
        if replay is not None:
            return replay
        raise Conflict(f"stop {stop.code} was changed by another write at the same time; retry") from None


def _lines(data: OutcomeIn, stop: PlanStop) -> tuple[list[dict[str, Any]], OutcomeStatus, int]:
    """The stored lines, the status and the billed amount; every problem named by field."""
    planned = {ln["product"]: ln for ln in stop.lines or []}
    errors: list[FieldError] = []
    seen: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for i, ln in enumerate(data.lines):
        where = f"lines[{i}]"
        if ln.product not in planned:
            errors.append(FieldError(f"{where}.product", f"not on stop {stop.code}", value=ln.product))
            continue
        if ln.product in seen:
            errors.append(FieldError(f"{where}.product", "given twice", value=ln.product))
            continue
        seen[ln.product] = i
        p = planned[ln.product]
        cases = int(p["cases"])
        if ln.delivered_cases > cases:
            errors.append(
                FieldError(
                    f"{where}.delivered_cases",
                    f"more than the {cases} cases loaded",
                    value=ln.delivered_cases,
                )
            )
        if ln.shortfall is not None and ln.delivered_cases == cases:
            errors.append(FieldError(f"{where}.shortfall", "every case was delivered", value=ln.shortfall))
        shortfall = ln.shortfall or ("short" if ln.delivered_cases < cases else None)
        out.append(
            {
                "product": ln.product,
                "ordered_cases": int(p.get("ordered_cases", cases)),
                "planned_cases": cases,
                "delivered_cases": ln.delivered_cases,
                "price_fen": int(p["price_fen"]),
                "shortfall": shortfall,
                "reason": ln.reason,
            }
        )
    for product in planned:
        if product not in seen and all(e.value != product for e in errors):
            errors.append(
                FieldError("lines", "missing: say how many cases were delivered (0 if none)", value=product)
            )
    if data.signed and not data.signer_name:
        errors.append(FieldError("signer_name", "a signed note needs the signer's name"))
    if not data.signed and not data.not_signed_reason:
        errors.append(FieldError("not_signed_reason", "say why the note is not signed"))
    if stop.kind == StopKind.REPLENISHMENT and data.cash_collected_fen:
        errors.append(
            FieldError(
                "cash_collected_fen", "a store replenishment collects no cash", value=data.cash_collected_fen
            )
        )
    if errors:
        raise InputError(errors, context=f"outcome of {stop.code}")
    delivered = sum(ln["delivered_cases"] for ln in out)
    planned_total = sum(ln["planned_cases"] for ln in out)
    status = (
        OutcomeStatus.REFUSED
        if delivered == 0
        else OutcomeStatus.DELIVERED
        if delivered == planned_total
        else OutcomeStatus.SHORT
    )
    billed = (
        sum(ln["delivered_cases"] * ln["price_fen"] for ln in out) if stop.kind == StopKind.DELIVERY else 0
    )
    return out, status, billed


def _media(session: Session, blob: bytes | None, field: str) -> int | None:
    if not blob:
        return None
    mime = next((m for magic, m in _MIME if blob.startswith(magic)), None)
    if mime is None:
        raise InputError.single(field, "must be a PNG, JPEG, GIF or WebP image")
    sha = hashlib.sha256(blob).hexdigest()
    ins = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
    session.execute(
        ins(Media)
        .values(sha256=sha, mime=mime, size=len(blob), data=blob)
        .on_conflict_do_nothing(index_elements=["sha256"])
    )
    return session.scalars(select(Media.id).where(Media.sha256 == sha)).one()


def _store(
    session: Session,
    data: OutcomeIn,
    stop: PlanStop,
    prior: StopOutcome | None,
    *,
    key: str,
    h: str,
    actor: str,
    correction: str | None,
) -> OutcomeResult:
    route = session.get(PlanRoute, stop.route_id)
    plan = session.get(Plan, stop.plan_id)
    assert route is not None and plan is not None
    lines, status, billed = _lines(data, stop)
    customer = None
    if stop.kind == StopKind.DELIVERY:
        d = session.get(DispatchOrder, stop.dispatch_order_id)
        customer = session.get(Customer, d.customer_id) if d else None
    method = PaymentMethod(data.payment_method or customer.payment_terms.value) if customer else None
    receipt = format_number(parse_number(data.receipt_number)) if data.receipt_number else None
    version = 1 if prior is None else prior.version + 1
    tag = f"outcome of {stop.code} v{version}"
    if prior is not None and prior.stock_movement_ids:
        reverse_stock(session, prior.stock_movement_ids, actor=actor, note=f"correction: {tag}")
    delivered = {ln["product"]: ln["delivered_cases"] for ln in lines}
    damaged = {
        ln["product"]: ln["planned_cases"] - ln["delivered_cases"]
        for ln in lines
        if ln["shortfall"] == "damaged"
    }
    # only this version's own movements are kept on it: the next correction reverses exactly these
    moved = apply_stock(session, stop, route, plan, delivered, actor=actor, note=tag, damaged=damaged)
    o = StopOutcome(
        stop_id=stop.id,
        version=version,
        supersedes_id=prior.id if prior else None,
        idempotency_key=key,
        content_hash=h,
        status=status,
        lines=lines,
        signed=data.signed,
        signer_name=data.signer_name if data.signed else None,
        not_signed_reason=None if data.signed else data.not_signed_reason,
        signature_media_id=_media(session, data.signature, "signature"),
        photo_media_id=_media(session, data.photo, "photo"),
        occurred_at=data.occurred_at,
        lat=data.lat,
        lon=data.lon,
        payment_method=method,
        billed_fen=billed,
        cash_collected_fen=data.cash_collected_fen,
        receipt_number=receipt,
        stock_movement_ids=moved,
        correction_reason=correction,
        note=data.note,
        recorded_by=actor,
    )
    session.add(o)
    session.flush()
    day = plan.delivery_date
    if prior is not None:
        for old in session.scalars(
            select(Posting.id).where(Posting.outcome_id == prior.id, Posting.kind != PostingKind.REVERSAL)
        ):
            reverse(
                session,
                old,
                key=f"{key}/reverse/{old}",
                request_hash=h,
                value_date=day,
                actor=actor,
                memo=f"correction of {stop.code}: {correction}",
                outcome_id=o.id,
            )
    if customer is not None:
        _post_money(session, o, stop, route, customer, key=key, h=h, day=day, actor=actor)
    if stop.kind == StopKind.DELIVERY:
        advance_orders(
            session,
            stop,
            status,
            actor=actor,
            reason=f"{tag}: {status.value}",
            detail={"stop": stop.code, "outcome_id": o.id, "billed_fen": billed},
        )
    session.flush()
    return _result(session, o, stop.code, replayed=False)


def _post_money(
    session: Session,
    o: StopOutcome,
    stop: PlanStop,
    route: PlanRoute,
    customer: Customer,
    *,
    key: str,
    h: str,
    day: Any,
    actor: str,
) -> None:
    driver = session.get(Staff, route.driver_id) if route.driver_id else None
    holder = staff_cash_spec(driver) if driver else _depot_cash(session.get(Depot, route.depot_id))  # type: ignore[arg-type]
    acc = ensure_accounts(session, [receivable_spec(customer), revenue_spec(), holder])
    recv, rev, cash = acc[f"receivable:{customer.code}"], acc["revenue:sales"], acc[holder["code"]]
    if o.billed_fen:
        post(
            session,
            kind=PostingKind.DELIVERY,
            key=f"{key}/delivery",
            request_hash=h,
            value_date=day,
            legs=[(recv, o.billed_fen), (rev, -o.billed_fen)],
            actor=actor,
            outcome_id=o.id,
            memo=f"goods delivered at {stop.code} to {customer.code}",
        )
    if o.cash_collected_fen:
        post(
            session,
            kind=PostingKind.CASH_COLLECTED,
            key=f"{key}/cash",
            request_hash=h,
            value_date=day,
            legs=[(cash, o.cash_collected_fen), (recv, -o.cash_collected_fen)],
            actor=actor,
            outcome_id=o.id,
            memo=f"cash collected at {stop.code}"
            + (f", receipt {o.receipt_number}" if o.receipt_number else ""),
        )


def outcome_history(session: Session, stop_code: str) -> list[dict[str, Any]]:
    """Every version of a stop's outcome, oldest first, with its postings."""
    stop = session.scalars(select(PlanStop).where(PlanStop.code == stop_code)).first()
    if stop is None:
        raise NotFound("stop", stop_code)
    out = []
    for o in session.scalars(
        select(StopOutcome).where(StopOutcome.stop_id == stop.id).order_by(StopOutcome.version)
    ):
        postings = session.scalars(
            select(Posting).where(Posting.outcome_id == o.id).order_by(Posting.created_at)
        )
        out.append(
            {
                "id": o.id,
                "version": o.version,
                "status": o.status.value,
                "lines": o.lines,
                "signed": o.signed,
                "signer_name": o.signer_name,
                "not_signed_reason": o.not_signed_reason,
                "has_signature_image": o.signature_media_id is not None,
                "has_photo": o.photo_media_id is not None,
                "occurred_at": o.occurred_at.isoformat(),
                "lat": o.lat,
                "lon": o.lon,
                "payment_method": o.payment_method.value if o.payment_method else None,
                "billed_fen": o.billed_fen,
                "cash_collected_fen": o.cash_collected_fen,
                "receipt_number": o.receipt_number,
                "correction_reason": o.correction_reason,
                "recorded_by": o.recorded_by,
                "recorded_at": o.recorded_at.isoformat(),
                "postings": [
                    {"id": p.id, "kind": p.kind.value, "reverses": p.reverses_posting_id} for p in postings
                ],
            }
        )
    return out


__all__ = ["correct_outcome", "current_outcome", "outcome_history", "record_outcome"]
