"""Reconciliation over HTTP: the report, its workbook, the flags (ids with slashes), finance's status."""

from __future__ import annotations

import io
import uuid
from urllib.parse import quote

from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api_fixtures import World, api_client, api_world  # noqa: F401

P = "/api/v1"


def test_reconciliation_and_flags(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    day = w.today.isoformat()
    unsigned = {
        "lines": [{"product": "S001", "delivered_cases": 6}],
        "signed": False,
        "not_signed_reason": "owner away",
        "occurred_at": f"{day}T09:00:00+08:00",
        "payment_method": "monthly",
    }
    r = c.post(
        f"{P}/stops/{w.ids['stop_a']}/outcome",
        json=unsigned,
        headers=w.headers("dispatcher") | {"Idempotency-Key": str(uuid.uuid4())},
    )
    assert r.status_code == 201, r.text
    fin = w.headers("finance")
    rec = c.get(f"{P}/reconciliation?date={day}", headers=fin).json()
    assert (rec["stops"], rec["with_outcome"], rec["outcome_missing"], rec["signed"]) == (3, 1, 2, 0)
    assert rec["ledger"]["balanced"] and rec["plan"]["id"] == w.ids["plan_id"]
    kinds = {f["id"] for f in rec["flags"]}
    missing = f"{day}/outcome_missing/{w.ids['stop_b']}"
    assert missing in kinds and f"{day}/missing_signature/{w.ids['stop_a']}" in kinds
    xlsx = c.get(f"{P}/reconciliation.xlsx?date={day}", headers=fin)
    assert xlsx.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "Flags 差异" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    page = c.get(f"{P}/flags?date={day}&kind=outcome_missing&limit=1", headers=fin).json()
    assert (page["count"], len(page["data"])) == (2, 1)
    # a flag's id holds slashes: as is, or percent-encoded
    one = c.get(f"{P}/flags/{missing}", headers=fin).json()
    assert one["id"] == missing and one["current"] and one["history"] == []
    assert c.get(f"{P}/flags/{quote(missing, safe='')}", headers=fin).json()["id"] == missing
    upd = c.patch(f"{P}/flags/{missing}", json={"status": "explained", "comment": "phoned in"}, headers=fin)
    assert upd.status_code == 200, upd.text
    assert upd.json()["status"] == "explained" and upd.json()["history"][0]["by"] == "user:finance"
    explained = c.get(f"{P}/flags?date={day}&status=explained", headers=fin).json()
    assert [f["id"] for f in explained["data"]] == [missing] and explained["data"][0][
        "comment"
    ] == "phoned in"
    # the dispatcher reads, does not act; unknown flags and days are 404
    assert (
        c.patch(
            f"{P}/flags/{missing}",
            json={"status": "resolved", "comment": "x"},
            headers=w.headers("dispatcher"),
        ).status_code
        == 403
    )
    assert (
        c.patch(
            f"{P}/flags/{day}/refused/nope", json={"status": "resolved", "comment": "x"}, headers=fin
        ).status_code
        == 404
    )
    assert c.get(f"{P}/flags/not-a-date/x", headers=fin).status_code == 404
    assert c.get(f"{P}/reconciliation?date=2001-01-01", headers=fin).status_code == 404
    assert c.get(f"{P}/flags?date=2001-01-01", headers=fin).json()["count"] == 0
