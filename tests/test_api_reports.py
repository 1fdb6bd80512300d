"""The manager's reports over HTTP: costs per tonne / case / stop, and vehicle use, from stored plans."""

from __future__ import annotations

import datetime as dt
import json

from fastapi.testclient import TestClient
from sqlalchemy import select

from models.db import session_scope
from models.orm import Vehicle
from models.planning import PlanRoute
from tests.api_fixtures import World, api_client, api_world  # noqa: F401

P = "/api/v1"


def test_cost_report(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    day = w.today.isoformat()
    with session_scope(w.settings) as s:  # route A carries the cost items a real plan stores
        r = s.scalar(select(PlanRoute).where(PlanRoute.code == w.ids["route_a"]))
        assert r is not None
        r.costs = {
            "route": "R01",
            "depot_kind": "centre",
            "crew_fen": 8846,
            "loader_fen": 360,
            "vehicle_fen": 2794,
            "store_fee_fen": 0,
            "total_fen": 12000,
            "delivered_kg": 120,
            "delivered_cases": 6,
            "stops": 1,
            "distance_m": 10000,
        }
    rep = c.get(f"{P}/reports/costs?from={day}&to={day}", headers=w.headers("manager")).json()
    assert [p["plan_id"] for p in rep["plans"]] == [w.ids["plan_id"]]
    total = rep["total"]
    assert (total["routes"], total["total_fen"], total["delivered_kg"], total["stops"]) == (3, 22000, 360, 3)
    assert total["per_tonne_fen"] == (22000 * 1000 + 180) // 360 and total["per_stop_fen"] == 7333
    assert (total["crew_fen"], total["loader_fen"], total["vehicle_fen"]) == (8846, 360, 2794 + 10000)
    assert (rep["centre"]["routes"], rep["stores"]["routes"]) == (2, 1)
    # no replenishment stop and no outcome yet: customer tonnes as planned, nothing transferred
    assert rep["basis"] == total["basis"] == "planned" and total["planned_kg"] == 360
    assert (total["transfer_kg"], total["transfer_stops"], total["customer_stops"]) == (0, 0, 3)
    [one] = rep["days"]
    assert (one["date"], one["total_fen"]) == (day, 22000)
    assert [d["depot"] for d in one["depots"]] == ["DC", "S01"]
    assert [d["depot"] for d in rep["depots"]] == ["DC", "S01"]
    a = next(x for x in rep["routes"] if x["route"] == w.ids["route_a"])
    assert (a["total_fen"], a["per_case_fen"], a["depot"]) == (12000, 2000, "DC")
    bad = c.get(f"{P}/reports/costs?from={day}&to=2001-01-01", headers=w.headers("manager"))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "to"
    long = c.get(f"{P}/reports/costs?from=2020-01-01&to=2022-01-01", headers=w.headers("finance"))
    assert long.status_code == 422


def test_utilisation_report(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    first = (w.today - dt.timedelta(days=6)).isoformat()
    rep = c.get(f"{P}/reports/utilisation?from={first}", headers=w.headers("dispatcher")).json()
    assert (rep["days"], rep["days_planned"]) == (7, 1)
    with session_scope(w.settings) as s:
        v = s.scalar(select(Vehicle).where(Vehicle.plate == w.ids["vehicle_a"]))
        assert v is not None
        cap, shift = v.capacity_kg, v.shift_end_s - v.shift_start_s
    a = next(x for x in rep["vehicles"] if x["vehicle"] == w.ids["vehicle_a"])
    assert (a["days_used"], a["routes"], a["load_kg"], a["distance_m"]) == (1, 1, 120, 10000)
    assert a["load_pct"] == round(100 * 120 / cap, 1) and a["shift_pct"] == round(100 * 4800 / shift, 1)
    assert rep["fleet"]["used"] == 3 and rep["fleet"]["routes"] == 3
    assert any(x["routes"] == 0 and x["load_pct"] is None for x in rep["vehicles"])


def test_stock_cover_over_http_matches_the_service(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    from services.stock_report import stock_cover

    w, c = api_world, api_client
    rep = c.get(f"{P}/reports/stock?as_of={w.today}&days=10", headers=w.headers("manager"))
    assert rep.status_code == 200, rep.text
    with session_scope(w.settings) as s:
        direct = stock_cover(s, w.today, days=10)
    assert rep.json() == json.loads(json.dumps(direct))
    assert rep.json()["depots"] and all(d["products"] for d in rep.json()["depots"])
    assert c.get(f"{P}/reports/stock?days=0", headers=w.headers("manager")).status_code == 422
    assert c.get(f"{P}/reports/stock", headers=w.headers("driver")).status_code == 403
