"""The cost report (services.reports and `dispatch report costs|utilisation`): customer deliveries and
centre-to-store transfers apart, delivered quantities once outcomes exist, yuan tables and --json."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from cli.main import app
from documents.money import format_fen
from ledger.outcomes import correct_outcome, record_outcome
from ledger.schemas import LineIn
from models.db import session_scope
from models.orm import Product
from models.planning import PlanRoute, PlanStop
from models.settings import Settings, get_settings
from optimizer.costs import per_tonne
from services.reports import cost_report
from tests.ledger_fixtures import DAY, MiniPlan, full_outcome, make_plan

runner = CliRunner()
CREW, LOADER, VEHICLE, STORE_FEE = 8_846, 3_000, 20_000, 700


@pytest.fixture
def costed(county_settings: Settings) -> tuple[Settings, MiniPlan, dict[str, int]]:
    """The ledger fixtures' plan for DAY (a centre route with a replenishment stop for S06, a store
    route of S06), with each stop's kg from its lines and the cost items a real plan stores."""
    with session_scope(county_settings) as s:
        mini = make_plan(s, replenish=True, confirmed=True)
        weight = {p.code: p.case_weight_kg for p in s.scalars(select(Product))}
        kg = {}
        for st in s.scalars(select(PlanStop).where(PlanStop.plan_id == mini.plan_id)):
            st.kg = sum(ln["cases"] * weight[ln["product"]] for ln in st.lines or [])
            kg[st.code] = st.kg
        for r in s.scalars(select(PlanRoute).where(PlanRoute.plan_id == mini.plan_id)):
            store = r.depot.kind.value == "store"
            r.costs = {
                "route": r.code,
                "depot_kind": r.depot.kind.value,
                "crew_fen": CREW,
                "loader_fen": 0 if store else LOADER,
                "vehicle_fen": VEHICLE,
                "store_fee_fen": STORE_FEE if store else 0,
            }
    return county_settings, mini, kg


def _report(settings: Settings) -> dict[str, Any]:
    with session_scope(settings) as s:
        return cost_report(s, DAY, DAY)


def _route(rep: dict[str, Any], code: str) -> dict[str, Any]:
    return next(x for x in rep["routes"] if x["route"] == code)


def test_transfers_are_apart_and_not_in_the_cost_per_tonne(
    costed: tuple[Settings, MiniPlan, dict[str, int]],
) -> None:
    settings, mini, kg = costed
    centre, store = list(mini.routes)
    transfer = next(c for c in mini.stops if mini.terms[c] == "replenishment")
    deliveries = [c for c in mini.stops if c != transfer]
    rep = _report(settings)
    t = rep["total"]
    assert rep["basis"] == t["basis"] == "planned" and t["stops_recorded"] == 0
    assert (t["transfer_kg"], t["transfer_cases"], t["transfer_stops"]) == (kg[transfer], 10, 1)
    assert t["delivered_kg"] == t["planned_kg"] == sum(kg[c] for c in deliveries)
    assert (t["stops"], t["customer_stops"]) == (len(mini.stops), len(deliveries))
    cost = 2 * (CREW + VEHICLE) + LOADER + STORE_FEE
    assert t["total_fen"] == cost
    assert t["per_tonne_fen"] == (cost * 1000 + t["delivered_kg"] // 2) // t["delivered_kg"]
    assert t["per_tonne_fen"] > cost * 1000 // (t["delivered_kg"] + t["transfer_kg"])  # transfers not in it
    c = _route(rep, centre)
    centre_kg = sum(kg[x] for x in mini.routes[centre][:-1])
    assert (c["transfer_kg"], c["delivered_kg"]) == (kg[transfer], centre_kg)
    assert c["per_tonne_fen"] == ((CREW + VEHICLE + LOADER) * 1000 + centre_kg // 2) // centre_kg
    assert _route(rep, store)["transfer_kg"] == 0
    [day] = rep["days"]
    assert (day["date"], day["plan_id"], day["total_fen"]) == (DAY, mini.plan_id, cost)
    assert [d["depot"] for d in day["depots"]] == ["DC", "S06"]
    assert day["depots"][0]["transfer_kg"] == kg[transfer] and rep["centre"]["transfer_kg"] == kg[transfer]
    assert rep["stores"]["transfer_kg"] == 0


def test_outcomes_count_what_was_delivered(costed: tuple[Settings, MiniPlan, dict[str, int]]) -> None:
    settings, mini, kg = costed
    centre, store = list(mini.routes)
    short, full = mini.routes[store]
    with session_scope(settings) as s:
        weight = {p.code: p.case_weight_kg for p in s.scalars(select(Product))}
        record_outcome(s, full_outcome(mini, full), idempotency_key="r1", actor="t")
        record_outcome(s, full_outcome(mini, short), idempotency_key="r2", actor="t")
    # a correction: the driver was one case short on the stop's first line (the latest version counts)
    first = mini.lines[short][0]
    lines = [
        LineIn(product=ln["product"], delivered_cases=ln["cases"] - (ln is first), shortfall=None)
        for ln in mini.lines[short]
    ]
    due = mini.due(short) - first["price_fen"]
    fix = full_outcome(mini, short, cash=due if mini.terms[short] == "cod" else 0)
    with session_scope(settings) as s:
        correct_outcome(
            s, fix.model_copy(update={"lines": lines}), reason="recount", idempotency_key="r3", actor="t"
        )
    rep = _report(settings)
    r = _route(rep, store)
    planned = kg[short] + kg[full]
    assert r["basis"] == "delivered" and r["stops_recorded"] == 2
    assert r["planned_kg"] == planned and r["delivered_kg"] == planned - weight[first["product"]]
    assert r["delivered_cases"] == r["planned_cases"] - 1
    assert r["store_fee_fen"] == per_tonne(3_500, r["delivered_kg"])  # paid per tonne delivered
    assert r["per_tonne_fen"] == (r["total_fen"] * 1000 + r["delivered_kg"] // 2) // r["delivered_kg"]
    assert _route(rep, centre)["basis"] == "planned"
    assert rep["basis"] == rep["total"]["basis"] == rep["days"][0]["basis"] == "mixed"
    assert rep["total"]["delivered_kg"] == rep["total"]["planned_kg"] - weight[first["product"]]


# --------------------------------------------------------------------- the CLI
@pytest.fixture
def cli_env(
    costed: tuple[Settings, MiniPlan, dict[str, int]], monkeypatch: pytest.MonkeyPatch
) -> Iterator[Settings]:
    settings = costed[0]
    monkeypatch.setenv("DISPATCH_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DISPATCH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield settings
    get_settings.cache_clear()


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_report_costs_prints_a_yuan_table_and_json_on_request(cli_env: Settings) -> None:
    day = ["--from", DAY.isoformat(), "--to", DAY.isoformat()]
    human = runner.invoke(app, ["report", "costs", *day])
    assert human.exit_code == 0, human.output
    with pytest.raises(json.JSONDecodeError):
        json.loads(human.stdout)
    rep = _report(cli_env)
    out = human.stdout
    assert "成本/吨 cost/t" in out and "调拨吨 transfer t" in out and "计划 planned" in out
    assert format_fen(rep["total"]["total_fen"]) in out and format_fen(rep["total"]["per_tonne_fen"]) in out
    assert "total_fen" not in out and str(rep["total"]["total_fen"]) not in out.replace(",", "")
    as_json = runner.invoke(app, ["report", "costs", *day, "--json"])
    assert as_json.exit_code == 0, as_json.output
    assert json.loads(as_json.stdout) == json.loads(json.dumps(rep, default=str))


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_report_utilisation_prints_a_table_and_json_on_request(cli_env: Settings) -> None:
    day = ["--from", DAY.isoformat(), "--to", DAY.isoformat()]
    human = runner.invoke(app, ["report", "utilisation", *day])
    assert human.exit_code == 0, human.output
    assert "车队 fleet" in human.stdout and "湘X·A5001" in human.stdout and "载重率 load %" in human.stdout
    as_json = json.loads(runner.invoke(app, ["report", "utilisation", *day, "--json"]).stdout)
    assert as_json["days_planned"] == 1 and as_json["fleet"]["routes"] == 2
