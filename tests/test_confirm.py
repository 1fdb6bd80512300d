"""Confirming a plan: a plan the checker rejects is refused, unless the dispatcher overrides with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from models.db import session_scope
from models.errors import Conflict
from models.planning import Plan, PlanStatus
from models.settings import Settings
from services.plan_ops import confirm_plan, edit_plan, plan_detail
from services.planning import plan_day

DAY = dt.date(2026, 12, 1)
FAST = {"time_limit_s": None, "solution_limit": 10, "workers": 1}


def _broken_plan(settings: Settings) -> dict:
    """Issue 13 repro 5: a township order moved onto the town-only minivan (area; often its 1,000 kg too)."""
    plan_day(settings, DAY, **FAST)
    truck = next(r for r in plan_detail(settings, date=DAY)["routes"] if r["vehicle"] == "湘X·A5001")
    far = [s["id"] for s in truck["stops"] if s["kind"] == "delivery"][:6]
    r = edit_plan(settings, date=DAY, moves=[(x, "湘X·B2002", None) for x in far], actor="test")
    assert r["stored"] and not r["feasible"], r
    assert any("outside the areas of 湘X·B2002" in v for v in r["violations"])
    return r


def test_a_plan_the_checker_rejects_is_refused_naming_its_violations(county_settings: Settings) -> None:
    r = _broken_plan(county_settings)
    with pytest.raises(Conflict) as err:
        confirm_plan(county_settings, date=DAY, version=r["version"], actor="user:dispatcher")
    text = str(err.value)
    assert "outside the areas of 湘X·B2002" in text and "--override" in text
    with session_scope(county_settings) as s:
        plan = s.scalars(select(Plan).where(Plan.delivery_date == DAY, Plan.version == r["version"])).one()
        assert plan.status == PlanStatus.DRAFT and plan.override_reason is None


def test_the_dispatcher_may_override_with_a_reason_and_it_is_recorded(county_settings: Settings) -> None:
    r = _broken_plan(county_settings)
    with pytest.raises(Conflict):
        confirm_plan(county_settings, date=DAY, version=r["version"], override="   ", actor="user:d")
    c = confirm_plan(
        county_settings,
        date=DAY,
        version=r["version"],
        override="truck broke down; van makes two trips",
        actor="user:dispatcher",
    )
    assert c["override"] == "truck broke down; van makes two trips" and c["feasible"] is False
    with session_scope(county_settings) as s:
        plan = s.scalars(select(Plan).where(Plan.delivery_date == DAY, Plan.version == r["version"])).one()
        assert plan.status == PlanStatus.CONFIRMED
        assert (plan.override_reason, plan.override_by) == (
            "truck broke down; van makes two trips",
            "user:dispatcher",
        )
        assert plan.report["override"]["by"] == "user:dispatcher"


def test_a_feasible_plan_confirms_without_an_override(county_settings: Settings) -> None:
    r = plan_day(county_settings, DAY, **FAST)
    assert r["feasible"]
    c = confirm_plan(county_settings, plan_id=r["plan_id"], actor="test")
    assert c["override"] is None and c["reserved_cases"] > 0


def test_the_cli_refuses_then_accepts_with_override(county_settings: Settings, run_cli) -> None:
    r = _broken_plan(county_settings)
    args = ["plan", "confirm", "--date", DAY.isoformat(), "--version", str(r["version"])]
    refused = run_cli(county_settings, *args)
    assert refused.exit_code == 1 and "outside the areas of 湘X·B2002" in refused.output
    ok = run_cli(county_settings, *args, "--override", "van makes two trips")
    assert ok.exit_code == 0, ok.output
    assert "overriding its violations: van makes two trips" in ok.output
