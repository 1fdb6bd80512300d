"""Fixtures for the ledger tests: a small hand-built plan over the bundled county (no solver run).

``make_plan`` writes a consolidation, dispatch orders (with their source
orders, status ``planned``), a plan with a centre route driven by E001 and a
store route of S06 driven by E021, and optionally a replenishment stop. It
takes milliseconds, so property tests can build one per example.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.schemas import LineIn, OutcomeIn
from models.db import session_scope
from models.enums import OrderStatus
from models.orm import Customer, Depot, Order, OrderLine, Product, Staff, Vehicle
from models.planning import (
    Consolidation,
    DispatchOrder,
    DispatchOrderLine,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    StopKind,
)
from models.settings import Settings

DAY = dt.date(2026, 12, 2)
CST = dt.timezone(dt.timedelta(hours=8))


@dataclass
class MiniPlan:
    """What ``make_plan`` built: stop codes per route, and each stop's lines and customer terms."""

    plan_id: int
    day: dt.date
    routes: dict[str, list[str]] = field(default_factory=dict)
    drivers: dict[str, str] = field(default_factory=dict)  # route code → staff code
    lines: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # stop code → lines
    terms: dict[str, str] = field(default_factory=dict)  # stop code → cod | monthly
    customers: dict[str, str] = field(default_factory=dict)  # stop code → customer code

    @property
    def stops(self) -> list[str]:
        return [s for codes in self.routes.values() for s in codes]

    def due(self, stop: str) -> int:
        return sum(ln["cases"] * ln["price_fen"] for ln in self.lines[stop])


def make_plan(
    session: Session,
    *,
    day: dt.date = DAY,
    centre_stops: int = 5,
    store_stops: int = 2,
    replenish: bool = False,
    confirmed: bool = False,
    offset: int = 0,
) -> MiniPlan:
    """A plan for ``day`` on the bundled county (see the module docstring)."""
    products = {p.code: p for p in session.scalars(select(Product))}
    centre = session.scalars(select(Depot).where(Depot.code == "DC")).one()
    store = session.scalars(select(Depot).where(Depot.code == "S06")).one()
    truck = session.scalars(select(Vehicle).where(Vehicle.plate == "湘X·A5001")).one()
    trike = session.scalars(select(Vehicle).where(Vehicle.home_depot_id == store.id)).first()
    assert trike is not None
    customers = list(session.scalars(select(Customer).order_by(Customer.id)))
    # a mix of cash-on-delivery and monthly customers, deterministic
    cod = [c for c in customers if c.payment_terms == "cod"]
    monthly = [c for c in customers if c.payment_terms == "monthly"]
    n = centre_stops + store_stops
    picked = [monthly[offset + i // 4] if i % 4 == 3 else cod[offset + i - i // 4] for i in range(n)]
    cons = Consolidation(
        delivery_date=day, cut_off_at=dt.datetime.combine(day, dt.time(8), CST), actor="test"
    )
    session.add(cons)
    session.flush()
    version = (
        session.scalar(select(Plan.version).where(Plan.delivery_date == day).order_by(Plan.version.desc()))
        or 0
    ) + 1
    plan = Plan(
        delivery_date=day,
        version=version,
        status=PlanStatus.CONFIRMED if confirmed else PlanStatus.DRAFT,
        feasible=True,
        created_by="test",
    )
    session.add(plan)
    session.flush()
    mini = MiniPlan(plan_id=plan.id, day=day)
    ymd = day.strftime("%Y%m%d")
    specs = [(1, truck, centre, picked[:centre_stops]), (2, trike, store, picked[centre_stops:])]
    for number, vehicle, depot, custs in specs:
        code = f"{ymd}-V{version}-R{number:02d}"
        route = PlanRoute(
            plan_id=plan.id,
            number=number,
            code=code,
            vehicle_id=vehicle.id,
            depot_id=depot.id,
            driver_id=vehicle.driver_id,
            loader_id=vehicle.loader_id,
            start_s=8 * 3600,
            end_s=16 * 3600,
            distance_m=1000,
            duration_s=3600,
            load_kg=0,
            load_cases=0,
            cost_fen=0,
        )
        session.add(route)
        session.flush()
        driver = session.get(Staff, vehicle.driver_id)
        mini.drivers[code] = driver.code if driver else ""
        mini.routes[code] = []
        seq = 0
        for i, cust in enumerate(custs):
            seq += 1
            prods = ["S001", "N001"] if i % 2 == 0 else ["S002"]
            lines = [
                {
                    "product": p,
                    "cases": 3 + (i + k) % 4,
                    "ordered_cases": 3 + (i + k) % 4,
                    "price_fen": products[p].price_fen,
                }
                for k, p in enumerate(prods)
            ]
            number_ = f"T{ymd}{version}{number}{seq:03d}{offset:03d}"
            d = DispatchOrder(
                number=number_,
                delivery_date=day,
                customer_id=cust.id,
                consolidation_id=cons.id,
                status="planned",
                total_cases=sum(ln["cases"] for ln in lines),
                value_fen=sum(ln["cases"] * ln["price_fen"] for ln in lines),
            )
            d.lines = [
                DispatchOrderLine(
                    product_id=products[ln["product"]].id,
                    ordered_cases=ln["cases"],
                    cases=ln["cases"],
                    price_fen=ln["price_fen"],
                )
                for ln in lines
            ]
            session.add(d)
            session.flush()
            o = Order(
                number=f"O{number_}",
                customer_id=cust.id,
                channel="visit",
                received_at=dt.datetime.combine(day, dt.time(7), CST),
                delivery_date=day,
                status=OrderStatus.PLANNED,
                dispatch_order_id=d.id,
            )
            o.lines = [
                OrderLine(product_id=products[ln["product"]].id, cases=ln["cases"], price_fen=ln["price_fen"])
                for ln in lines
            ]
            session.add(o)
            stop_code = f"{code}-{seq:02d}"
            session.add(_stop(plan, route, seq, stop_code, lines, dispatch_order_id=d.id))
            mini.routes[code].append(stop_code)
            mini.lines[stop_code] = lines
            mini.terms[stop_code] = cust.payment_terms.value
            mini.customers[stop_code] = cust.code
        if replenish and depot.kind == "centre":
            seq += 1
            stop_code = f"{code}-{seq:02d}"
            lines = [
                {"product": "S001", "cases": 10, "ordered_cases": 10, "price_fen": products["S001"].price_fen}
            ]
            session.add(_stop(plan, route, seq, stop_code, lines, target_depot_id=store.id))
            mini.routes[code].append(stop_code)
            mini.lines[stop_code] = lines
            mini.terms[stop_code] = "replenishment"
    session.flush()
    return mini


def _stop(
    plan: Plan,
    route: PlanRoute,
    seq: int,
    code: str,
    lines: list[dict[str, Any]],
    dispatch_order_id: int | None = None,
    target_depot_id: int | None = None,
) -> PlanStop:
    kind = StopKind.DELIVERY if dispatch_order_id else StopKind.REPLENISHMENT
    t = 8 * 3600 + seq * 900
    return PlanStop(
        code=code,
        route_id=route.id,
        plan_id=plan.id,
        seq=seq,
        kind=kind,
        dispatch_order_id=dispatch_order_id,
        target_depot_id=target_depot_id,
        arrival_s=t,
        wait_s=0,
        service_start_s=t,
        departure_s=t + 600,
        load_kg_after=0,
        load_cases_after=0,
        kg=0,
        cases=sum(ln["cases"] for ln in lines),
        lines=lines,
    )


def full_outcome(
    mini: MiniPlan,
    stop: str,
    *,
    cash: int | None = None,
    signer: str = "店主",
    at: dt.datetime | None = None,
    receipt: str | None = None,
) -> OutcomeIn:
    """Everything delivered and signed; cash = the full amount for cash-on-delivery stops."""
    cod = mini.terms[stop] == "cod"
    due = mini.due(stop)
    return OutcomeIn(
        stop=stop,
        lines=[LineIn(product=ln["product"], delivered_cases=ln["cases"]) for ln in mini.lines[stop]],
        signed=True,
        signer_name=signer,
        occurred_at=at or dt.datetime.combine(mini.day, dt.time(10), CST),
        payment_method="cod" if cod else "monthly",
        cash_collected_fen=(due if cod else 0) if cash is None else cash,
        receipt_number=receipt,
    )


@pytest.fixture
def ledger_plan(county_settings: Settings) -> Iterator[tuple[Settings, MiniPlan]]:
    """The bundled county (SQLite and PostgreSQL) with a small draft plan for 2026-12-02."""
    with session_scope(county_settings) as s:
        mini = make_plan(s, replenish=True)
    yield county_settings, mini


@pytest.fixture
def sqlite_plan(fresh_county: Callable[[], Settings]) -> Callable[..., tuple[Settings, MiniPlan]]:
    """A factory: a fresh SQLite county with a small plan (for property tests, one per example)."""

    def make(**kw: Any) -> tuple[Settings, MiniPlan]:
        settings = fresh_county()
        with session_scope(settings) as s:
            mini = make_plan(s, **kw)
        return settings, mini

    return make


def kill_writer(
    url: str, day: str, correct_every: int = 4
) -> None:  # pragma: no cover - runs in a subprocess
    """The SIGKILL test's writer: record (and sometimes correct) outcomes; ``ACK <key>`` after each commit.

    Stops that already have an outcome are skipped: a restarted writer carries on where the last one stopped.
    """
    import sys

    from ledger.orm import StopOutcome
    from ledger.outcomes import correct_outcome, record_outcome

    settings = Settings(database_url=url)
    d = dt.date.fromisoformat(day)
    with session_scope(settings) as s:
        plan = s.scalars(select(Plan).where(Plan.delivery_date == d)).one()
        stops = [
            (st.code, st.id)
            for st in s.scalars(
                select(PlanStop).where(PlanStop.plan_id == plan.id).order_by(PlanStop.route_id, PlanStop.seq)
            )
        ]
        mini = MiniPlan(plan_id=plan.id, day=d)
        for code, sid in stops:
            st = s.get(PlanStop, sid)
            assert st is not None
            mini.lines[code] = list(st.lines or [])
            mini.terms[code] = "cod"
    with session_scope(settings) as s:
        done = set(s.scalars(select(StopOutcome.stop_id)))
    for i, (code, sid) in enumerate(stops):
        if sid in done:
            continue
        key = f"kill:{code}"
        with session_scope(settings) as s:
            record_outcome(s, full_outcome(mini, code), idempotency_key=key, actor="killer")
        sys.stdout.write(f"ACK {key}\n")
        sys.stdout.flush()
        if correct_every and i % correct_every == 0:
            lines = [
                LineIn(product=ln["product"], delivered_cases=ln["cases"] - 1, shortfall="damaged")
                for ln in mini.lines[code]
            ]
            billed = sum((ln["cases"] - 1) * ln["price_fen"] for ln in mini.lines[code])
            data = full_outcome(mini, code, cash=billed).model_copy(update={"lines": lines})
            ckey = f"kill:{code}:v2"
            with session_scope(settings) as s:
                correct_outcome(s, data, reason="recount", idempotency_key=ckey, actor="killer")
            sys.stdout.write(f"ACK {ckey}\n")
            sys.stdout.flush()
    sys.stdout.write("DONE\n")
    sys.stdout.flush()
