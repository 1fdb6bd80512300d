"""Statements (PDF) of monthly accounts and receivables ageing over HTTP."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient

from tests.api_fixtures import World, api_client, api_world, new_stop  # noqa: F401

# date-sensitive: run at the scenario's delivery day and months later (tests/conftest.py)
pytestmark = pytest.mark.clock_dates

P = "/api/v1"


def test_statement_and_ageing(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    monthly = w.ids["cust_monthly_other"]
    stop = new_stop(w.settings, w.ids["route_a"], monthly)
    body = {
        "lines": [{"product": "S001", "delivered_cases": 6}],
        "signed": True,
        "signer_name": "会计",
        "occurred_at": f"{w.today.isoformat()}T09:00:00+08:00",
    }
    r = c.post(
        f"{P}/stops/{stop}/outcome",
        json=body,
        headers=w.headers("dispatcher") | {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.text
    billed = r.json()["billed_fen"]
    fin = w.headers("finance")
    month = w.today.strftime("%Y-%m")
    pdf = c.get(f"{P}/customers/{monthly}/statement?month={month}&lang=en", headers=fin)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    assert f"statement-{monthly}-{month}-en.pdf" in pdf.headers["content-disposition"]
    assert c.get(f"{P}/customers/{monthly}/statement?month=2026-13", headers=fin).status_code == 422
    assert c.get(f"{P}/customers/4399019999999/statement?month={month}", headers=fin).status_code == 404
    ageing = c.get(f"{P}/receivables/ageing", headers=w.headers("manager")).json()
    row = next(x for x in ageing["customers"] if x["customer"] == monthly)
    assert row["balance_fen"] == billed and row["buckets"]["0_30"] == billed
    assert ageing["balance_fen"] >= billed


def test_cash_customer_has_no_statement(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    cod = c.get(f"{P}/stops/{w.ids['stop_a']}", headers=w.headers("admin")).json()["customer"]
    assert cod["payment_terms"] == "cod"
    month = w.today.strftime("%Y-%m")
    r = c.get(f"{P}/customers/{cod['code']}/statement?month={month}", headers=w.headers("finance"))
    assert r.status_code == 409 and "monthly" in r.json()["detail"]
