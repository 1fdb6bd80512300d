"""Idempotency-Key on order, stop-outcome and handover POSTs: replay, mismatch, in flight, and 50 concurrent
identical POSTs (orders; stop outcomes: exactly one outcome and one set of postings)."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.idempotency import request_hash
from ledger.orm import Entry, Handover, Posting, StopOutcome
from models import clock
from models.accounts import IdempotencyKey, IdempotencyState
from models.db import session_scope
from models.orm import Order
from models.planning import PlanStop
from tests.api_fixtures import LiveServer, World, api_client, api_world, live_server  # noqa: F401

URL = "/api/v1/orders"


def order_body(w: World, note: str) -> dict[str, object]:
    return {
        "customer": w.ids["cust_a"],
        "channel": "inbound_call",
        "delivery_date": w.today.isoformat(),
        "lines": [{"product": "S001", "cases": 6}],
        "note": note,
    }


def count_orders(w: World, note: str) -> int:
    with session_scope(w.settings) as s:
        return int(s.scalar(select(func.count()).select_from(Order).where(Order.note == note)) or 0)


def test_replay_and_mismatch(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w = api_world
    h = w.headers("dispatcher") | {"Idempotency-Key": "phone-1"}
    body = order_body(w, "replay")
    first = api_client.post(URL, json=body, headers=h)
    assert first.status_code == 201, first.text
    again = api_client.post(
        URL, content=json.dumps(body, indent=2), headers=h | {"Content-Type": "application/json"}
    )
    assert again.status_code == 201
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.headers["Location"] == first.headers["Location"]
    assert count_orders(w, "replay") == 1
    other = api_client.post(URL, json=order_body(w, "something else"), headers=h)
    assert other.status_code == 422
    assert other.headers["content-type"].startswith("application/problem+json")
    # The key belongs to its user: another user's same key is a new write.
    h2 = w.headers("customer_service") | {"Idempotency-Key": "phone-1"}
    assert api_client.post(URL, json=body, headers=h2).status_code == 201
    assert count_orders(w, "replay") == 2
    # Without a key every POST is a new order.
    assert (
        api_client.post(URL, json=order_body(w, "nokey"), headers=w.headers("dispatcher")).status_code == 201
    )
    assert (
        api_client.post(URL, json=order_body(w, "nokey"), headers=w.headers("dispatcher")).status_code == 201
    )
    assert count_orders(w, "nokey") == 2
    with session_scope(w.settings) as s:
        row = s.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "phone-1"))
        assert row is not None and row.state == IdempotencyState.DONE
        expires = row.expires_at.replace(tzinfo=dt.UTC) if row.expires_at.tzinfo is None else row.expires_at
        created = row.created_at.replace(tzinfo=dt.UTC) if row.created_at.tzinfo is None else row.created_at
        assert expires - created >= dt.timedelta(hours=24)


def test_in_flight_and_failed_write(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w = api_world
    body = order_body(w, "flight")
    raw = json.dumps(body).encode()
    now = clock.now()
    with session_scope(w.settings) as s:
        s.add(
            IdempotencyKey(
                user_id=w.users["dispatcher"],
                key="busy",
                method_path=f"POST {URL}",
                request_hash=request_hash("POST", URL, raw),
                state=IdempotencyState.IN_FLIGHT,
                created_at=now,
                expires_at=now + dt.timedelta(hours=24),
            )
        )
    h = w.headers("dispatcher") | {"Idempotency-Key": "busy", "Content-Type": "application/json"}
    r = api_client.post(URL, content=raw, headers=h)
    assert r.status_code == 409, r.text
    assert count_orders(w, "flight") == 0
    # A write that fails (unknown customer) releases its claim: the corrected retry... is a new request (422),
    # and the same bad request again is refused again, not replayed as a success.
    bad = order_body(w, "bad") | {"customer": "4399019999999"}
    h3 = w.headers("dispatcher") | {"Idempotency-Key": "bad-1"}
    assert api_client.post(URL, json=bad, headers=h3).status_code == 422
    with session_scope(w.settings) as s:
        assert s.scalar(select(IdempotencyKey).where(IdempotencyKey.key == "bad-1")) is None
    assert api_client.post(URL, json=order_body(w, "bad"), headers=h3).status_code == 201


def test_fifty_concurrent_identical_posts(live_server: LiveServer, api_world: World) -> None:  # noqa: F811
    w = api_world
    note = f"burst-{uuid.uuid4().hex[:8]}"
    body = order_body(w, note)
    headers = w.headers("dispatcher") | {"Idempotency-Key": f"burst-{uuid.uuid4()}"}
    with httpx.Client(
        base_url=live_server.url,
        timeout=60,
        limits=httpx.Limits(max_connections=60, max_keepalive_connections=0),
    ) as client:
        # warm the server up so that the burst is concurrent rather than queued behind start-up
        assert client.get("/api/v1/users/me", headers=headers).status_code == 200

        def post(_: int) -> httpx.Response:
            return client.post(URL, json=body, headers=headers)

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(post, range(50)))
        codes = sorted(r.status_code for r in answers)
        created = {r.json()["number"] for r in answers if r.status_code == 201}
        print(
            f"\n50 concurrent identical POSTs: {codes.count(201)} × 201 "
            f"({sum(r.headers.get('Idempotent-Replayed') == 'true' for r in answers)} replayed), "
            f"{codes.count(409)} × 409 in flight, other {[c for c in codes if c not in (201, 409)]}; "
            f"orders created: {count_orders(w, note)}"
        )
        assert set(codes) <= {201, 409}
        assert len(created) == 1
        assert count_orders(w, note) == 1
        # after the burst, the key replays the single order
        final = client.post(URL, json=body, headers=headers)
        assert final.status_code == 201 and final.json()["number"] in created


# ------------------------------------------------------ stop outcomes and handovers (phase 2)
def outcome_body(w: World, cash: int = 0) -> dict[str, object]:
    return {
        "lines": [{"product": "S001", "delivered_cases": 6}],
        "signed": True,
        "signer_name": "店主",
        "occurred_at": f"{w.today.isoformat()}T10:00:00+08:00",
        "cash_collected_fen": cash,
    }


def ledger_effect(w: World, stop: str) -> tuple[int, int, int]:
    """Outcomes of ``stop``, their postings, and those postings' entries."""
    with session_scope(w.settings) as s:
        ids = list(
            s.scalars(
                select(StopOutcome.id)
                .join(PlanStop, PlanStop.id == StopOutcome.stop_id)
                .where(PlanStop.code == stop)
            )
        )
        posts = list(s.scalars(select(Posting.id).where(Posting.outcome_id.in_(ids)))) if ids else []
        entries = (
            s.scalar(select(func.count()).select_from(Entry).where(Entry.posting_id.in_(posts)))
            if posts
            else 0
        )
        return len(ids), len(posts), int(entries or 0)


def test_outcome_replay_mismatch_in_flight(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w = api_world
    stop = w.ids["stop_a"]
    url = f"/api/v1/stops/{stop}/outcome"
    h = w.headers("driver") | {"Idempotency-Key": "phone-outcome-1"}
    first = api_client.post(url, json=outcome_body(w), headers=h)
    assert first.status_code == 201, first.text
    again = api_client.post(url, json=outcome_body(w), headers=h)
    assert again.status_code == 201 and again.json() == first.json()
    assert (
        again.headers["Idempotent-Replayed"] == "true"
        and again.headers["Location"] == first.headers["Location"]
    )
    other = api_client.post(url, json=outcome_body(w) | {"note": "changed"}, headers=h)
    assert other.status_code == 422 and "different request" in other.json()["detail"]
    assert ledger_effect(w, stop)[0] == 1
    # the same key in flight (another request still writing) → 409, nothing written
    url_b = f"/api/v1/stops/{w.ids['stop_b']}/outcome"
    raw = json.dumps(outcome_body(w)).encode()
    now = clock.now()
    with session_scope(w.settings) as s:
        s.add(
            IdempotencyKey(
                user_id=w.users["dispatcher"],
                key="busy-outcome",
                method_path=f"POST {url_b}",
                request_hash=request_hash("POST", url_b, raw),
                state=IdempotencyState.IN_FLIGHT,
                created_at=now,
                expires_at=now + dt.timedelta(hours=24),
            )
        )
    hb = w.headers("dispatcher") | {"Idempotency-Key": "busy-outcome", "Content-Type": "application/json"}
    busy = api_client.post(url_b, content=raw, headers=hb)
    assert busy.status_code == 409 and busy.headers["Retry-After"] == "1"
    assert ledger_effect(w, w.ids["stop_b"]) == (0, 0, 0)


def test_handover_replay_and_mismatch(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w = api_world
    body = {"staff": "E003", "on_date": w.today.isoformat(), "counted_fen": 12300, "notes_returned": 2}
    h = w.headers("dispatcher") | {"Idempotency-Key": "desk-handover-1"}
    first = api_client.post("/api/v1/handovers", json=body, headers=h)
    assert first.status_code == 201, first.text
    again = api_client.post("/api/v1/handovers", json=body, headers=h)
    assert again.json() == first.json() and again.headers["Idempotent-Replayed"] == "true"
    assert (
        api_client.post("/api/v1/handovers", json=body | {"counted_fen": 12400}, headers=h).status_code == 422
    )
    assert api_client.post("/api/v1/handovers", json=body, headers=w.headers("dispatcher")).status_code == 422
    raw = json.dumps(body | {"staff": "E001"}).encode()
    now = clock.now()
    with session_scope(w.settings) as s:
        s.add(
            IdempotencyKey(
                user_id=w.users["finance"],
                key="busy-handover",
                method_path="POST /api/v1/handovers",
                request_hash=request_hash("POST", "/api/v1/handovers", raw),
                state=IdempotencyState.IN_FLIGHT,
                created_at=now,
                expires_at=now + dt.timedelta(hours=24),
            )
        )
    hb = w.headers("finance") | {"Idempotency-Key": "busy-handover", "Content-Type": "application/json"}
    assert api_client.post("/api/v1/handovers", content=raw, headers=hb).status_code == 409
    with session_scope(w.settings) as s:
        assert s.scalar(select(func.count()).select_from(Handover)) == 1
        kinds = s.scalars(select(Posting.kind).where(Posting.handover_id.is_not(None))).all()
        # one handover; E003 held nothing, so the 123 yuan over waits on his cash-difference account
        assert sorted(k.value for k in kinds) == ["cash_difference", "handover"]


def test_fifty_concurrent_identical_outcome_posts(live_server: LiveServer, api_world: World) -> None:  # noqa: F811
    w = api_world
    stop = w.ids["stop_a"]
    headers = w.headers("driver") | {"Idempotency-Key": f"burst-{uuid.uuid4()}"}
    with httpx.Client(
        base_url=live_server.url,
        timeout=60,
        limits=httpx.Limits(max_connections=60, max_keepalive_connections=0),
    ) as client:
        due = client.get(f"/api/v1/stops/{stop}", headers=headers).json()["cash_due_fen"]
        assert due > 0, "a cash-on-delivery stop: two postings expected"
        body = outcome_body(w, cash=due)

        def post(_: int) -> httpx.Response:
            return client.post(f"/api/v1/stops/{stop}/outcome", json=body, headers=headers)

        with ThreadPoolExecutor(max_workers=50) as pool:
            answers = list(pool.map(post, range(50)))
        codes = sorted(r.status_code for r in answers)
        ids = {r.json()["outcome_id"] for r in answers if r.status_code == 201}
        effect = ledger_effect(w, stop)
        print(
            f"\n50 concurrent identical outcome POSTs: {codes.count(201)} × 201 "
            f"({sum(r.headers.get('Idempotent-Replayed') == 'true' for r in answers)} replayed), "
            f"{codes.count(409)} × 409 in flight, other {[c for c in codes if c not in (201, 409)]}; "
            f"outcomes {effect[0]}, postings {effect[1]}, entries {effect[2]}"
        )
        assert set(codes) <= {201, 409}
        assert len(ids) == 1
        assert effect == (1, 2, 4), "one outcome, one delivery and one cash posting (two entries each)"
        final = client.post(f"/api/v1/stops/{stop}/outcome", json=body, headers=headers)
        assert final.status_code == 201 and final.json()["outcome_id"] in ids
