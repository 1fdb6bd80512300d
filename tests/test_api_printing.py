"""The printed documents over HTTP: map sheet (offline HTML), route pack (PDF), the plan's overview."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from models.db import session_scope
from models.orm import Customer
from models.planning import DeliveryNote
from tests.api_fixtures import World, api_client, api_world  # noqa: F401

P = "/api/v1"


def test_driver_fetches_sheet_and_pack(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    drv = w.headers("driver")
    route = w.ids["route_a"]
    sheet = c.get(f"{P}/routes/{route}/sheet.html", headers=drv)
    assert sheet.status_code == 200 and sheet.headers["content-type"].startswith("text/html")
    csp = sheet.headers["content-security-policy"]
    assert "sandbox allow-scripts" in csp and "connect-src" not in csp and "default-src 'none'" in csp
    assert f'filename="{route}-map.html"' in sheet.headers["content-disposition"]
    assert "<html" in sheet.text.lower() and "leaflet" in sheet.text.lower()
    with session_scope(w.settings) as s:
        phones = [p for p in s.scalars(select(Customer.phone)) if p]
        notes = s.scalar(select(func.count()).select_from(DeliveryNote))
    assert not any(p in sheet.text for p in phones), "no phone number on a map sheet"
    assert notes == 3, "the first print numbered every stop of the plan, committed"
    pack = c.get(f"{P}/routes/{route}/pack.pdf?lang=en", headers=drv)
    assert pack.status_code == 200 and pack.content.startswith(b"%PDF")
    assert pack.headers["content-type"] == "application/pdf"
    with session_scope(w.settings) as s:
        assert s.scalar(select(func.count()).select_from(DeliveryNote)) == 3, (
            "printing again reuses the numbers"
        )
    assert c.get(f"{P}/routes/{w.ids['route_b']}/sheet.html", headers=drv).status_code == 404
    assert c.get(f"{P}/routes/{route}/pack.pdf?lang=fr", headers=drv).status_code == 422
    # the store's manager prints their store's route
    assert (
        c.get(f"{P}/routes/{w.ids['route_c']}/pack.pdf", headers=w.headers("store_manager")).status_code
        == 200
    )


def test_overview_by_plan_or_job(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w, c = api_world, api_client
    h = w.headers("manager")
    by_plan = c.get(f"{P}/plans/{w.ids['plan_id']}/overview.html?lang=en", headers=h)
    assert by_plan.status_code == 200 and by_plan.headers["content-type"].startswith("text/html")
    by_job = c.get(f"{P}/plans/{w.ids['job_done']}/overview.html", headers=h)
    assert by_job.status_code == 200
    assert c.get(f"{P}/plans/999999/overview.html", headers=h).status_code == 404
    assert (
        c.get(f"{P}/plans/{w.ids['plan_id']}/overview.html", headers=w.headers("finance")).status_code == 403
    )
    assert (
        c.get(f"{P}/plans/{w.ids['plan_id']}/overview.html", headers=w.headers("driver")).status_code == 404
    )
