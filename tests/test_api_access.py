"""The access matrix: every endpoint × every role × own and someone else's object → the expected status.

The expectations are written out here, independently of ``api/policies.py``.
Besides the status, each answer is searched for leaks: rows outside the
caller's scope in a list, and personal data (customer and staff phones) shown
to a role that may not see it. The test prints its counts; zero leaks allowed.
"""

from __future__ import annotations

import itertools
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from models.accounts import JobState, PlanJob, UserRole
from models.codes import make_customer_code
from models.db import session_scope
from models.orm import Customer
from tests.api_fixtures import World, api_client, api_world  # noqa: F401

ROLES = ("admin", "dispatcher", "driver", "store_manager", "finance", "manager", "customer_service")
P = "/api/v1"
_n = itertools.count(1)


def exp(default: int | tuple[int, int], **roles: int | tuple[int, int]) -> dict[str, tuple[int, int]]:
    """Expected (own, other) status per role: ``default`` for every role not named."""
    out = {}
    for r in ROLES:
        v = roles.get(r, default)
        out[r] = v if isinstance(v, tuple) else (v, v)
    return out


Ids = dict[str, Any]
Leak = Callable[[str, Any, Ids], list[str]]


@dataclass
class Case:
    name: str
    method: str
    path: Callable[[str, bool, World], str]  # (role, own?, world) -> path
    expected: dict[str, tuple[int, int]]
    body: Callable[[str, bool, Ids], dict[str, Any]] | None = None
    files: bool = False
    leak: Leak | None = None
    idem: bool = False  # send a fresh Idempotency-Key


def fixed(path: str) -> Callable[[str, bool, World], str]:
    return lambda role, own, w: P + path.format(**w.ids)


def own_other(
    own: Callable[[str, Ids], str], other: Callable[[str, Ids], str], tmpl: str
) -> Callable[[str, bool, World], str]:
    return lambda role, is_own, w: P + tmpl.format((own if is_own else other)(role, w.ids))


# ---- which object is "own" for each role
def own_customer(role: str, ids: Ids) -> str:
    return ids["cust_c"] if role == "store_manager" else ids["cust_a"]


def own_route(role: str, ids: Ids) -> str:
    return ids["route_c"] if role == "store_manager" else ids["route_a"]


def own_vehicle(role: str, ids: Ids) -> str:
    return ids["vehicle_c"] if role == "store_manager" else ids["vehicle_a"]


def own_staff(role: str, ids: Ids) -> str:
    return "E013" if role == "store_manager" else "E001"


def own_order(role: str, ids: Ids) -> str:
    return ids["order_own_sm"]


def own_user(role: str, w: World) -> int:
    return w.users[role]


def own_stop(role: str, ids: Ids) -> str:
    return ids["stop_c"] if role == "store_manager" else ids["stop_a"]


def own_route_key(role: str) -> str:
    return "route_c" if role == "store_manager" else "route_a"


def fresh_stop(role: str, own: bool, w: World) -> str:
    """A new stop without outcome on the role's own route (or on route B, someone else's)."""
    from tests.api_fixtures import new_stop

    return new_stop(w.settings, w.ids[own_route_key(role) if own else "route_b"])


def stop_with_outcome(role: str, own: bool, w: World) -> str:
    from ledger.service import record_outcome

    code = fresh_stop(role, own, w)
    with session_scope(w.settings) as s:
        record_outcome(
            s, outcome_body(role, own, w.ids) | {"stop": code}, idempotency_key=f"t:{code}", actor="t"
        )
    return code


def own_monthly(role: str, ids: Ids) -> str:
    return ids["cust_a"] if role == "driver" else ids["cust_monthly_own"]


# ---- leak checks
def rows(body: Any) -> list[dict[str, Any]]:
    return body["data"] if isinstance(body, dict) and "data" in body else []


def no_customer_phone_unless(role: str, body: Any, ids: Ids) -> list[str]:
    items = rows(body) or ([body] if isinstance(body, dict) and "code" in body else [])
    leaks = []
    for c in items:
        allowed = role in ("admin", "dispatcher", "customer_service") or (
            role == "driver" and c.get("code") == ids["cust_a"]
        )
        if c.get("phone") and not allowed:
            leaks.append(f"{role} saw the phone of customer {c.get('code')}")
        if role == "store_manager" and c.get("township") not in (None, "T01"):
            leaks.append(f"store manager saw customer {c.get('code')} of {c.get('township')}")
    return leaks


def route_scope(role: str, body: Any, ids: Ids) -> list[str]:
    items = rows(body) or ([body] if isinstance(body, dict) and "code" in body else [])
    leaks = []
    for r in items:
        if role == "driver" and r["driver"] != "E001":
            leaks.append(f"driver saw route {r['code']}")
        if role == "store_manager" and r["depot"] != "S01":
            leaks.append(f"store manager saw route {r['code']}")
        for s in r.get("stops", []):
            cust = s.get("customer") or {}
            ok = role in ("admin", "dispatcher", "customer_service") or (
                role == "driver" and r["driver"] == "E001"
            )
            if cust.get("phone") and not ok:
                leaks.append(f"{role} saw a phone on route {r['code']}")
    return leaks


def order_scope(role: str, body: Any, ids: Ids) -> list[str]:
    if role != "store_manager":
        return []
    return [
        f"store manager saw order {o['number']}"
        for o in rows(body)
        if o["customer"][6:8] != "01" and o["reported_by"] != "S01"
    ]


def vehicle_scope(role: str, body: Any, ids: Ids) -> list[str]:
    items = rows(body)
    if role == "store_manager":
        return [f"store manager saw vehicle {v['plate']}" for v in items if v["home_depot"] != "S01"]
    if role == "driver":
        return [f"driver saw vehicle {v['plate']}" for v in items if "E001" not in (v["driver"], v["loader"])]
    return []


def staff_scope(role: str, body: Any, ids: Ids) -> list[str]:
    items = rows(body) or ([body] if isinstance(body, dict) and "code" in body else [])
    leaks = []
    for s in items:
        self_code = {"driver": "E001", "store_manager": "E012"}.get(role)
        if s.get("phone") and role not in ("admin", "dispatcher") and s["code"] != self_code:
            leaks.append(f"{role} saw the phone of staff {s['code']}")
        if role == "store_manager" and s["depot"] != "S01":
            leaks.append(f"store manager saw staff {s['code']}")
        if role == "driver" and s["code"] != "E001":
            leaks.append(f"driver saw staff {s['code']}")
    return leaks


def stop_scope(role: str, body: Any, ids: Ids) -> list[str]:
    cust = (body.get("customer") or {}) if isinstance(body, dict) else {}
    ok = role in ("admin", "dispatcher", "customer_service") or (
        role == "driver" and body.get("route") == ids["route_a"]
    )
    return [f"{role} saw a phone on stop {body.get('code')}"] if cust.get("phone") and not ok else []


def no_phone_in_text(role: str, body: Any, ids: Ids) -> list[str]:
    return [f"{role} saw a customer phone in a document" for p in ids["phones"] if p and p in str(body)]


def handover_scope(role: str, body: Any, ids: Ids) -> list[str]:
    if role == "driver":
        return [f"driver saw the handover of {h['staff']}" for h in rows(body) if h["staff"] != "E001"]
    if role == "store_manager":
        return [f"store manager saw handover {h['id']}" for h in rows(body) if h["to"] != "S01"]
    return []


def stock_scope(role: str, body: Any, ids: Ids) -> list[str]:
    depots = [d["depot"] for d in body["depots"]] if isinstance(body, dict) and "depots" in body else []
    if role == "store_manager":
        return [f"store manager saw the stock of {d}" for d in depots if d != "S01"] or (
            [] if depots == ["S01"] else ["store manager did not get their own store"]
        )
    return []


# ---- bodies
def new_user(role: str, own: bool, ids: Ids) -> dict[str, Any]:
    return {"username": f"u{next(_n)}", "password": "a-long-passphrase", "role": "finance"}


def new_product(role: str, own: bool, ids: Ids) -> dict[str, Any]:
    return {
        "code": f"X{next(_n):04d}",
        "name_zh": "测试",
        "name_en": "Test",
        "category": "non_salt",
        "bags_per_case": 10,
        "case_weight_kg": 10,
        "price_fen": 100,
    }


def new_customer(role: str, own: bool, ids: Ids) -> dict[str, Any]:
    return {
        "code": make_customer_code("439901", 1, 8000 + next(_n)),
        "name": "测试店",
        "type": "grocery",
        "township": "T01",
        "lat": 28.5,
        "lon": 112.2,
    }


def new_order(role: str, own: bool, ids: Ids) -> dict[str, Any]:
    return {
        "customer": ids["cust_c"] if own else ids["cust_a"],
        "channel": "inbound_call",
        "delivery_date": ids["today"],
        "lines": [{"product": "S001", "cases": 6}],
    }


def movement(role: str, own: bool, ids: Ids) -> dict[str, Any]:
    return {"product": "S001", "on_hand_delta": 1, "reason": "receipt"}


def outcome_body(role: str, own: bool, ids: Ids) -> dict[str, Any]:
    return {
        "lines": [{"product": "S001", "delivered_cases": 6}],
        "signed": True,
        "signer_name": "店主",
        "occurred_at": f"{ids['today']}T10:00:00+08:00",
        "cash_collected_fen": 0,
    }


def handover(role: str, own: bool, ids: Ids) -> dict[str, Any]:
    staff = ("E013" if role == "store_manager" else "E001") if own else "E003"
    return {"staff": staff, "on_date": ids["today"], "counted_fen": 100, "notes_returned": 1}


def new_job(w: World) -> str:
    with session_scope(w.settings) as s:
        job = PlanJob(
            id=str(uuid.uuid4()), params={}, state=JobState.QUEUED, executor="process", created_by="test"
        )
        s.add(job)
        return job.id


def new_victim(w: World) -> int:
    from tests.api_fixtures import add_users

    name = f"victim{next(_n)}"
    return add_users(w.settings, {name: (UserRole.FINANCE, None)}, only_extra=True)[name]


RUN_BIZ = dict(admin=200, dispatcher=200)
READ_BIZ = dict(admin=200, dispatcher=200, finance=200, manager=200)

CASES: list[Case] = [
    Case("users me", "GET", fixed("/users/me"), exp(200)),
    Case("users list", "GET", fixed("/users"), exp(403, admin=200)),
    Case("users create", "POST", fixed("/users"), exp(403, admin=201), body=new_user),
    Case(
        "user read",
        "GET",
        lambda r, own, w: f"{P}/users/{own_user(r, w) if own else w.users['driver_b']}",
        exp((200, 404), admin=200),
    ),
    Case(
        "user update",
        "PATCH",
        lambda r, own, w: f"{P}/users/{own_user(r, w) if own else w.users['driver_b']}",
        exp((403, 404), admin=200),
        body=lambda r, o, i: {"full_name": "x"},
    ),
    Case(
        "user delete",
        "DELETE",
        lambda r, own, w: f"{P}/users/{own_user(r, w) if own else new_victim(w)}",
        exp((403, 404), admin=(409, 204)),
    ),
    Case("townships list", "GET", fixed("/townships"), exp(200)),
    Case("township read", "GET", fixed("/townships/T01"), exp(200)),
    Case("depots list", "GET", fixed("/depots"), exp(200)),
    Case("depot read", "GET", fixed("/depots/S02"), exp(200)),
    Case(
        "stock read",
        "GET",
        own_other(lambda r, i: "S01", lambda r, i: "S02", "/depots/{}/stock"),
        exp(404, store_manager=(200, 404), **READ_BIZ),
    ),
    Case(
        "stock movement",
        "POST",
        own_other(lambda r, i: "S01", lambda r, i: "S02", "/depots/{}/stock/movements"),
        exp(404, admin=201, dispatcher=201, finance=403, manager=403, store_manager=(201, 404)),
        body=movement,
    ),
    Case("products list", "GET", fixed("/products"), exp(200)),
    Case("product read", "GET", fixed("/products/S001"), exp(200)),
    Case("product create", "POST", fixed("/products"), exp(403, admin=201), body=new_product),
    Case(
        "product update",
        "PATCH",
        fixed("/products/S002"),
        exp(403, admin=200),
        body=lambda r, o, i: {"price_fen": 8100},
    ),
    Case(
        "vehicles list",
        "GET",
        own_other(lambda r, i: "DC", lambda r, i: "S02", "/vehicles?depot={}"),
        exp(200, customer_service=403),
        leak=vehicle_scope,
    ),
    Case(
        "vehicle read",
        "GET",
        own_other(lambda r, i: own_vehicle(r, i), lambda r, i: "湘X·S0288", "/vehicles/{}"),
        exp(404, driver=(200, 404), store_manager=(200, 404), **READ_BIZ),
    ),
    Case(
        "vehicle update",
        "PATCH",
        own_other(lambda r, i: own_vehicle(r, i), lambda r, i: "湘X·S0288", "/vehicles/{}"),
        exp(
            404,
            admin=200,
            dispatcher=200,
            finance=403,
            manager=403,
            driver=(403, 404),
            store_manager=(403, 404),
        ),
        body=lambda r, o, i: {"status": "active"},
    ),
    Case("staff list", "GET", fixed("/staff"), exp(200, customer_service=403), leak=staff_scope),
    Case(
        "staff read",
        "GET",
        own_other(own_staff, lambda r, i: "E014", "/staff/{}"),
        exp(404, driver=(200, 404), store_manager=(200, 404), **READ_BIZ),
        leak=staff_scope,
    ),
    Case(
        "customers list",
        "GET",
        own_other(lambda r, i: "T01", lambda r, i: "T00", "/customers?township={}"),
        exp(200, driver=403),
        leak=no_customer_phone_unless,
    ),
    Case(
        "customer read",
        "GET",
        own_other(own_customer, lambda r, i: i["cust_other"], "/customers/{}"),
        exp(200, driver=(200, 404), store_manager=(200, 404)),
        leak=no_customer_phone_unless,
    ),
    Case(
        "customer create",
        "POST",
        fixed("/customers"),
        exp(403, admin=201, dispatcher=201, customer_service=201),
        body=new_customer,
    ),
    Case(
        "customer update",
        "PATCH",
        own_other(own_customer, lambda r, i: i["cust_other"], "/customers/{}"),
        exp(
            403, admin=200, dispatcher=200, customer_service=200, driver=(403, 404), store_manager=(403, 404)
        ),
        body=lambda r, o, i: {"cycle_days": 15},
    ),
    Case(
        "customers import",
        "POST",
        fixed("/customers/import"),
        exp(403, admin=422, dispatcher=422, customer_service=422),
        files=True,
    ),
    Case(
        "orders list",
        "GET",
        own_other(lambda r, i: i["cust_c"], lambda r, i: i["cust_a"], "/orders?customer={}"),
        exp(200, driver=403),
        leak=order_scope,
    ),
    Case(
        "order read",
        "GET",
        own_other(own_order, lambda r, i: i["order_other"], "/orders/{}"),
        exp(200, driver=404, store_manager=(200, 404)),
    ),
    Case(
        "order create",
        "POST",
        fixed("/orders"),
        exp(403, admin=201, dispatcher=201, customer_service=201, store_manager=(201, 422)),
        body=new_order,
    ),
    Case(
        "orders import",
        "POST",
        fixed("/orders/import"),
        exp(403, admin=422, dispatcher=422, customer_service=422),
        files=True,
    ),
    Case("consolidations", "GET", fixed("/consolidations"), exp(403, admin=200, dispatcher=200, manager=200)),
    Case(
        "backlog",
        "GET",
        fixed("/backlog"),
        exp(403, admin=200, dispatcher=200, manager=200, customer_service=200),
    ),
    Case(
        "plan start",
        "POST",
        fixed("/plans"),
        exp(403, admin=202, dispatcher=202),
        body=lambda r, o, i: {"time_limit_s": 1},
    ),
    Case("plans list", "GET", fixed("/plans?date={today}"), exp(403, **READ_BIZ)),
    Case("plan job read", "GET", fixed("/plans/{job_done}"), exp(404, **READ_BIZ)),
    Case(
        "plan job cancel",
        "DELETE",
        lambda r, own, w: f"{P}/plans/{new_job(w)}",
        exp(404, admin=202, dispatcher=202, finance=403, manager=403),
    ),
    Case("plan job routes", "GET", fixed("/plans/{job_done}/routes"), exp(404, **READ_BIZ)),
    Case(
        "routes list",
        "GET",
        own_other(lambda r, i: "S01", lambda r, i: "DC", "/routes?depot={}"),
        exp(200),
        leak=route_scope,
    ),
    Case(
        "route read",
        "GET",
        own_other(own_route, lambda r, i: i["route_b"], "/routes/{}"),
        exp(200, driver=(200, 404), store_manager=(200, 404)),
        leak=route_scope,
    ),
    # ---------------------------------------------------------------- phase 2
    Case(
        "route sheet",
        "GET",
        own_other(own_route, lambda r, i: i["route_b"], "/routes/{}/sheet.html"),
        exp(200, driver=(200, 404), store_manager=(200, 404)),
        leak=no_phone_in_text,
    ),
    Case(
        "route pack",
        "GET",
        own_other(own_route, lambda r, i: i["route_b"], "/routes/{}/pack.pdf?lang=en"),
        exp(200, driver=(200, 404), store_manager=(200, 404)),
    ),
    Case(
        "plan overview",
        "GET",
        fixed("/plans/{plan_id}/overview.html"),
        exp(404, admin=200, dispatcher=200, manager=200, finance=403),
        leak=no_phone_in_text,
    ),
    Case(
        "stop read",
        "GET",
        own_other(own_stop, lambda r, i: i["stop_b"], "/stops/{}"),
        exp(200, driver=(200, 404), store_manager=(200, 404)),
        leak=stop_scope,
    ),
    Case(
        "stop outcomes",
        "GET",
        own_other(own_stop, lambda r, i: i["stop_b"], "/stops/{}/outcomes"),
        exp(200, driver=(200, 404), store_manager=(200, 404)),
    ),
    Case(
        "stop outcome record",
        "POST",
        lambda r, own, w: f"{P}/stops/{fresh_stop(r, own, w)}/outcome",
        exp(403, admin=201, dispatcher=201, driver=(201, 404), store_manager=(201, 404)),
        body=outcome_body,
        idem=True,
    ),
    Case(
        "stop outcome correct",
        "POST",
        lambda r, own, w: f"{P}/stops/{stop_with_outcome(r, own, w)}/outcome/corrections",
        exp(403, admin=201, dispatcher=201, finance=201, driver=(403, 404), store_manager=(403, 404)),
        body=lambda r, o, i: outcome_body(r, o, i) | {"reason": "recount"},
        idem=True,
    ),
    Case(
        "handover record",
        "POST",
        fixed("/handovers"),
        exp(403, admin=201, dispatcher=201, finance=201, store_manager=(201, 422)),
        body=handover,
        idem=True,
    ),
    Case(
        "handovers list",
        "GET",
        fixed("/handovers?date={today}"),
        exp(200, customer_service=403),
        leak=handover_scope,
    ),
    Case(
        "store report",
        "POST",
        own_other(lambda r, i: "S01", lambda r, i: "S02", "/stores/{}/reports"),
        exp(404, admin=201, dispatcher=201, finance=403, manager=403, store_manager=(201, 404)),
        body=lambda r, o, i: {"on_date": i["today"], "stops": 1, "delivered_cases": 6, "cash_fen": 0},
        idem=True,
    ),
    Case(
        "remittance",
        "POST",
        fixed("/remittances"),
        exp(403, admin=201, dispatcher=201, finance=201),
        body=lambda r, o, i: {"store": "S01" if o else "S02", "on_date": i["today"], "amount_fen": 100},
        idem=True,
    ),
    Case(
        "payment",
        "POST",
        fixed("/payments"),
        exp(403, admin=201, finance=201),
        body=lambda r, o, i: {
            "customer": i["cust_monthly_own" if o else "cust_monthly_other"],
            "on_date": i["today"],
            "amount_fen": 100,
        },
        idem=True,
    ),
    Case("reconciliation", "GET", fixed("/reconciliation?date={today}"), exp(403, **READ_BIZ)),
    Case("reconciliation xlsx", "GET", fixed("/reconciliation.xlsx?date={today}"), exp(403, **READ_BIZ)),
    Case("flags list", "GET", fixed("/flags?date={today}&status=open"), exp(403, **READ_BIZ)),
    Case("flag read", "GET", fixed("/flags/{today}/outcome_missing/{stop_b}"), exp(404, **READ_BIZ)),
    Case(
        "flag update",
        "PATCH",
        fixed("/flags/{today}/outcome_missing/{stop_b}"),
        exp(404, admin=200, finance=200, dispatcher=403, manager=403),
        body=lambda r, o, i: {"status": "explained", "comment": "the driver phoned it in"},
    ),
    Case(
        "statement",
        "GET",
        lambda r, own, w: (
            f"{P}/customers/{own_monthly(r, w.ids) if own else w.ids['cust_monthly_other']}"
            f"/statement?month={w.ids['month']}"
        ),
        exp(403, admin=200, finance=200, manager=200, driver=(403, 404), store_manager=(403, 404)),
    ),
    Case("ageing", "GET", fixed("/receivables/ageing"), exp(403, admin=200, finance=200, manager=200)),
    Case("report costs", "GET", fixed("/reports/costs?from={today}&to={today}"), exp(403, **READ_BIZ)),
    Case("report utilisation", "GET", fixed("/reports/utilisation"), exp(403, **READ_BIZ)),
    Case(
        "report stock",
        "GET",
        fixed("/reports/stock?days=10"),
        exp(403, store_manager=200, **READ_BIZ),
        leak=stock_scope,
    ),
]


class NullRunner:
    name = "process"

    def submit(self, job_id: str) -> None: ...
    def cancel(self, job_id: str) -> None: ...
    def shutdown(self) -> None: ...


BAD_CSV = b"customer_code,product_code,cases\n4399019999999,S001,x\n"


def test_access_matrix(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w = api_world
    w.ids["today"] = w.today.isoformat()
    w.ids["month"] = w.today.strftime("%Y-%m")
    with session_scope(w.settings) as s:
        w.ids["phones"] = [c.phone for c in s.scalars(select(Customer)) if c.phone]
    api_client.app.state.jobs.runner = NullRunner()  # type: ignore[attr-defined]
    headers = {r: w.headers(r) for r in ROLES}
    wrong: list[str] = []
    leaks: list[str] = []
    n = 0
    for case in CASES:
        for role in ROLES:
            for own in (True, False):
                path = case.path(role, own, w)
                kw: dict[str, Any] = {"headers": headers[role]}
                if case.idem:
                    kw["headers"] = headers[role] | {"Idempotency-Key": str(uuid.uuid4())}
                if case.body is not None:
                    kw["json"] = case.body(role, own, w.ids)
                if case.files:
                    kw["files"] = {"file": ("bad.csv", BAD_CSV, "text/csv")}
                resp = api_client.request(case.method, path, **kw)
                n += 1
                want = case.expected[role][0 if own else 1]
                if resp.status_code != want:
                    wrong.append(
                        f"{case.name} {role} {'own' if own else 'other'}: {case.method} {path} → "
                        f"{resp.status_code}, expected {want}: {resp.text[:160]}"
                    )
                    if resp.status_code < 300 <= want:
                        leaks.append(f"{case.name} {role}: answered {resp.status_code} where {want} was due")
                if resp.status_code < 300 and case.leak is not None:
                    json_body = "json" in resp.headers["content-type"]
                    leaks += case.leak(role, resp.json() if json_body else resp.text, w.ids)
                if resp.status_code in (403, 404):
                    assert resp.headers["content-type"].startswith("application/problem+json")
    anonymous = sum(api_client.request(c.method, c.path("admin", True, w)).status_code == 401 for c in CASES)
    print(
        f"\naccess matrix: {len(CASES)} endpoints × {len(ROLES)} roles × own/other = {n} cases, "
        f"{len(wrong)} unexpected, {len(leaks)} leaks; anonymous: {anonymous}/{len(CASES)} refused with 401"
    )
    assert not leaks and not wrong, "\n".join(leaks + wrong)
    assert anonymous == len(CASES)


def test_driver_sees_phones_only_for_todays_own_stops(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    w = api_world
    drv = w.headers("driver")
    stop = api_client.get(f"{P}/routes/{w.ids['route_a']}", headers=drv).json()["stops"][0]
    assert stop["customer"]["phone"], "today's own stop shows the phone"
    assert api_client.get(f"{P}/customers/{w.ids['cust_a']}", headers=drv).json()["phone"]
    # The same route on another day: the plan moves to yesterday, the phone disappears.
    with session_scope(w.settings) as s:
        from models.planning import Plan

        plan = s.get(Plan, w.ids["plan_id"])
        assert plan is not None
        plan.delivery_date = w.today.replace(day=1) if w.today.day > 1 else w.today.replace(month=1)
    stop = api_client.get(f"{P}/routes/{w.ids['route_a']}", headers=drv).json()["stops"][0]
    assert stop["customer"]["phone"] is None
    assert api_client.get(f"{P}/customers/{w.ids['cust_a']}", headers=drv).status_code == 404
    sm = api_client.get(f"{P}/customers/{w.ids['cust_c']}", headers=w.headers("store_manager")).json()
    assert sm["phone"] is None and sm["personal_visible"] is False
    with session_scope(w.settings) as s:
        assert s.scalar(select(Customer.phone).where(Customer.code == w.ids["cust_c"]))


@pytest.mark.parametrize("role", ["driver", "store_manager", "finance"])
def test_login_and_me(api_client: TestClient, api_world: World, role: str) -> None:  # noqa: F811
    from tests.api_fixtures import PASSWORD

    r = api_client.post(f"{P}/login/access-token", data={"username": role, "password": PASSWORD})
    assert r.status_code == 200, r.text
    me = api_client.get(f"{P}/users/me", headers={"Authorization": f"Bearer {r.json()['access_token']}"})
    assert me.json()["role"] == role
    bad = api_client.post(f"{P}/login/access-token", data={"username": role, "password": "wrong-password"})
    assert bad.status_code == 400
    assert bad.headers["content-type"].startswith("application/problem+json")
