"""``Idempotency-Key`` on the POSTs that phones send (orders, stop outcomes, handovers) and ledger writes.

A key belongs to the user who sent it. The first request with a key *claims*
it (a row ``in_flight``, committed at once so that a concurrent duplicate sees
it); the write then completes it, with the response, **in the write's own
transaction** (:meth:`Idempotency.respond`), so the effect and the stored
response commit together or not at all. A write that fails releases the claim,
so the client may retry.

* same key and same request (method, path, body) → the stored response again
  (header ``Idempotent-Replayed: true``);
* same key, another request → 422;
* same key while the first is still running → 409 (retry later);
* keys are kept ``idempotency_ttl_hours`` (at least 24 h); an in-flight claim
  older than ``IN_FLIGHT_TIMEOUT`` (its process died) is taken over.

Use it as a dependency: ``idem: IdempotencyDep`` (key optional: orders) or
``idem: IdempotencyRequiredDep`` (a missing key is 422: every ledger write);
then ``if idem.replay: return idem.replay`` and finish with ``return
idem.respond(session, 201, public)``. A ledger write passes
:func:`ledger_key` on, so the ledger's own idempotency (which outlives the
24 h of the API's keys) keys on the same request.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel
from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.deps import CurrentUser, SettingsDep
from api.errors import ApiError
from models import clock
from models.accounts import IdempotencyKey, IdempotencyState
from models.db import session_scope
from models.settings import Settings
from services.jobs import aware

IN_FLIGHT_TIMEOUT = dt.timedelta(minutes=5)
REPLAYED = "Idempotent-Replayed"
KEPT_HEADERS = ("location",)


def request_hash(method: str, path: str, body: bytes) -> str:
    """SHA-256 over the method, the path and the body (JSON compared by value, not by spacing)."""
    try:
        canon = json.dumps(json.loads(body), sort_keys=True, separators=(",", ":")).encode()
    except (ValueError, UnicodeDecodeError):
        canon = body
    return hashlib.sha256(method.encode() + b" " + path.encode() + b"\n" + canon).hexdigest()


@dataclass
class Idempotency:
    """What the route needs: a response to replay, or a claim to complete with its write."""

    key: str | None
    row_id: int | None = None
    replay: Response | None = None
    completed: bool = field(default=False)

    def respond(
        self,
        session: Session,
        status: int,
        body: BaseModel | dict[str, Any],
        *,
        headers: dict[str, str] | None = None,
    ) -> Response:
        """Commit the write with the key's stored response (one transaction); the response to send."""
        content = jsonable_encoder(body)
        text = json.dumps(content, ensure_ascii=False, separators=(",", ":"))
        if self.row_id is not None:
            done = session.execute(
                update(IdempotencyKey)
                .where(IdempotencyKey.id == self.row_id, IdempotencyKey.state == IdempotencyState.IN_FLIGHT)
                .values(
                    state=IdempotencyState.DONE,
                    response_status=status,
                    response_body=text,
                    response_headers={k: v for k, v in (headers or {}).items() if k.lower() in KEPT_HEADERS},
                )
            ).rowcount  # type: ignore[attr-defined]
            if not done:
                session.rollback()
                raise ApiError(409, "this Idempotency-Key was taken over by another request; retry")
        session.commit()
        self.completed = True
        return Response(text, status_code=status, media_type="application/json", headers=headers)


def _claim(settings: Settings, user_id: int, key: str, method_path: str, digest: str) -> Idempotency:
    ttl = dt.timedelta(hours=settings.idempotency_ttl_hours)
    for _ in range(5):
        at = clock.now()
        try:
            with session_scope(settings) as session:
                row = session.scalar(
                    select(IdempotencyKey).where(IdempotencyKey.user_id == user_id, IdempotencyKey.key == key)
                )
                if row is not None:
                    expired = (aware(row.expires_at) or at) <= at
                    abandoned = (
                        row.state == IdempotencyState.IN_FLIGHT
                        and (aware(row.created_at) or at) < at - IN_FLIGHT_TIMEOUT
                    )
                    if not (expired or abandoned):
                        return _existing(key, row, method_path, digest)
                    session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == row.id))
                    session.flush()
                new = IdempotencyKey(
                    user_id=user_id,
                    key=key,
                    method_path=method_path,
                    request_hash=digest,
                    state=IdempotencyState.IN_FLIGHT,
                    created_at=at,
                    expires_at=at + ttl,
                )
                session.add(new)
                session.flush()
                return Idempotency(key, row_id=new.id)
        except IntegrityError:
            continue  # a concurrent request claimed it first: look again
    raise ApiError(409, "this Idempotency-Key is being used by another request; retry later")


def _existing(key: str, row: IdempotencyKey, method_path: str, digest: str) -> Idempotency:
    if row.method_path != method_path or row.request_hash != digest:
        raise ApiError(422, "this Idempotency-Key was already used for a different request")
    if row.state == IdempotencyState.IN_FLIGHT:
        raise ApiError(
            409,
            "a request with this Idempotency-Key is still in flight; retry later",
            headers={"Retry-After": "1"},
        )
    headers = dict(row.response_headers or {}) | {REPLAYED: "true"}
    return Idempotency(
        key,
        replay=Response(
            row.response_body or "",
            status_code=row.response_status or 200,
            media_type="application/json",
            headers=headers,
        ),
    )


def _release(settings: Settings, row_id: int) -> None:
    with session_scope(settings) as session:
        session.execute(
            delete(IdempotencyKey).where(
                IdempotencyKey.id == row_id, IdempotencyKey.state == IdempotencyState.IN_FLIGHT
            )
        )


def purge_expired(settings: Settings) -> int:
    """Delete keys past their expiry; return how many."""
    with session_scope(settings) as session:
        res = session.execute(
            delete(IdempotencyKey).where(IdempotencyKey.expires_at < clock.now())
        )
        return int(res.rowcount or 0)  # type: ignore[attr-defined]


KEY_DOC = "A unique key per intended write (e.g. a UUID); a retry sends the same key."
KEY_HEADER: dict[str, Any] = {
    "alias": "Idempotency-Key",
    "min_length": 1,
    "max_length": 255,
    "pattern": r"^[\x21-\x7e]+$",
}


async def _begin(request: Request, user_id: int, settings: Settings, key: str | None) -> Idempotency:
    if key is None:
        return Idempotency(None)
    body = await request.body()
    method_path = f"{request.method} {request.url.path}"
    digest = request_hash(request.method, request.url.path, body)
    return await run_in_threadpool(_claim, settings, user_id, key, method_path, digest)


async def _end(settings: Settings, idem: Idempotency) -> None:
    """A claim whose write did not complete is released, so that the client may retry."""
    if idem.row_id is not None and not idem.completed:
        await run_in_threadpool(_release, settings, idem.row_id)


async def idempotency(
    request: Request,
    user: CurrentUser,
    settings: SettingsDep,
    idempotency_key: Annotated[str | None, Header(description=KEY_DOC, **KEY_HEADER)] = None,
) -> AsyncIterator[Idempotency]:
    idem = await _begin(request, user.user_id, settings, idempotency_key)
    try:
        yield idem
    finally:
        await _end(settings, idem)


async def idempotency_required(
    request: Request,
    user: CurrentUser,
    settings: SettingsDep,
    idempotency_key: Annotated[
        str, Header(description=KEY_DOC + " Required: this write must never happen twice.", **KEY_HEADER)
    ],
) -> AsyncIterator[Idempotency]:
    idem = await _begin(request, user.user_id, settings, idempotency_key)
    try:
        yield idem
    finally:
        await _end(settings, idem)


def ledger_key(user_id: int, idem: Idempotency) -> str:
    """The ledger's idempotency key for this request: the user's key, namespaced (hashed if long)."""
    assert idem.key is not None
    key = idem.key if len(idem.key) <= 100 else "sha256:" + hashlib.sha256(idem.key.encode()).hexdigest()
    return f"api:{user_id}:{key}"


IdempotencyDep = Annotated[Idempotency, Depends(idempotency)]
IdempotencyRequiredDep = Annotated[Idempotency, Depends(idempotency_required)]
