"""Fixtures and helpers of the service-API tests (import them into a ``test_api_*`` module).

``api_world`` is the bundled county (SQLite and PostgreSQL, via ``county_settings``)
plus one user per role and a plan for *today* with three routes:

* route A: centre truck, driver E001 (the ``driver`` user), customer ``cust_a`` (T00);
* route B: centre minivan, driver E003 (someone else), customer ``cust_b`` (T00);
* route C: store S01's tricycle, E013, customer ``cust_c`` (T01, the ``store_manager`` user's township).
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from api.policies import local_today
from api.security import create_access_token
from models import clock
from models.accounts import JobState, PlanJob, User, UserRole
from models.db import session_scope
from models.enums import PaymentTerms
from models.orm import Customer, Depot, Order, Product, Staff, Township, Vehicle
from models.planning import Consolidation, DispatchOrder, Plan, PlanRoute, PlanStatus, PlanStop, StopKind
from models.settings import Settings
from services.accounts import hash_password

PASSWORD = "correct-horse-battery"
ROOT = Path(__file__).resolve().parents[1]
ROLE_STAFF = {UserRole.DRIVER: "E001", UserRole.STORE_MANAGER: "E012"}


@lru_cache(maxsize=1)
def password_hash() -> str:
    return hash_password(PASSWORD)  # argon2 is slow on purpose: hash once per test session


def api_settings(base: Settings, **extra: Any) -> Settings:
    return base.model_copy(update={"jwt_secret": "test-secret-" + "x" * 32, **extra})


@dataclass
class World:
    settings: Settings
    today: dt.date
    users: dict[str, int] = field(default_factory=dict)  # role (or name) -> user id
    ids: dict[str, Any] = field(default_factory=dict)

    def token(self, who: str) -> str:
        return create_access_token(self.settings, self.users[who])[0]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token(who)}"}


def add_users(
    settings: Settings,
    extra: dict[str, tuple[UserRole, str | None]] | None = None,
    *,
    only_extra: bool = False,
) -> dict[str, int]:
    """One user per role (named by the role), plus ``extra`` {name: (role, staff code)}."""
    wanted: dict[str, tuple[UserRole, str | None]] = (
        {} if only_extra else {r.value: (r, ROLE_STAFF.get(r)) for r in UserRole}
    )
    wanted |= extra or {}
    out = {}
    with session_scope(settings) as s:
        for name, (role, staff_code) in wanted.items():
            staff_id = s.scalar(select(Staff.id).where(Staff.code == staff_code)) if staff_code else None
            u = User(username=name, password_hash=password_hash(), role=role, staff_id=staff_id, active=True)
            s.add(u)
            s.flush()
            out[name] = u.id
    return out


def _first_customer(s: Any, township: str, skip: set[int]) -> Customer:
    t = s.scalar(select(Township).where(Township.code == township))
    return next(
        c
        for c in s.scalars(select(Customer).where(Customer.township_id == t.id).order_by(Customer.id))
        if c.id not in skip
    )


def add_stop(s: Any, route: PlanRoute, customer: Customer, *, seq: int, cases: int = 6) -> PlanStop:
    """A delivery stop of ``cases`` × S001 for ``customer`` on ``route`` (its dispatch order too)."""
    price = s.scalar(select(Product.price_fen).where(Product.code == "S001"))
    cons_id = s.scalar(
        select(Consolidation.id).where(Consolidation.delivery_date == route.plan.delivery_date)
    ) or _consolidation(s, route.plan.delivery_date)
    d = DispatchOrder(
        number=f"CO{route.code.replace('-', '')}{seq:03d}",
        delivery_date=route.plan.delivery_date,
        customer_id=customer.id,
        consolidation_id=cons_id,
        total_cases=cases,
        total_kg=20 * cases,
        value_fen=price * cases,
    )
    s.add(d)
    s.flush()
    stop = PlanStop(
        code=f"{route.code}-{seq:02d}",
        route_id=route.id,
        plan_id=route.plan_id,
        seq=seq,
        kind=StopKind.DELIVERY,
        dispatch_order_id=d.id,
        arrival_s=27000 + 900 * seq,
        wait_s=0,
        service_start_s=27000 + 900 * seq,
        departure_s=27600 + 900 * seq,
        load_kg_after=0,
        load_cases_after=0,
        kg=20 * cases,
        cases=cases,
        lines=[{"product": "S001", "cases": cases, "ordered_cases": cases, "price_fen": price}],
    )
    s.add(stop)
    s.flush()
    return stop


def _consolidation(s: Any, day: dt.date) -> int:
    cons = Consolidation(delivery_date=day, cut_off_at=clock.now(), actor="test")
    s.add(cons)
    s.flush()
    return cons.id


def new_stop(settings: Settings, route_code: str, customer: str | None = None) -> str:
    """Another stop on route ``route_code``: for ``customer``, else for a customer of a township the
    fixtures leave alone (T03 onwards) who has no dispatch order that day; its code."""
    with session_scope(settings) as s:
        r = s.scalar(select(PlanRoute).where(PlanRoute.code == route_code))
        assert r is not None
        taken = select(DispatchOrder.customer_id).where(DispatchOrder.delivery_date == r.plan.delivery_date)
        spare = select(Township.id).where(Township.code.not_in(("T00", "T01", "T02")))
        pick = Customer.code == customer if customer else Customer.township_id.in_(spare)
        c = s.scalar(select(Customer).where(pick, Customer.id.not_in(taken)).order_by(Customer.id).limit(1))
        assert c is not None
        seq = max((st.seq for st in r.stops), default=0) + 1
        return add_stop(s, r, c, seq=seq).code


def add_today_plan(settings: Settings, today: dt.date) -> dict[str, Any]:
    """A draft plan for ``today`` with routes A, B, C (see the module docstring); ids and codes."""
    with session_scope(settings) as s:
        staff = {st.code: st for st in s.scalars(select(Staff))}
        depots = {d.code: d for d in s.scalars(select(Depot))}
        vehicles = {v.driver.code: v for v in s.scalars(select(Vehicle)) if v.driver}
        used: set[int] = set()
        custs = {}
        for key, township in (("a", "T00"), ("b", "T00"), ("c", "T01"), ("other", "T02")):
            c = _first_customer(s, township, used)
            used.add(c.id)
            custs[key] = c
        _consolidation(s, today)
        plan = Plan(delivery_date=today, version=1, status=PlanStatus.DRAFT, created_by="test", feasible=True)
        s.add(plan)
        s.flush()
        out: dict[str, Any] = {"plan_id": plan.id}
        for n, (key, driver, depot) in enumerate(
            (("a", "E001", "DC"), ("b", "E003", "DC"), ("c", "E013", "S01")), 1
        ):
            v = vehicles[driver]
            r = PlanRoute(
                plan_id=plan.id,
                number=n,
                code=f"{today:%Y%m%d}-V1-R{n:02d}",
                vehicle_id=v.id,
                depot_id=depots[depot].id,
                driver_id=staff[driver].id,
                start_s=25200,
                end_s=30000,
                distance_m=10000,
                duration_s=4800,
                load_kg=120,
                load_cases=6,
                cost_fen=5000,
            )
            s.add(r)
            s.flush()
            stop = add_stop(s, r, custs[key], seq=1)
            out[f"route_{key}"] = r.code
            out[f"stop_{key}"] = stop.code
            out[f"vehicle_{key}"] = v.plate
        for key, c in custs.items():
            out[f"cust_{key}"] = c.code
        for key, township in (("monthly_own", "T01"), ("monthly_other", "T00")):
            t = s.scalar(select(Township.id).where(Township.code == township))
            out[f"cust_{key}"] = s.scalar(
                select(Customer.code)
                .where(Customer.township_id == t, Customer.payment_terms == PaymentTerms.MONTHLY)
                .order_by(Customer.code)
            )
        job = PlanJob(
            id=str(uuid.uuid4()),
            delivery_date=today,
            params={},
            state=JobState.SUCCEEDED,
            progress=100,
            message="done",
            result={"plan_id": plan.id},
            plan_id=plan.id,
            executor="process",
            created_by="test",
        )
        s.add(job)
        out["job_done"] = job.id
        t01 = s.scalar(select(Township.id).where(Township.code == "T01"))
        t00 = s.scalar(select(Township.id).where(Township.code == "T00"))
        out["order_own_sm"] = s.scalar(
            select(Order.number).join(Customer).where(Customer.township_id == t01).order_by(Order.number)
        )
        out["order_other"] = s.scalar(
            select(Order.number).join(Customer).where(Customer.township_id == t00).order_by(Order.number)
        )
    return out


@pytest.fixture
def api_world(county_settings: Settings) -> World:
    settings = api_settings(county_settings)
    today = local_today(settings)
    world = World(settings=settings, today=today)
    world.users = add_users(
        settings, {"driver_b": (UserRole.DRIVER, "E003"), "store_manager_b": (UserRole.STORE_MANAGER, "E014")}
    )
    world.ids = add_today_plan(settings, today)
    return world


@pytest.fixture
def api_client(api_world: World) -> Iterator[TestClient]:
    with TestClient(create_app(api_world.settings), raise_server_exceptions=False) as client:
        yield client


# ----------------------------------------------------------- live servers
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def settings_env(settings: Settings) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_") or k == "DISPATCH_CLOCK"}
    env.update(
        {
            "DISPATCH_DATABASE_URL": settings.effective_database_url,
            "DISPATCH_DATA_DIR": str(settings.data_dir),
            "DISPATCH_JWT_SECRET": settings.jwt_secret or "",
            "DISPATCH_PLANNING_MODULE": settings.planning_module,
            "DISPATCH_JOB_STALE_S": str(settings.job_stale_s),
            "PYTHONPATH": str(ROOT),
        }
    )
    if settings.broker_url:
        env["DISPATCH_BROKER_URL"] = settings.broker_url
    return env


class LiveServer:
    """``uvicorn api.main:app`` in a subprocess on a free loopback port."""

    def __init__(self, settings: Settings, log: Path) -> None:
        self.settings, self.log = settings, log
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 30) -> LiveServer:
        out = self.log.open("ab")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "api.main:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=settings_env(self.settings),
            stdout=out,
            stderr=out,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.url}/api/v1/openapi.json", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)


@pytest.fixture
def live_server(api_world: World, tmp_path: Path) -> Iterator[LiveServer]:
    server = LiveServer(api_world.settings, tmp_path / "server.log").start()
    try:
        yield server
    finally:
        server.stop()


# ------------------------------------------------- planning stand-in
# Same interface as ``services.planning`` (plan_day / prepare_plan / solve_prepared / store_plan), over a
# small random problem solved by the real optimizer; ``params["solution_limit"]`` bounds the solve and
# the environment variable STANDIN_HOLD_S keeps a job "solving" that long (for cancel and restart tests).
STANDIN = "tests.api_fixtures"


def prepare_plan(
    settings: Settings, delivery_date: dt.date | None = None, *, fleet: str = "today", actor: str = "system"
) -> dict[str, Any]:
    from optimizer.contract import problem_to_json
    from tests.optimizer_fixtures import random_problem

    day = delivery_date or dt.date(2026, 12, 1)
    return {
        "date": day.isoformat(),
        "fleet": fleet,
        "context": {"actor": actor},
        "problem": problem_to_json(random_problem(7, 12, n_vehicles=3, windows=True)),
    }


def solve_prepared(
    prepared: dict[str, Any],
    *,
    time_limit_s: float | None = 30,
    solution_limit: int | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    from optimizer.contract import problem_from_json, solution_to_json
    from optimizer.ortools_backend import solve
    from optimizer.params import SolveParams

    hold = float(os.environ.get("STANDIN_HOLD_S", "0"))
    end = time.monotonic() + hold
    while time.monotonic() < end:
        time.sleep(0.1)
    params = SolveParams(time_limit=None, solution_limit=solution_limit or 50, workers=1)
    return solution_to_json(solve(problem_from_json(prepared["problem"]), params))


def store_plan(
    settings: Settings, prepared: dict[str, Any], solution: dict[str, Any], *, actor: str = "system"
) -> dict[str, Any]:
    from sqlalchemy import func

    from optimizer.check import check_solution
    from optimizer.contract import problem_from_json, solution_from_json

    day = dt.date.fromisoformat(prepared["date"])
    report = check_solution(problem_from_json(prepared["problem"]), solution_from_json(solution))
    with session_scope(settings) as s:
        version = (s.scalar(select(func.max(Plan.version)).where(Plan.delivery_date == day)) or 0) + 1
        plan = Plan(
            delivery_date=day,
            version=version,
            status=PlanStatus.DRAFT,
            created_by=actor,
            feasible=report.feasible,
            problem=prepared["problem"],
            solver={"solution": solution},
        )
        s.add(plan)
        s.flush()
        return {
            "plan_id": plan.id,
            "date": day.isoformat(),
            "version": version,
            "orders": 12,
            "planned": 12 - len(solution["unassigned"]),
            "held": [],
            "unassigned": [],
            "routes": len([r for r in solution["routes"] if r["visits"]]),
            "km": round(report.distance / 1000, 1),
            "cost_per_ton_fen": 0,
            "feasible": report.feasible,
        }


def plan_day(
    settings: Settings,
    delivery_date: dt.date | None = None,
    *,
    time_limit_s: float | None = 30,
    solution_limit: int | None = None,
    fleet: str = "today",
    actor: str = "system",
    workers: int | None = None,
    progress: Any = None,
    should_stop: Any = None,
) -> dict[str, Any]:
    from models.errors import Conflict

    say = progress or (lambda _p, _m: None)
    stop = should_stop or (lambda: False)
    say(5, "preparing")
    prepared = prepare_plan(settings, delivery_date, fleet=fleet, actor=actor)
    if stop():
        raise Conflict("cancelled before solving")
    say(20, "solving")
    solution = solve_prepared(prepared, time_limit_s=time_limit_s, solution_limit=solution_limit)
    if stop():
        raise Conflict("cancelled after solving; nothing stored")
    say(90, "storing")
    result = store_plan(settings, prepared, solution, actor=actor)
    say(100, "done")
    return result


def check_stored_plan(settings: Settings, plan_id: int) -> Any:
    """The independent checker's report on a stored plan (its problem against its routes)."""
    from models.planning import PlanUnassigned
    from optimizer.check import check_plan, check_solution
    from optimizer.contract import problem_from_json, solution_from_json

    with session_scope(settings) as s:
        plan = s.get(Plan, plan_id)
        assert plan is not None and plan.problem is not None
        stored = plan.problem
        problem = problem_from_json(stored.get("problem", stored))  # the prepared dict, or the problem
        if plan.solver and "solution" in plan.solver:
            return check_solution(problem, solution_from_json(plan.solver["solution"]))
        routes: dict[str, list[str]] = {}
        for r in s.scalars(select(PlanRoute).where(PlanRoute.plan_id == plan_id).order_by(PlanRoute.number)):
            routes[r.vehicle.plate] = [
                st.dispatch_order.number if st.dispatch_order is not None else f"RP-{st.target_depot.code}"
                for st in r.stops
            ]  # type: ignore[union-attr]
        declared = [
            u.dispatch_order.number
            for u in s.scalars(select(PlanUnassigned).where(PlanUnassigned.plan_id == plan_id))
        ]
        return check_plan(problem, routes, declared_unassigned=declared)
