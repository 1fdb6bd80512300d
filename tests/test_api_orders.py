"""Orders over the API: field errors, file imports listing every bad row, store reports."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api_fixtures import World, api_client, api_world  # noqa: F401

P = "/api/v1"


def test_create_names_every_bad_field(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    body = {
        "customer": "4399019999999",
        "channel": "inbound_call",
        "delivery_date": "2001-01-01",
        "lines": [
            {"product": "NOPE", "cases": 1},
            {"product": "S001", "cases": 2},
            {"product": "S001", "cases": 1},
        ],
    }
    r = api_client.post(f"{P}/orders", json=body, headers=api_world.headers("dispatcher"))
    assert r.status_code == 422 and r.headers["content-type"].startswith("application/problem+json")
    got = {(e["field"], e["reason"]) for e in r.json()["errors"]}
    assert ("customer", "unknown customer") in got
    assert ("lines.0.product", "unknown product") in got
    assert ("lines.2.product", "appears twice in one order") in got
    assert ("delivery_date", "is before today") in got
    r = api_client.post(f"{P}/orders", json=body | {"lines": []}, headers=api_world.headers("dispatcher"))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "lines"


def test_import_lists_every_row_error(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w = api_world
    day = w.today.isoformat()
    csv = (
        "customer_code,channel,received_at,delivery_date,product_code,cases\n"
        f"{w.ids['cust_a']},inbound_call,{day} 09:00,{day},S001,6\n"
        f"4399019999999,inbound_call,{day} 09:00,{day},S001,6\n"
        f"{w.ids['cust_b']},inbound_call,{day} 09:00,{day},ZZZ9,x\n"
    ).encode()
    h = w.headers("customer_service")
    r = api_client.post(f"{P}/orders/import", files={"file": ("day.csv", csv, "text/csv")}, headers=h)
    assert r.status_code == 422, r.text
    errors = r.json()["errors"]
    rows = {e["row"] for e in errors}
    assert {3, 4} <= rows and 2 not in rows, errors
    assert all({"field", "row", "value", "reason"} <= set(e) for e in errors)
    good = csv.splitlines()[0] + b"\n" + csv.splitlines()[1] + b"\n"
    r = api_client.post(f"{P}/orders/import", files={"file": ("day.csv", good, "text/csv")}, headers=h)
    assert r.status_code == 201 and r.json()["rows"] == 1, r.text
    bad = api_client.post(
        f"{P}/orders/import", files={"file": ("day.xlsx", b"not a zip", "application/zip")}, headers=h
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "file"


def test_store_manager_reports_for_own_township(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w = api_world
    body = {
        "customer": w.ids["cust_c"],
        "channel": "store_report",
        "delivery_date": w.today.isoformat(),
        "lines": [{"product": "S001", "cases": 3}],
        "external_ref": "S01-0001",
    }
    h = w.headers("store_manager")
    r = api_client.post(f"{P}/orders", json=body, headers=h)
    assert r.status_code == 201 and r.json()["reported_by"] == "S01", r.text
    assert r.json()["value_fen"] == 3 * 8000
    dup = api_client.post(f"{P}/orders", json=body, headers=h)
    assert dup.status_code == 409  # same channel and reference: already placed
    mine = api_client.get(f"{P}/orders", params={"date": w.today.isoformat()}, headers=h).json()
    assert r.json()["number"] in [o["number"] for o in mine["data"]]
    assert all(o["customer"][6:8] == "01" or o["reported_by"] == "S01" for o in mine["data"])
