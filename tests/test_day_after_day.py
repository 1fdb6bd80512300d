"""Fifteen delivery days in a row, on the bundled county and on a generated one, with a shortage.

Each day: that day's orders are imported, the day is planned, confirmed and
printed, the drivers' outcomes, cash and handovers are recorded, finance
reconciles (``bench.day_after_day.run_days``). After every day, whatever the
solver did:

* every case ever ordered is in exactly one live order (carry-overs, merged
  holds and back-orders move cases, never lose or double them);
* no order of a past day is stranded: it has a recorded outcome on its day's
  confirmed plan, or the backlog lists it with a state, a reason and an age;
* every stock balance equals its movements, none negative; the ledger balances;
* on the shortage days, every township that ordered the scarce product gets a
  share of it, planned on a route.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import pytest
from sqlalchemy import func, select

from bench.day_after_day import DayFigures, Shortage, run_days, summary
from ledger.orm import StopOutcome
from models.db import session_scope
from models.enums import OrderStatus
from models.orm import Customer, DepotStock, Order, OrderLine, Township
from models.planning import (
    DispatchOrder,
    DispatchOrderLine,
    DispatchStatus,
    Plan,
    PlanStatus,
    PlanStop,
    StockMovement,
)
from models.settings import Settings
from scenarios.loader import scenario_dir
from scenarios.model import Scenario
from services.backlog import backlog
from services.day_orders import cut_cases
from services.register import db_upgrade, scenario_load
from services.scenarios import generate_scenario

START = dt.date(2026, 12, 1)
DAYS = 15
SHORT = Shortage(product="S001", days=(5, 6, 7))
SOLVE = {"time_limit_s": None, "solution_limit": 8, "workers": 1}

pytestmark = pytest.mark.slow


def _stock_start(settings: Settings) -> dict[int, tuple[int, int, int]]:
    with session_scope(settings) as s:
        return {
            r.id: (r.on_hand_cases, r.reserved_cases, r.damaged_cases) for r in s.scalars(select(DepotStock))
        }


class Invariants:
    """The checks run after every simulated day (see the module docstring)."""

    def __init__(self, settings: Settings) -> None:
        self.stock0 = _stock_start(settings)
        self.days: list[DayFigures] = []

    def __call__(self, settings: Settings, day: dt.date, fig: DayFigures) -> None:
        assert fig.feasible, f"{day}: the confirmed plan breaks a rule"
        assert fig.ledger_balanced, f"{day}: the ledger does not balance"
        with session_scope(settings) as s:
            self.cases_conserved(s, day)
            self.nothing_stranded(s, day)
            self.stock_balances(s, day)
            if fig.rationed:
                self.every_township_gets_a_share(s, day, fig)
        self.days.append(fig)

    @staticmethod
    def cases_conserved(s, day: dt.date) -> None:
        ordered = s.scalar(
            select(func.coalesce(func.sum(OrderLine.cases), 0))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.delivery_date >= START, Order.status != OrderStatus.CANCELLED)
        )
        live = s.scalar(
            select(func.coalesce(func.sum(DispatchOrderLine.ordered_cases), 0))
            .join(DispatchOrder, DispatchOrder.id == DispatchOrderLine.dispatch_order_id)
            .where(DispatchOrder.status != DispatchStatus.MERGED)
        )
        waiting = s.scalar(
            select(func.coalesce(func.sum(OrderLine.cases), 0))
            .join(Order, Order.id == OrderLine.order_id)
            .where(Order.status == OrderStatus.RECEIVED)
        )
        moved = sum(
            sum(cut_cases(d).values())
            for d in s.scalars(select(DispatchOrder).where(DispatchOrder.backorder_into_id.is_not(None)))
        )
        assert ordered == live - moved + waiting, (
            f"{day}: {ordered} cases ordered, {live} live - {moved} moved"
        )

    @staticmethod
    def nothing_stranded(s, day: dt.date) -> None:
        b = backlog(s, day + dt.timedelta(days=1))
        listed = {e.order: e for e in b.orders}
        for e in b.orders:
            assert e.reason and e.age_days >= 0, e
            assert e.state in ("held", "unassigned", "backorder", "received"), e  # no outcome missing
        with_outcome = set(
            s.scalars(
                select(PlanStop.dispatch_order_id)
                .join(Plan, Plan.id == PlanStop.plan_id)
                .join(StopOutcome, StopOutcome.stop_id == PlanStop.id)
                .where(Plan.status == PlanStatus.CONFIRMED)
            )
        )
        for d in s.scalars(
            select(DispatchOrder).where(
                DispatchOrder.delivery_date <= day, DispatchOrder.status != DispatchStatus.MERGED
            )
        ):
            if d.id in with_outcome:
                if d.rationed and cut_cases(d) and d.backorder_into_id is None:
                    assert listed.get(d.number) and listed[d.number].state == "backorder", d.number
                continue
            assert d.number in listed, (
                f"{day}: {d.number} ({d.status.value}) is neither done nor in the backlog"
            )

    def stock_balances(self, s, day: dt.date) -> None:
        moves = {
            (dep, prod): (int(a or 0), int(b or 0), int(c or 0))
            for dep, prod, a, b, c in s.execute(
                select(
                    StockMovement.depot_id,
                    StockMovement.product_id,
                    func.sum(StockMovement.on_hand_delta),
                    func.sum(StockMovement.reserved_delta),
                    func.sum(StockMovement.damaged_delta),
                ).group_by(StockMovement.depot_id, StockMovement.product_id)
            ).all()
        }
        for r in s.scalars(select(DepotStock)):
            start = self.stock0.get(r.id, (0, 0, 0))
            delta = moves.get((r.depot_id, r.product_id), (0, 0, 0))
            now = (r.on_hand_cases, r.reserved_cases, r.damaged_cases)
            assert now == tuple(a + b for a, b in zip(start, delta, strict=True)), f"{day}: stock row {r.id}"
            assert min(now) >= 0, f"{day}: negative stock {now}"

    @staticmethod
    def every_township_gets_a_share(s, day: dt.date, fig: DayFigures) -> None:
        plan = s.scalars(
            select(Plan).where(Plan.delivery_date == day, Plan.status == PlanStatus.CONFIRMED)
        ).one()
        township_of = dict(
            s.execute(
                select(DispatchOrder.id, Township.name_zh)
                .join(Customer, Customer.id == DispatchOrder.customer_id)
                .join(Township, Township.id == Customer.township_id)
            ).all()
        )
        for p in fig.rationed:
            got: dict[str, int] = defaultdict(int)
            for stop in s.scalars(
                select(PlanStop).where(PlanStop.plan_id == plan.id, PlanStop.kind == "delivery")
            ):
                for ln in stop.lines or []:
                    if ln["product"] == p["product"]:
                        got[township_of[stop.dispatch_order_id]] += int(ln["cases"])
            assert p["allocated"] <= p["supplied"]
            for t in p["townships"]:
                assert t["allocated"] > 0, f"{day}: {t['township']} ordered {p['product']} and got nothing"
                assert got[t["township"]] > 0, (
                    f"{day}: {t['township']}'s share of {p['product']} is not planned"
                )


def _run(settings: Settings, sc: Scenario, folder: Path, *, docs: bool | str = True) -> list[DayFigures]:
    inv = Invariants(settings)
    figs = run_days(
        settings,
        sc,
        start=START,
        days=DAYS,
        seed=5,
        shortage=SHORT,
        folder=folder,
        check=inv,
        print_docs=docs,
        **SOLVE,
    )
    assert len(inv.days) == DAYS
    rationed = [f for f in figs if f.rationed]
    assert {f.day for f in rationed} == {(START + dt.timedelta(days=d - 1)).isoformat() for d in SHORT.days}
    total = summary(figs)
    assert total["received"] > 10 * 30 and total["planned"] > 0.8 * total["dispatch_orders"] - total["held"]
    print(f"\n{sc.name}: {total}")
    return figs


def test_fifteen_days_on_the_bundled_county(county_settings: Settings, tmp_path: Path, backend: str) -> None:
    # route packs and map sheets are rendered every day on SQLite; on PostgreSQL printing does what it
    # does to the database (notes and receipts numbered, the print recorded) — the rendering is the same
    docs = True if backend == "sqlite" else "numbers"
    figs = _run(county_settings, Scenario.read(scenario_dir(None)), tmp_path, docs=docs)
    assert sum(f.carried for f in figs) > 0, "some orders were carried over"
    assert sum(f.backorders for f in figs) > 0, "some rationed cuts came back as back-orders"


def test_fifteen_days_on_a_generated_county(tmp_path: Path) -> None:
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'gen.db'}", data_dir=tmp_path / "data")
    db_upgrade(settings)
    made = generate_scenario(settings, seed=23, customers=600, townships=9, out=tmp_path / "county")
    scenario_load(settings, made["folder"])
    _run(settings, Scenario.read(Path(made["folder"])), tmp_path / "run", docs="numbers")


def test_shortage_scarce_stock_reaches_every_township(county_settings: Settings, tmp_path: Path) -> None:
    """The issue's repro: 88 cases for 186 ordered left 白沙乡 with 13 cases allocated and 0 planned
    (its small shares were then held below the minimum). Never again: every township that ordered gets a
    share, and its share is on a route."""
    inv = Invariants(county_settings)
    shortage = Shortage(product="S001", days=(2,), share=0.47, store_cases=5)
    figs = run_days(
        county_settings,
        Scenario.read(scenario_dir(None)),
        start=START,
        days=2,
        seed=3,
        shortage=shortage,
        folder=tmp_path,
        check=inv,  # includes: every township's share is planned on the confirmed plan
        **SOLVE,
    )
    (p,) = [x for x in figs[1].rationed if x["product"] == "S001"]
    assert p["allocated"] < p["ordered"]
    assert len(p["townships"]) >= 8 and all(t["allocated"] > 0 for t in p["townships"])
    with session_scope(county_settings) as s:
        rationed = s.scalars(select(DispatchOrder).where(DispatchOrder.rationed.is_(True))).all()
        assert rationed and all(d.status != DispatchStatus.HELD for d in rationed)  # the minimum is waived
        assert all(any(f["kind"] == "minimum_waived" for f in d.flags or []) for d in rationed)
