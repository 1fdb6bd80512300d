"""Day after day on the bundled county: carry-over, the cut-off, held merges, numbering, the backlog.

The date-sensitive paths (consolidation, holds, the backlog) run at every date
of ``CLOCK_DATES``: the scenario's delivery day and a day months later.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from sqlalchemy import select

from models import clock
from models.db import session_scope
from models.enums import OrderStatus
from models.orm import Customer, Order, Township
from models.planning import Consolidation, DispatchOrder, DispatchStatus
from models.settings import Settings
from services.backlog import backlog
from services.imports import import_orders
from services.plan_ops import confirm_plan, release_hold
from services.planning import plan_day
from tests.conftest import set_product_clock
from tests.factories import write_orders_csv
from tests.needs import need

DAY = dt.date(2026, 12, 1)
FAST = {"time_limit_s": None, "solution_limit": 10, "workers": 1}
ACCEPTANCE = Path(__file__).resolve().parents[2] / "shared" / "acceptance" / "data"

pytestmark = pytest.mark.clock_dates


def _import(settings: Settings, tmp: Path, rows: list[tuple[str, str, str, str, int]], name: str) -> None:
    """Import orders: (customer, received_at local 'YYYY-MM-DD HH:MM', delivery date, product, cases)."""
    path = write_orders_csv(tmp / f"{name}.csv", rows, ref=name, channel="inbound_call")
    with session_scope(settings) as s:
        import_orders(s, path, actor="test")


def _quiet_customers(settings: Settings, township: str, n: int) -> list[str]:
    """Active, fixed-cycle customers of ``township`` with no open order."""
    with session_scope(settings) as s:
        busy = set(s.scalars(select(Order.customer_id).where(Order.status == OrderStatus.RECEIVED)))
        rows = s.scalars(
            select(Customer)
            .join(Township, Township.id == Customer.township_id)
            .where(Township.code == township, Customer.status == "active", Customer.service_24h.is_(False))
            .order_by(Customer.code)
        ).all()
        return [c.code for c in rows if c.id not in busy][:n]


def _order(settings: Settings, number: str) -> DispatchOrder:
    with session_scope(settings) as s:
        d = s.scalars(select(DispatchOrder).where(DispatchOrder.number == number)).one()
        s.expunge(d)
        return d


def test_the_issue_repro_r5_r6_plans(county_settings: Settings) -> None:
    """Issue 13 repro 2, as filed (../shared/acceptance/data/r5.csv, r6.csv)."""
    need((ACCEPTANCE / "r5.csv").is_file(), "../shared/acceptance/data (the issue's repro files)")
    with session_scope(county_settings) as s:
        import_orders(s, ACCEPTANCE / "r5.csv", actor="test")
    plan_day(county_settings, dt.date(2026, 12, 5), **FAST)
    with session_scope(county_settings) as s:
        import_orders(s, ACCEPTANCE / "r6.csv", actor="test")
    r6 = plan_day(county_settings, dt.date(2026, 12, 6), **FAST)
    assert r6["feasible"] and r6["orders"] >= 2


def test_two_held_orders_merged_on_one_day_do_not_crash_the_day(
    county_settings: Settings, tmp_path: Path
) -> None:
    """Two customers of a township without a store, held below the centre minimum on 12-05, order again
    for 12-06: both holds merge into the new orders and the day plans (it used to fail with
    ``ck_orders_held_reason``)."""
    a, b = _quiet_customers(county_settings, "T03", 2)  # 白沙乡: no store there
    _import(
        county_settings,
        tmp_path,
        [(a, "2026-12-04 10:00", "2026-12-05", "S001", 2), (b, "2026-12-04 10:00", "2026-12-05", "S001", 3)],
        "r5",
    )
    r5 = plan_day(county_settings, dt.date(2026, 12, 5), **FAST)
    with session_scope(county_settings) as s:
        held = {
            d.customer.code: d.number
            for d in s.scalars(
                select(DispatchOrder).where(DispatchOrder.delivery_date == dt.date(2026, 12, 5))
            )
            if d.customer.code in (a, b)
        }
    assert set(held.values()) <= {h["order"] for h in r5["held"]} and len(held) == 2
    _import(
        county_settings,
        tmp_path,
        [(a, "2026-12-05 10:00", "2026-12-06", "S001", 3), (b, "2026-12-05 10:00", "2026-12-06", "S001", 2)],
        "r6",
    )
    r6 = plan_day(county_settings, dt.date(2026, 12, 6), **FAST)
    assert r6["feasible"]
    with session_scope(county_settings) as s:
        for number in held.values():
            old = s.scalars(select(DispatchOrder).where(DispatchOrder.number == number)).one()
            assert old.status == DispatchStatus.MERGED
            into = s.get(DispatchOrder, old.merged_into_id)
            assert into.delivery_date == dt.date(2026, 12, 6) and into.total_cases == 5
            assert into.status in (DispatchStatus.PLANNED, DispatchStatus.UNASSIGNED)
            assert into.due_since == dt.date(2026, 12, 5)
        # no source order sits in "held" without a reason, and each merge is in the audit trail
        assert not s.scalars(
            select(Order).where(Order.status == OrderStatus.HELD, Order.hold_reason.is_(None))
        ).all()


def test_an_unassigned_order_is_carried_to_the_next_delivery_day(
    county_settings: Settings, tmp_path: Path
) -> None:
    r1 = plan_day(county_settings, DAY, fleet=["湘X·B2002"], **FAST)  # the minivan alone: townships left out
    confirm_plan(county_settings, plan_id=r1["plan_id"], actor="test")
    left = [u for u in r1["unassigned"]]
    assert left and all(u["days_waiting"] == 0 and u["carried_to"] == "2026-12-02" for u in left)
    number = left[0]["order"]
    clock.set_clock(clock.at_local(DAY, 16, 30))
    r2 = plan_day(county_settings, DAY + dt.timedelta(days=1), **FAST)
    assert any(c["order"] == number for c in r2["consolidation"]["carried"])
    old = _order(county_settings, number)
    assert old.status == DispatchStatus.MERGED and old.merged_into_id
    with session_scope(county_settings) as s:
        new = s.get(DispatchOrder, old.merged_into_id)
        assert new.delivery_date == DAY + dt.timedelta(days=1) and new.due_since == DAY
        assert any(f["kind"] == "carried" for f in new.flags)
        wait = {x["order"]: x["days_waiting"] for x in r2["unassigned"] + r2["held"]}
        assert wait.get(new.number, 1) == 1  # if it waits again, it says so


def test_a_released_hold_is_planned_on_the_next_day_not_stranded(county_settings: Settings) -> None:
    r1 = plan_day(county_settings, DAY, **FAST)
    confirm_plan(county_settings, plan_id=r1["plan_id"], actor="test")
    number = next(h["order"] for h in r1["held"] if "centre minimum" in h["reason"])
    release_hold(county_settings, number, "regular customer; manager approved", actor="test")
    r2 = plan_day(county_settings, DAY + dt.timedelta(days=1), **FAST)
    carried = {c["order"]: c for c in r2["consolidation"]["carried"]}
    assert number in carried and "released" in carried[number]["reason"]
    with session_scope(county_settings) as s:
        into = s.scalars(select(DispatchOrder).where(DispatchOrder.number == carried[number]["into"])).one()
        assert into.release_note  # the waiver travels with it
        assert into.status in (DispatchStatus.PLANNED, DispatchStatus.UNASSIGNED)


def test_a_never_confirmed_day_is_carried_and_its_draft_cannot_be_confirmed(
    county_settings: Settings,
) -> None:
    r1 = plan_day(county_settings, DAY, **FAST)  # a draft, never confirmed
    r2 = plan_day(county_settings, DAY + dt.timedelta(days=1), **FAST)
    carried = r2["consolidation"]["carried"]
    assert sum("never confirmed" in c["reason"] for c in carried) == r1["planned"]
    with pytest.raises(Exception, match="carried to a later day"):
        confirm_plan(county_settings, plan_id=r1["plan_id"], actor="test")


def test_an_order_after_the_cut_off_waits_for_the_next_consolidation(
    county_settings: Settings, tmp_path: Path
) -> None:
    late = ("4399010000075", "2026-11-30 16:05", "2026-12-01", "S001", 8)
    early = ("4399010000083", "2026-11-30 15:55", "2026-12-01", "S001", 8)
    _import(county_settings, tmp_path, [late, early], "cutoff")
    r1 = plan_day(county_settings, DAY, **FAST)
    after = {x["customer"] for x in r1["consolidation"]["after_cut_off"]}
    assert "4399010000075" in after and "4399010000083" not in after
    with session_scope(county_settings) as s:
        o = s.scalars(select(Order).where(Order.external_ref == "cutoff-0")).one()
        assert o.status == OrderStatus.RECEIVED  # not in 12-01's consolidation
        b = backlog(s, DAY + dt.timedelta(days=1))
        assert any(e.order == o.number and e.state == "received" and e.reason for e in b.orders)
    r2 = plan_day(county_settings, DAY + dt.timedelta(days=1), **FAST)
    with session_scope(county_settings) as s:
        o = s.scalars(select(Order).where(Order.external_ref == "cutoff-0")).one()
        d = s.get(DispatchOrder, o.dispatch_order_id)
        assert d is not None and d.delivery_date == DAY + dt.timedelta(days=1)
    assert r2["orders"] >= 1


def test_numbers_of_another_shape_cannot_break_the_sequence(county_settings: Settings) -> None:
    """Issue 13 repro 1: a number like CO20261201V1R03001 broke ``int()``."""
    with session_scope(county_settings) as s:
        cons = Consolidation(delivery_date=DAY, cut_off_at=clock.now(), actor="test")
        s.add(cons)
        s.flush()
        odd = s.scalars(select(Order).where(Order.delivery_date == DAY)).first()
        s.add(
            DispatchOrder(
                number="CO20261201V1R03001",
                delivery_date=DAY + dt.timedelta(days=30),
                customer_id=odd.customer_id,
                consolidation_id=cons.id,
                status=DispatchStatus.MERGED,
            )
        )
    r = plan_day(county_settings, DAY, **FAST)
    assert r["orders"] > 40
    with session_scope(county_settings) as s:
        numbers = sorted(s.scalars(select(DispatchOrder.number).where(DispatchOrder.delivery_date == DAY)))
    assert numbers[0] == "CO202612010001" and all(n[10:].isdigit() for n in numbers)


def test_backlog_lists_every_open_order_of_a_past_day_with_reason_and_age(
    county_settings: Settings, run_cli
) -> None:
    r1 = plan_day(county_settings, DAY, fleet=["湘X·B2002"], **FAST)
    confirm_plan(county_settings, plan_id=r1["plan_id"], actor="test")
    with session_scope(county_settings) as s:
        b = backlog(s, DAY + dt.timedelta(days=3))
    by = {e.order: e for e in b.orders}
    for h in r1["held"]:
        assert by[h["order"]].state == "held" and by[h["order"]].age_days == 3
    for u in r1["unassigned"]:
        assert by[u["order"]].state == "unassigned" and "carried" in by[u["order"]].reason
    planned = [d for d in b.orders if d.state == "no_outcome"]
    assert len(planned) == r1["planned"]  # confirmed but nothing recorded: still open, said so
    with session_scope(county_settings) as s:
        assert backlog(s, DAY).orders == ()  # nothing of a day before the 1st is open
    # the CLI says the same (a clerk's --json)
    out = run_cli(county_settings, "backlog", "--as-of", "2026-12-04", "--json")
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["open"] == len(b.orders) and all(x["reason"] and "age_days" in x for x in data["orders"])


def test_the_clock_moves_the_default_backlog_day(
    county_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    r1 = plan_day(county_settings, DAY, **FAST)
    confirm_plan(county_settings, plan_id=r1["plan_id"], actor="test")
    set_product_clock(monkeypatch, clock.at_local(DAY + dt.timedelta(days=2), 9))
    with session_scope(county_settings) as s:
        b = backlog(s)
    assert b.as_of == "2026-12-03" and {e.state for e in b.orders} >= {"held"}
