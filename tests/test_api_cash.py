"""Cash over HTTP: handovers recorded by the receiving desk, store reports, remittances, payments."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi.testclient import TestClient

from tests.api_fixtures import World, api_client, api_world  # noqa: F401

P = "/api/v1"


def key() -> dict[str, str]:
    return {"Idempotency-Key": str(uuid.uuid4())}


def _collect(c: TestClient, w: World, stop: str) -> int:
    """The dispatcher keys in a delivered, signed, fully paid stop; the cash collected."""
    due = c.get(f"{P}/stops/{stop}", headers=w.headers("dispatcher")).json()["cash_due_fen"]
    body = {
        "lines": [{"product": "S001", "delivered_cases": 6}],
        "signed": True,
        "signer_name": "店主",
        "occurred_at": f"{w.today.isoformat()}T11:00:00+08:00",
        "cash_collected_fen": due,
    }
    r = c.post(f"{P}/stops/{stop}/outcome", json=body, headers=w.headers("dispatcher") | key())
    assert r.status_code == 201, r.text
    return int(due)


def test_handovers_are_recorded_by_who_receives_the_cash(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    held = _collect(c, w, w.ids["stop_a"])
    assert held > 100, "route A's customer pays cash on delivery"
    day = w.today.isoformat()
    body: dict[str, Any] = {"staff": "E001", "on_date": day, "counted_fen": held - 100, "notes_returned": 1}
    assert c.post(f"{P}/handovers", json=body, headers=w.headers("driver") | key()).status_code == 403
    bad = c.post(
        f"{P}/handovers", json=body | {"denominations": {"10000": 1}}, headers=w.headers("dispatcher") | key()
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "denominations"
    ok = c.post(f"{P}/handovers", json=body, headers=w.headers("dispatcher") | key())
    assert ok.status_code == 201, ok.text
    got = ok.json()
    assert (got["to"], got["held_before_fen"], got["difference_fen"]) == ("DC", held, -100)
    # the store manager receives their own store's staff, at their store only
    sm = w.headers("store_manager")
    store_body = {"staff": "E013", "on_date": day, "counted_fen": 0}
    assert c.post(f"{P}/handovers", json=store_body, headers=sm | key()).json()["to"] == "S01"
    other = c.post(f"{P}/handovers", json=body, headers=sm | key())
    assert other.status_code == 422 and other.json()["errors"][0]["field"] == "staff"
    away = c.post(f"{P}/handovers", json=store_body | {"to": "DC"}, headers=sm | key())
    assert away.status_code == 422 and away.json()["errors"][0]["field"] == "to"
    # who reads which
    mine = c.get(f"{P}/handovers?date={day}", headers=w.headers("driver")).json()
    assert [h["staff"] for h in mine["data"]] == ["E001"] and mine["data"][0]["counted_fen"] == held - 100
    store = c.get(f"{P}/handovers", headers=sm).json()
    assert [h["staff"] for h in store["data"]] == ["E013"]
    everyone = c.get(f"{P}/handovers?date={day}", headers=w.headers("finance")).json()
    assert everyone["count"] == 2
    assert c.get(f"{P}/handovers", headers=w.headers("customer_service")).status_code == 403


def test_store_report_remittance_payment(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    day = w.today.isoformat()
    sm = w.headers("store_manager") | key()
    report = {"on_date": day, "stops": 1, "delivered_cases": 6, "cash_fen": 0}
    first = c.post(f"{P}/stores/S01/reports", json=report, headers=sm)
    assert first.status_code == 201, first.text
    replay = c.post(f"{P}/stores/S01/reports", json=report, headers=sm)
    assert replay.json() == first.json() and replay.headers["Idempotent-Replayed"] == "true"
    assert c.post(f"{P}/stores/S01/reports", json=report | {"stops": 2}, headers=sm).status_code == 422
    assert (
        c.post(f"{P}/stores/S02/reports", json=report, headers=w.headers("store_manager") | key()).status_code
        == 404
    )
    assert (
        c.post(f"{P}/stores/DC/reports", json=report, headers=w.headers("dispatcher") | key()).status_code
        == 404
    )
    # the centre's desk records a store's cash paid in; the store manager does not
    remit = {"store": "S01", "on_date": day, "amount_fen": 5000}
    assert (
        c.post(f"{P}/remittances", json=remit, headers=w.headers("store_manager") | key()).status_code == 403
    )
    r = c.post(f"{P}/remittances", json=remit, headers=w.headers("finance") | key())
    assert r.status_code == 201 and r.json()["store_cash_fen"] == -5000
    # a monthly account pays into the bank (finance); money is integer fen
    pay = {"customer": w.ids["cust_monthly_own"], "on_date": day, "amount_fen": 10000, "reference": "BK-1"}
    assert c.post(f"{P}/payments", json=pay, headers=w.headers("dispatcher") | key()).status_code == 403
    floaty = c.post(f"{P}/payments", json=pay | {"amount_fen": 100.5}, headers=w.headers("finance") | key())
    assert floaty.status_code == 422 and floaty.json()["errors"][0]["field"] == "amount_fen"
    unknown = c.post(
        f"{P}/payments", json=pay | {"customer": "4399019999999"}, headers=w.headers("finance") | key()
    )
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "customer"
    paid = c.post(f"{P}/payments", json=pay, headers=w.headers("finance") | key())
    assert paid.status_code == 201 and paid.json()["receivable_fen"] == -10000
