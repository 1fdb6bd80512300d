"""Load run of the service API on loopback: order and stop-outcome POSTs at 1, 10 and 50 concurrent clients.

``python -m bench.api_load [--seconds 8] [--clients 1,10,50] [--backends sqlite,pg]
[--kinds orders,outcomes] [--outcome-stops 6000]``

For each backend a fresh database is migrated and loaded with the bundled
county, and ``uvicorn api.main:app`` is started on a free loopback port (one
process, as ``make serve``). Each client (an httpx async client) posts with its
own ``Idempotency-Key``s, as phones do, for a bounded time:

* **orders**: a dispatcher places orders for tomorrow (``POST /orders``);
* **outcomes**: a driver records stops of today's plan (``POST
  /stops/{code}/outcome``): delivered, signed, the cash due collected — one
  outcome, its stock movements and its ledger postings per request. The
  stops are prepared beforehand (plan versions of today whose routes the
  driver E001 drives, every active customer on each); each is recorded once.

Reported per kind and level: requests, throughput, p50, p99, errors (any
answer but 201; must be 0). Results go to ``bench-results/api_load.json``.
PostgreSQL comes from ``DISPATCH_TEST_PG_URL`` (default
``postgresql+psycopg://postgres@127.0.0.1:5432/test``; skipped if unreachable).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from models import clock

ROOT = Path(__file__).resolve().parents[1]
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-password-1"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


Request = tuple[str, dict[str, Any]]  # path, JSON body


def _prepare(url: str, data_dir: Path, outcome_stops: int) -> tuple[list[str], list[Request]]:
    """Migrate and load the county at ``url``; the accounts; the active customers' codes; and one outcome
    request per prepared stop of today."""
    from sqlalchemy import select

    from models.accounts import UserRole
    from models.db import dispose_engines, session_scope
    from models.enums import CustomerStatus
    from models.orm import Customer
    from models.settings import Settings
    from services.accounts import NewUser, create_user
    from services.register import db_upgrade, scenario_load

    settings = Settings(database_url=url, data_dir=data_dir)
    db_upgrade(settings)
    scenario_load(settings)
    with session_scope(settings) as s:
        create_user(s, NewUser(username="bench", password=PASSWORD, role=UserRole.DISPATCHER))
        create_user(
            s, NewUser(username="bench-driver", password=PASSWORD, role=UserRole.DRIVER, staff_code="E001")
        )
        codes = list(s.scalars(select(Customer.code).where(Customer.status == CustomerStatus.ACTIVE)))
    with session_scope(settings) as s:
        outcomes = _outcome_stops(s, settings, outcome_stops)
    dispose_engines()
    return codes, outcomes


def _outcome_stops(session: Any, settings: Any, wanted: int) -> list[Request]:
    """Draft plan versions of today, routes of 25 stops driven by E001, until ``wanted`` stops exist."""
    from sqlalchemy import select

    from api.policies import local_today
    from models.enums import CustomerStatus, PaymentTerms
    from models.orm import Customer, Depot, Product, Staff, Vehicle
    from models.planning import Consolidation, DispatchOrder, Plan, PlanRoute, PlanStatus, PlanStop, StopKind

    day = local_today(settings)
    price = {p.code: p.price_fen for p in session.scalars(select(Product))}
    driver = session.scalars(select(Staff).where(Staff.code == "E001")).one()
    truck = session.scalars(select(Vehicle).where(Vehicle.driver_id == driver.id)).first()
    centre = session.scalars(select(Depot).where(Depot.kind == "centre")).one()
    cons = Consolidation(delivery_date=day, cut_off_at=clock.now(), actor="bench")
    session.add(cons)
    session.flush()
    orders = []
    for i, c in enumerate(session.scalars(select(Customer).where(Customer.status == CustomerStatus.ACTIVE))):
        lines: list[dict[str, Any]] = [{"product": "S001", "cases": 5 + i % 7}] + (
            [{"product": "N001", "cases": 1}] if i % 3 == 0 else []
        )
        for ln in lines:
            ln |= {"ordered_cases": ln["cases"], "price_fen": price[ln["product"]]}
        value = sum(ln["cases"] * ln["price_fen"] for ln in lines)
        d = DispatchOrder(
            number=f"CO{day:%Y%m%d}B{i:05d}",
            delivery_date=day,
            customer_id=c.id,
            consolidation_id=cons.id,
            total_cases=sum(ln["cases"] for ln in lines),
            total_kg=0,
            value_fen=value,
        )
        orders.append((d, lines, value if c.payment_terms == PaymentTerms.CASH_ON_DELIVERY else 0))
    session.add_all(d for d, _, _ in orders)
    session.flush()
    out: list[Request] = []
    at = f"{day.isoformat()}T10:00:00+08:00"
    version = 0
    while len(out) < wanted:
        version += 1
        plan = Plan(
            delivery_date=day, version=version, status=PlanStatus.DRAFT, created_by="bench", feasible=True
        )
        session.add(plan)
        session.flush()
        for n in range(0, len(orders), 25):
            r = PlanRoute(
                plan_id=plan.id,
                number=n // 25 + 1,
                code=f"{day:%Y%m%d}-V{version}-R{n // 25 + 1:02d}",
                vehicle_id=truck.id,
                depot_id=centre.id,
                driver_id=driver.id,
                start_s=25200,
                end_s=61200,
                distance_m=0,
                duration_s=0,
                load_kg=0,
                load_cases=0,
                cost_fen=0,
            )
            session.add(r)
            session.flush()
            for seq, (d, lines, due) in enumerate(orders[n : n + 25], start=1):
                stop = PlanStop(
                    code=f"{r.code}-{seq:02d}",
                    route_id=r.id,
                    plan_id=plan.id,
                    seq=seq,
                    kind=StopKind.DELIVERY,
                    dispatch_order_id=d.id,
                    arrival_s=0,
                    wait_s=0,
                    service_start_s=0,
                    departure_s=0,
                    load_kg_after=0,
                    load_cases_after=0,
                    kg=0,
                    cases=d.total_cases,
                    lines=lines,
                )
                session.add(stop)
                body = {
                    "lines": [{"product": ln["product"], "delivered_cases": ln["cases"]} for ln in lines],
                    "signed": True,
                    "signer_name": "店主",
                    "occurred_at": at,
                    "cash_collected_fen": due,
                }
                out.append((f"/api/v1/stops/{stop.code}/outcome", body))
        session.flush()
    return out


class Server:
    def __init__(self, url: str, data_dir: Path) -> None:
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_")}
        env |= {
            "DISPATCH_DATABASE_URL": url,
            "DISPATCH_DATA_DIR": str(data_dir),
            "DISPATCH_JWT_SECRET": uuid.uuid4().hex * 2,
        }
        self.log = (data_dir / "server.log").open("wb")
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
                "--no-access-log",
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/api/v1/openapi.json", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        raise RuntimeError("the service did not start")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(15)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def _order_requests(customers: list[str], day: str) -> Iterator[Request]:
    i = 0
    while True:
        body = {
            "customer": customers[i % len(customers)],
            "channel": "inbound_call",
            "delivery_date": day,
            "lines": [{"product": "S001", "cases": 5 + i % 7}, {"product": "N001", "cases": 1}],
        }
        i += 97
        yield "/api/v1/orders", body


async def _client(
    base: str,
    token: str,
    work: Iterator[Request],
    until: float,
    latencies: list[float],
    errors: dict[str, int],
) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=headers) as client:
        while time.monotonic() < until:
            item = next(work, None)  # one event loop: the clients share the work without locks
            if item is None:
                return
            path, body = item
            t0 = time.perf_counter()
            try:
                r = await client.post(path, json=body, headers={"Idempotency-Key": str(uuid.uuid4())})
                code = str(r.status_code)
            except httpx.HTTPError as exc:
                code = type(exc).__name__
            latencies.append(time.perf_counter() - t0)
            if code != "201":
                errors[code] = errors.get(code, 0) + 1


def _pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _level(
    base: str, token: str, work: Iterator[Request], clients: int, seconds: float
) -> dict[str, Any]:
    latencies: list[float] = []
    errors: dict[str, int] = {}
    t0 = time.monotonic()
    until = t0 + seconds
    await asyncio.gather(*(_client(base, token, work, until, latencies, errors) for _ in range(clients)))
    wall = time.monotonic() - t0
    return {
        "clients": clients,
        "requests": len(latencies),
        "seconds": round(wall, 2),
        "throughput_rps": round(len(latencies) / wall, 1),
        "p50_ms": round(_pct(latencies, 0.50) * 1000, 1),
        "p99_ms": round(_pct(latencies, 0.99) * 1000, 1),
        "mean_ms": round(statistics.fmean(latencies) * 1000, 1) if latencies else None,
        "errors": sum(errors.values()),
        "error_kinds": errors,
    }


def _token(base: str, username: str) -> str:
    r = httpx.post(f"{base}/api/v1/login/access-token", data={"username": username, "password": PASSWORD})
    return str(r.json()["access_token"])


def run_backend(
    name: str,
    url: str,
    data_dir: Path,
    levels: list[int],
    seconds: float,
    kinds: list[str],
    outcome_stops: int,
) -> list[dict[str, Any]]:
    customers, outcomes = _prepare(url, data_dir, outcome_stops if "outcomes" in kinds else 0)
    server = Server(url, data_dir)
    try:
        tomorrow = (clock.today() + dt.timedelta(days=1)).isoformat()
        work = {"orders": _order_requests(customers, tomorrow), "outcomes": iter(outcomes)}
        users = {"orders": "bench", "outcomes": "bench-driver"}
        out = []
        for kind in kinds:
            tok = _token(server.base, users[kind])
            for n in levels:
                res = asyncio.run(_level(server.base, tok, work[kind], n, seconds))
                res |= {"backend": name, "kind": kind}
                out.append(res)
                print(
                    f"{name:6} {kind:8} {n:3} clients: {res['requests']:6} in {res['seconds']:5.1f} s = "
                    f"{res['throughput_rps']:7.1f}/s, p50 {res['p50_ms']:7.1f} ms, "
                    f"p99 {res['p99_ms']:7.1f} ms, "
                    f"errors {res['errors']} {res['error_kinds'] or ''}",
                    flush=True,
                )
        return out
    finally:
        server.stop()


def _pg_database() -> tuple[str, Any] | None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server = os.environ.get("DISPATCH_TEST_PG_URL", PG_DEFAULT)
    try:
        admin = create_engine(server, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        name = f"dispatch_bench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"'))
    except Exception as exc:
        print(f"pg     skipped: {type(exc).__name__}")
        return None

    def drop() -> None:
        from models.db import dispose_engines

        dispose_engines()
        with admin.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    return make_url(server).set(database=name).render_as_string(hide_password=False), drop


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0, help="Duration of each level.")
    ap.add_argument("--clients", default="1,10,50", help="Concurrency levels.")
    ap.add_argument("--backends", default="sqlite,pg")
    ap.add_argument("--kinds", default="orders,outcomes", help="orders, outcomes or both.")
    ap.add_argument("--outcome-stops", type=int, default=6000, help="Stops prepared for the outcome POSTs.")
    ap.add_argument("--out", type=Path, default=ROOT / "bench-results" / "api_load.json")
    args = ap.parse_args(argv)
    levels = [int(x) for x in args.clients.split(",")]
    kinds = [k for k in args.kinds.split(",") if k]
    results: list[dict[str, Any]] = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix=f"api-load-{backend}-") as tmp:
            data = Path(tmp)
            if backend == "sqlite":
                results += run_backend(
                    "sqlite",
                    f"sqlite:///{data / 'bench.db'}",
                    data,
                    levels,
                    args.seconds,
                    kinds,
                    args.outcome_stops,
                )
            elif backend == "pg":
                pg = _pg_database()
                if pg is None:
                    continue
                url, drop = pg
                try:
                    results += run_backend("pg", url, data, levels, args.seconds, kinds, args.outcome_stops)
                finally:
                    drop()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(
        json.dumps({"run_at": dt.datetime.now(dt.UTC).isoformat(), "results": results}, indent=2)
    )
    print(f"written {args.out}")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
