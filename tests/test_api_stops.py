"""Stops and outcomes over HTTP: the driver's phone reads a stop, records it; corrections; errors by field."""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from typing import Any
from zoneinfo import ZoneInfo

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.policies import driver_write_window
from ledger.orm import Posting, StopOutcome
from models.db import session_scope
from models.planning import Plan, PlanStatus
from tests.api_fixtures import World, api_client, api_world  # noqa: F401

P = "/api/v1"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def outcome(w: World, **extra: Any) -> dict[str, Any]:
    return {
        "lines": [{"product": "S001", "delivered_cases": 6}],
        "signed": True,
        "signer_name": "店主",
        "occurred_at": f"{w.today.isoformat()}T10:30:00+08:00",
        **extra,
    }


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def test_driver_reads_and_records_own_stop(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    drv = w.headers("driver")
    stop = w.ids["stop_a"]
    got = c.get(f"{P}/stops/{stop}", headers=drv).json()
    assert got["customer"]["phone"] and got["customer"]["address"] and got["personal_visible"]
    assert got["route"] == w.ids["route_a"] and got["outcome"] is None
    due = got["value_fen"]
    assert due == 6 * got["lines"][0]["price_fen"] > 0
    assert got["cash_due_fen"] in (0, due)
    body = outcome(
        w,
        signature=base64.b64encode(PNG).decode(),
        cash_collected_fen=got["cash_due_fen"],
        payment_method="cod" if got["cash_due_fen"] else "monthly",
    )
    r = c.post(f"{P}/stops/{stop}/outcome", json=body, headers=drv | key())
    assert r.status_code == 201, r.text
    res = r.json()
    assert r.headers["Location"] == f"{P}/stops/{stop}/outcomes"
    assert (res["status"], res["version"], res["billed_fen"]) == ("delivered", 1, due)
    assert len(res["postings"]) == (2 if got["cash_due_fen"] else 1)
    now = c.get(f"{P}/stops/{stop}", headers=drv).json()
    assert now["outcome"]["version"] == 1 and now["outcome"]["signed"]
    # a second outcome (another key) is refused: corrections are for that
    again = c.post(f"{P}/stops/{stop}/outcome", json=body, headers=drv | key())
    assert again.status_code == 409 and again.headers["content-type"].startswith("application/problem+json")
    assert (
        c.post(
            f"{P}/stops/{stop}/outcome/corrections", json=body | {"reason": "x"}, headers=drv | key()
        ).status_code
        == 403
    )
    fin = w.headers("finance")
    fixed = outcome(
        w, lines=[{"product": "S001", "delivered_cases": 5, "shortfall": "damaged", "reason": "wet"}]
    )
    corr = c.post(
        f"{P}/stops/{stop}/outcome/corrections", json=fixed | {"reason": "one case wet"}, headers=fin | key()
    )
    assert corr.status_code == 201, corr.text
    assert (corr.json()["version"], corr.json()["status"]) == (2, "short")
    history = c.get(f"{P}/stops/{stop}/outcomes", headers=fin).json()
    assert [v["version"] for v in history] == [1, 2]
    assert history[0]["has_signature_image"] and history[1]["correction_reason"] == "one case wet"
    assert any(p["kind"] == "reversal" for p in history[1]["postings"])
    # finance reads the stop with its address but without the phone; the other store's manager not at all
    seen = c.get(f"{P}/stops/{stop}", headers=fin).json()
    assert seen["customer"]["phone"] is None and seen["customer"]["address"]
    assert c.get(f"{P}/stops/{stop}", headers=w.headers("store_manager")).status_code == 404


def _problem_fields(r: Any) -> set[str]:
    assert r.headers["content-type"].startswith("application/problem+json"), r.text
    return {e["field"] for e in r.json().get("errors") or []}


def test_outcome_errors_name_the_field(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    h = w.headers("dispatcher")
    url = f"{P}/stops/{w.ids['stop_b']}/outcome"
    assert "Idempotency-Key" in _problem_fields(c.post(url, json=outcome(w), headers=h))
    k = key()
    cases = [
        ("cash_collected_fen", outcome(w, cash_collected_fen=640.0)),
        ("lines.0.delivered_cases", outcome(w, lines=[{"product": "S001", "delivered_cases": 5.5}])),
        ("lines.0.product", outcome(w, lines=[{"product": "N001", "delivered_cases": 1}])),
        ("lines.0.delivered_cases", outcome(w, lines=[{"product": "S001", "delivered_cases": 7}])),
        ("not_signed_reason", outcome(w, signed=False, signer_name=None)),
        ("signature", outcome(w, signature="not base64!")),
        ("occurred_at", outcome(w, occurred_at="2026-12-01T10:00:00")),
    ]
    for field, body in cases:
        r = c.post(url, json=body, headers=h | k)
        assert r.status_code == 422, (field, r.text)
        assert field in _problem_fields(r), (field, r.json())
    # every failed write released the key: the same key now records the good outcome
    ok = c.post(url, json=outcome(w), headers=h | k)
    assert ok.status_code == 201, ok.text
    with session_scope(w.settings) as s:
        assert s.scalar(select(func.count()).select_from(StopOutcome)) == 1


def test_driver_write_window(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    day = dt.date(2026, 12, 1)
    start, end = driver_write_window(w.settings, day)
    tz = ZoneInfo(w.settings.timezone)
    assert (start, end) == (
        dt.datetime(2026, 12, 1, 0, 0, tzinfo=tz),
        dt.datetime(2026, 12, 2, 12, 0, tzinfo=tz),
    )
    with session_scope(w.settings) as s:
        plan = s.get(Plan, w.ids["plan_id"])
        assert plan is not None
        plan.delivery_date = w.today - dt.timedelta(days=2)
    url = f"{P}/stops/{w.ids['stop_a']}/outcome"
    late = c.post(url, json=outcome(w), headers=w.headers("driver") | key())
    assert late.status_code == 403 and "ask the dispatcher" in late.json()["detail"]
    # the stop is still the driver's to read, without the phone (not today's)
    seen = c.get(f"{P}/stops/{w.ids['stop_a']}", headers=w.headers("driver")).json()
    assert seen["customer"]["phone"] is None
    with session_scope(w.settings) as s:
        plan = s.get(Plan, w.ids["plan_id"])
        assert plan is not None
        plan.delivery_date, plan.status = w.today, PlanStatus.SUPERSEDED
    stale = c.post(url, json=outcome(w), headers=w.headers("driver") | key())
    assert stale.status_code == 403 and "superseded" in stale.json()["detail"]
    desk = c.post(url, json=outcome(w), headers=w.headers("dispatcher") | key())
    assert desk.status_code == 201, desk.text
    with session_scope(w.settings) as s:
        assert s.scalar(select(func.count()).select_from(Posting)) >= 1
