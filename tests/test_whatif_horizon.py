"""Fleet what-if on a short horizon, and the cycle planner over the bundled county."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from models.calendar import cycle_day
from models.db import session_scope
from models.orm import Customer, Depot
from models.planning import Plan
from models.settings import Settings
from services.horizon import cluster_of, cycle_plan
from services.whatif import chart, run_whatif, verdict

pytestmark = pytest.mark.slow


def test_whatif_runs_on_a_short_horizon_and_writes_nothing(county_settings: Settings, tmp_path: Path) -> None:
    r = run_whatif(county_settings, days=2, time_limit_s=None, solution_limit=10)
    assert set(r["fleets"]) == {"today", "planned"}
    for name, f in r["fleets"].items():
        assert len(f["days"]) == 2, name
        for d in f["days"]:
            assert d["planned"] + d["held"] + d["carried"] == d["orders"]
            assert d["cost_fen"] >= 0 and isinstance(d["cost_fen"], int)
        assert f["cost_per_ton_fen"] is None or f["cost_per_ton_fen"] > 0
    # more vehicles never leave more orders behind on the same days
    t, p = r["fleets"]["today"], r["fleets"]["planned"]
    assert sum(d["carried"] for d in p["days"]) <= sum(d["carried"] for d in t["days"]) + 1
    assert verdict(r)
    png = chart(r, tmp_path / "w.png")
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with session_scope(county_settings) as s:
        assert s.scalars(select(Plan)).first() is None


def test_cycle_plan_spreads_villages_within_the_fleet(county_settings: Settings) -> None:
    r = cycle_plan(county_settings, days=15, fleet="planned")
    assert len(r["rows"]) == 15
    assert r["overloaded_days"] == [] and not any(row["overloaded"] for row in r["rows"])
    assert all(row["load_kg"] <= row["capacity_kg"] for row in r["rows"])
    visits = r["township_days"]
    # most townships are served on one or two days of the half month
    assert sorted(len(d) for d in visits.values())[len(visits) // 2] <= 2


def test_applying_the_cycle_sets_customers_due_on_their_cluster_day(county_settings: Settings) -> None:
    r = cycle_plan(county_settings, days=15, apply=True)
    import datetime as dt

    assert len(r["assigned"]) > 250
    with session_scope(county_settings) as s:
        customers = {c.code: c for c in s.scalars(select(Customer))}
        store_towns = {d.township_id for d in s.scalars(select(Depot).where(Depot.kind == "store"))}
        # a township with a store is the store's territory: not in the centre's cycle
        assert not [c for c in r["assigned"] if customers[c].township_id in store_towns]
        for code, date in r["assigned"].items():
            c = customers[code]
            day = dt.date.fromisoformat(date)
            assert c.cycle_offset == cycle_day(day, c.cycle_days)
            assert r["clusters"][cluster_of(c)]["date"] == date
