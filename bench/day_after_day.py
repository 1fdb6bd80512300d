"""Day after day: run the whole delivery cycle for many consecutive days and report what happened.

``python -m bench.day_after_day [--days 15] [--seed 11] [--generated SEED] [--time-limit 5]``

Each day D, with the product clock set to the moment each step happens:

1. (D−1, 09:00) the salt factory tops the centre up when a product is below
   its safety stock; on shortage days one product is made scarce;
2. (D−1, 15:00) that day's orders arrive by import, from the customers due on
   their half-month cycle and the 24-hour supermarkets (some after the 16:00
   cut-off: they belong to the next day);
3. (D−1, 16:30) the dispatcher plans D (consolidation, carry-over, rationing,
   routing, independent check) and confirms it;
4. (D−1, 17:00) the route packs and map sheets are printed;
5. (D, 18:00) the drivers' outcomes, cash, handovers and store reports are
   recorded (with planted faults: a refusal, short and damaged deliveries, a
   missing signature, a cash shortfall);
6. (D+1, 08:00) finance reconciles D; the backlog is read.

Used by ``tests/test_day_after_day.py`` (small solver limits; the invariants
are asserted there) and for the figures in the README (this command).
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from sqlalchemy import func, select

from ledger.notes import ensure_notes, mark_printed
from ledger.reconcile import reconcile
from ledger.simulate import simulate_day
from models import clock
from models.calendar import cycle_day
from models.db import dispose_engines, session_scope
from models.enums import DepotKind
from models.orm import Depot, DepotStock, Order, OrderLine, Product
from models.settings import Settings
from scenarios.model import Scenario
from scenarios.orders_gen import order_for, orders_today
from services.backlog import backlog
from services.imports import import_orders
from services.plan_ops import confirm_plan
from services.planning import find_plan, plan_day
from services.printing import print_day
from services.stock import adjust_stock


@dataclass(frozen=True)
class Shortage:
    """Make ``product`` scarce on ``days`` (1-based sim days): ``share`` of the day's demand is left."""

    product: str = "S001"
    days: tuple[int, ...] = (5, 6, 7)
    share: float = 0.45
    store_cases: int = 2  # what each store keeps of it


@dataclass
class DayFigures:
    day: str
    received: int = 0
    after_cut_off: int = 0
    dispatch_orders: int = 0
    planned: int = 0
    held: int = 0
    unassigned: int = 0
    carried: int = 0
    merged_holds: int = 0
    backorders: int = 0
    routes: int = 0
    km: float = 0.0
    cost_fen: int = 0
    cost_per_ton_fen: int | None = None
    transfer_kg: int = 0
    feasible: bool = True
    delivered_cases: int = 0
    billed_fen: int = 0
    cash_difference_fen: int = 0
    ledger_balanced: bool = True
    backlog_open: int = 0
    backlog_cases: int = 0
    backlog_mean_age: float = 0.0
    backlog_by_state: dict[str, int] = field(default_factory=dict)
    rationed: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0


Check = Callable[[Settings, dt.date, DayFigures], None]


def _csv_rows(sc: Scenario, day: dt.date, seed: int) -> list[dict[str, str]]:
    """The orders received on ``day − 1`` (for ``day``, or the day after when after the cut-off)."""
    rng = random.Random(seed * 100_003 + day.toordinal())
    received_on = day - dt.timedelta(days=1)
    stores = {d.township: d.code for d in sc.depots if d.kind == "store"}
    managers = sorted({c.manager for c in sc.customers if c.manager})
    seq: dict[dt.date, int] = {received_on: 5000}  # clear of the scenario's own numbering
    rows = []
    for c in sc.customers:
        if c.status != "active" or not orders_today(rng, c, cycle_day(day, c.cycle_days)):
            continue
        o = order_for(rng, c, received_on, seq, stores, managers)
        for ln in o.lines:
            rows.append(
                {
                    "customer_code": o.customer,
                    "channel": o.channel,
                    "received_at": o.received_at.astimezone(clock.zone()).strftime("%Y-%m-%d %H:%M"),
                    "delivery_date": o.delivery_date.isoformat(),
                    "product_code": ln.product,
                    "cases": str(ln.cases),
                    "external_ref": f"SIM{seed}-{o.external_ref}",
                    "reported_by_store": o.reported_by or "",
                }
            )
    return rows


def _import(settings: Settings, rows: list[dict[str, str]], folder: Path, day: dt.date) -> int:
    if not rows:
        return 0
    path = folder / f"orders-{day.isoformat()}.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    with session_scope(settings) as s:
        return int(import_orders(s, path, actor="sim")["orders"])


def _restock(settings: Settings, initial: dict[tuple[str, str], int], scarce: str | None) -> None:
    """The factory delivers to the centre every product below its safety stock (not the scarce one)."""
    with session_scope(settings) as s:
        centre = s.scalars(select(Depot).where(Depot.kind == DepotKind.CENTRE)).one()
        for row, code in s.execute(
            select(DepotStock, Product.code).join(Product).where(DepotStock.depot_id == centre.id)
        ).all():
            if code == scarce:
                continue
            target = initial.get((centre.code, code), 0)
            if row.on_hand_cases - row.reserved_cases < row.safety_cases and target > row.on_hand_cases:
                adjust_stock(
                    s,
                    depot=centre,
                    product=code,
                    on_hand_delta=target - row.on_hand_cases,
                    reason="receipt",
                    note="salt factory delivery (simulated)",
                    actor="sim",
                )


def _set_stock(s: Any, product: str, target: Callable[[Depot, DepotStock], int | None], note: str) -> None:
    """Bring each depot's on-hand stock of ``product`` to ``target(depot, row)`` (``None``: leave it)."""
    for depot, row in s.execute(
        select(Depot, DepotStock)
        .join(DepotStock, DepotStock.depot_id == Depot.id)
        .join(Product, Product.id == DepotStock.product_id)
        .where(Product.code == product)
    ).all():
        want = target(depot, row)
        if want is not None and want != row.on_hand_cases:
            delta = want - row.on_hand_cases
            adjust_stock(
                s,
                depot=depot,
                product=product,
                on_hand_delta=delta,
                reason="adjust" if delta < 0 else "receipt",
                note=note,
                actor="sim",
            )


def _make_scarce(settings: Settings, day: dt.date, shortage: Shortage) -> int:
    """Make exactly ``share`` of the day's demand of the product free at the centre and a few cases per
    store (the trickle that arrives each day of a shortage)."""
    with session_scope(settings) as s:
        demand = int(
            s.scalar(
                select(func.coalesce(func.sum(OrderLine.cases), 0))
                .join(Order, Order.id == OrderLine.order_id)
                .join(Product, Product.id == OrderLine.product_id)
                .where(
                    Product.code == shortage.product, Order.delivery_date <= day, Order.status == "received"
                )
            )
            or 0
        )
        left = round(demand * shortage.share)
        _set_stock(
            s,
            shortage.product,
            lambda depot, row: (
                row.reserved_cases + (left if depot.kind == DepotKind.CENTRE else shortage.store_cases)
            ),
            "simulated shortage (panic buying): a trickle of stock",
        )
        return demand


def _restore(settings: Settings, initial: dict[tuple[str, str], int], product: str) -> None:
    with session_scope(settings) as s:
        _set_stock(
            s,
            product,
            lambda depot, row: max(row.on_hand_cases, initial.get((depot.code, product), 0)),
            "stock back after the shortage (simulated)",
        )


def _initial_stock(settings: Settings) -> dict[tuple[str, str], int]:
    with session_scope(settings) as s:
        return {
            (d, p): int(n)
            for d, p, n in s.execute(
                select(Depot.code, Product.code, DepotStock.on_hand_cases)
                .join(Depot, Depot.id == DepotStock.depot_id)
                .join(Product, Product.id == DepotStock.product_id)
            ).all()
        }


def run_days(
    settings: Settings,
    scenario: Scenario,
    *,
    start: dt.date,
    days: int,
    seed: int = 11,
    shortage: Shortage | None = Shortage(),
    time_limit_s: float | None = 5,
    solution_limit: int | None = None,
    workers: int = 1,
    print_docs: bool | Literal["numbers"] = True,
    folder: Path | None = None,
    check: Check | None = None,
) -> list[DayFigures]:
    """Run ``days`` consecutive delivery days from ``start`` (see the module docstring).

    ``print_docs``: ``True`` prints every route pack, map sheet and overview;
    ``"numbers"`` only numbers the notes and records the print (what printing
    writes to the database), ``False`` neither.
    """
    work = folder or Path(tempfile.mkdtemp(prefix="day-after-day-"))
    work.mkdir(parents=True, exist_ok=True)
    initial = _initial_stock(settings)
    out: list[DayFigures] = []
    for i in range(1, days + 1):
        t0 = time.monotonic()
        day = start + dt.timedelta(days=i - 1)
        fig = DayFigures(day.isoformat())
        scarce = shortage.product if shortage and i in shortage.days else None
        clock.set_clock(clock.at_local(day - dt.timedelta(days=1), 9), ticking=False)
        _restock(settings, initial, scarce)
        if shortage and i == max(shortage.days) + 1:
            _restore(settings, initial, shortage.product)
        clock.set_clock(clock.at_local(day - dt.timedelta(days=1), 15), ticking=False)
        if i > 1:  # day 1 plans the scenario's own open orders
            fig.received = _import(settings, _csv_rows(scenario, day, seed), work, day)
        if scarce and shortage:
            _make_scarce(settings, day, shortage)
        clock.set_clock(clock.at_local(day - dt.timedelta(days=1), 16, 30), ticking=False)
        r = plan_day(
            settings,
            day,
            time_limit_s=time_limit_s,
            solution_limit=solution_limit,
            workers=workers,
            emergency=True if scarce else None,
            actor="sim",
        )
        confirm_plan(settings, plan_id=r["plan_id"], actor="sim")
        cons = r.get("consolidation") or {}
        fig.after_cut_off = len(cons.get("after_cut_off", []))
        fig.dispatch_orders, fig.planned = r["orders"], r["planned"]
        fig.held, fig.unassigned = len(r["held"]), len(r["unassigned"])
        fig.carried, fig.merged_holds = len(cons.get("carried", [])), int(cons.get("merged_holds", 0))
        fig.backorders = len(cons.get("backorders", []))
        fig.rationed = list(cons.get("rationed_products", []))
        fig.routes, fig.km, fig.cost_fen = r["routes"], r["km"], r["cost_fen"]
        fig.cost_per_ton_fen, fig.transfer_kg, fig.feasible = (
            r["cost_per_ton_fen"],
            r["transfer_kg"],
            r["feasible"],
        )
        clock.set_clock(clock.at_local(day - dt.timedelta(days=1), 17), ticking=False)
        if print_docs == "numbers":  # the database half of printing: numbers given, the print recorded
            with session_scope(settings) as s:
                mark_printed(s, ensure_notes(s, find_plan(s, date=day)).values())
        elif print_docs:
            print_day(settings, date=day, out=work / "print" / day.isoformat())
        clock.set_clock(clock.at_local(day, 18), ticking=False)
        simulate_day(settings, day, seed=seed + i)
        clock.set_clock(clock.at_local(day + dt.timedelta(days=1), 8), ticking=False)
        with session_scope(settings) as s:
            rec = reconcile(s, day)
            b = backlog(s, day + dt.timedelta(days=1))
        fig.delivered_cases, fig.billed_fen = rec["delivered_cases"], rec["billed_fen"]
        fig.cash_difference_fen, fig.ledger_balanced = rec["cash_difference_fen"], rec["ledger"]["balanced"]
        fig.backlog_open, fig.backlog_cases = len(b.orders), sum(e.cases for e in b.orders)
        fig.backlog_mean_age = round(statistics.fmean([e.age_days for e in b.orders]), 2) if b.orders else 0.0
        fig.backlog_by_state = b.counts
        fig.seconds = round(time.monotonic() - t0, 1)
        if check is not None:
            check(settings, day, fig)
        out.append(fig)
    clock.set_clock(None)
    return out


def summary(figs: list[DayFigures]) -> dict[str, Any]:
    """The figures a closing note gives: totals, averages, fill by township on the rationed days."""
    fills: dict[str, list[str]] = {}
    for f in figs:
        for p in f.rationed:
            fills[f"{f.day} {p['product']}"] = [
                f"{t['township']} {t['allocated']}/{t['ordered']}" for t in p["townships"]
            ]
    return {
        "days": len(figs),
        "received": sum(f.received for f in figs),
        "dispatch_orders": sum(f.dispatch_orders for f in figs),
        "planned": sum(f.planned for f in figs),
        "held": sum(f.held for f in figs),
        "unassigned": sum(f.unassigned for f in figs),
        "carried": sum(f.carried for f in figs),
        "merged_holds": sum(f.merged_holds for f in figs),
        "backorders_merged": sum(f.backorders for f in figs),
        "after_cut_off": sum(f.after_cut_off for f in figs),
        "infeasible_days": sum(1 for f in figs if not f.feasible),
        "delivered_cases": sum(f.delivered_cases for f in figs),
        "km": round(sum(f.km for f in figs), 1),
        "cost_fen": sum(f.cost_fen for f in figs),
        "mean_backlog_open": round(statistics.fmean(f.backlog_open for f in figs), 1) if figs else 0,
        "mean_backlog_age_days": round(statistics.fmean(f.backlog_mean_age for f in figs), 2) if figs else 0,
        "final_backlog": figs[-1].backlog_by_state if figs else {},
        "ledger_balanced_every_day": all(f.ledger_balanced for f in figs),
        "fill_by_township_on_rationed_days": fills,
        "seconds": round(sum(f.seconds for f in figs), 1),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=15)
    ap.add_argument("--seed", type=int, default=11, help="Seed of the daily orders and outcomes.")
    ap.add_argument(
        "--generated", type=int, default=None, help="Plan a generated county of this seed instead."
    )
    ap.add_argument("--time-limit", type=float, default=5.0)
    ap.add_argument("--no-shortage", action="store_true")
    ap.add_argument("--no-print", action="store_true")
    ap.add_argument("--out", type=Path, default=Path("bench-results"))
    args = ap.parse_args(argv)
    from services.register import db_upgrade, scenario_load
    from services.scenarios import generate_scenario

    work = Path(tempfile.mkdtemp(prefix="day-after-day-"))
    settings = Settings(database_url=f"sqlite:///{work / 'sim.db'}", data_dir=work)
    db_upgrade(settings)
    if args.generated is not None:
        made = generate_scenario(
            settings, seed=args.generated, customers=800, townships=11, out=work / "county"
        )
        folder = Path(made["folder"])
    else:
        from scenarios.loader import scenario_dir

        folder = scenario_dir(None)
    scenario_load(settings, str(folder))
    sc = Scenario.read(folder)
    figs = run_days(
        settings,
        sc,
        start=sc.county.today + dt.timedelta(days=1),
        days=args.days,
        seed=args.seed,
        shortage=None if args.no_shortage else Shortage(),
        time_limit_s=args.time_limit,
        print_docs=not args.no_print,
        folder=work,
    )
    dispose_engines()
    result = {
        "scenario": sc.name,
        "seed": args.seed,
        "summary": summary(figs),
        "days": [asdict(f) for f in figs],
    }
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / f"day-after-day-{sc.name}-{args.days}d.json"
    path.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    print(json.dumps(result["summary"], ensure_ascii=False, indent=2))
    print(f"written {path}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
