"""The JSON contract: round trips, strict fields, and the documented example."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from optimizer.check import check_solution
from optimizer.contract import (
    dump_json,
    load_json,
    plan_from_json,
    problem_from_json,
    problem_to_json,
    solution_from_json,
    solution_to_json,
)
from optimizer.errors import ContractError
from optimizer.ortools_backend import solve
from tests.optimizer_fixtures import det, random_problem

DOC = Path(__file__).resolve().parent.parent / "docs" / "optimizer-contract.md"


def doc_examples() -> tuple[dict, dict]:
    blocks = re.findall(r"```json\n(.*?)\n```", DOC.read_text(encoding="utf-8"), flags=re.S)
    problem, solution = (json.loads(b) for b in blocks[-2:])
    return problem, solution


def test_problem_round_trip_keeps_every_field():
    p = random_problem(4, 8, windows=True, optional=True, depots=2)
    doc = problem_to_json(p)
    again = problem_from_json(json.loads(json.dumps(doc)))
    assert problem_to_json(again) == doc
    assert again.stops == p.stops and again.vehicles == p.vehicles and again.depots == p.depots


def test_solution_round_trip():
    p = random_problem(6, 9, windows=True, optional=True)
    sol = solve(p, det(60))
    doc = json.loads(json.dumps(solution_to_json(sol)))
    back = solution_from_json(doc)
    assert back.routes == sol.routes and back.unassigned == sol.unassigned
    assert (back.cost, back.objective, back.distance, back.duration) == (
        sol.cost, sol.objective, sol.distance, sol.duration)
    assert back.stats.metaheuristic == sol.stats.metaheuristic
    assert solution_to_json(back) == doc
    assert check_solution(p, back).feasible


def test_documented_example_is_valid():
    problem_doc, solution_doc = doc_examples()
    p = problem_from_json(problem_doc)
    documented = solution_from_json(solution_doc)
    assert check_solution(p, documented).feasible
    fresh = solve(p, det(100))
    assert check_solution(p, fresh).feasible
    assert [u.stop_id for u in fresh.unassigned] == [u.stop_id for u in documented.unassigned]
    assert fresh.cost <= documented.cost


def test_unknown_field_is_named_with_the_id():
    doc, _ = doc_examples()
    doc["vehicles"][0]["capcity"] = doc["vehicles"][0].pop("capacity")
    with pytest.raises(ContractError) as info:
        problem_from_json(doc)
    assert info.value.id == "苏C·T5001" and "capcity" in str(info.value)


def test_missing_and_malformed_fields():
    doc, _ = doc_examples()
    broken = json.loads(json.dumps(doc))
    del broken["stops"][1]["demand"]
    with pytest.raises(ContractError, match=r"stops\.demand.*C0102"):
        problem_from_json(broken)
    broken = json.loads(json.dumps(doc))
    broken["stops"][0]["time_windows"] = [[32400]]
    with pytest.raises(ContractError) as info:
        problem_from_json(broken)
    assert (info.value.field, info.value.id) == ("stops.time_windows", "C0101")
    broken = json.loads(json.dumps(doc))
    broken["matrices"]["ev"]["distance"] = [[0, 1], [1, 0]]
    with pytest.raises(ContractError) as info:
        problem_from_json(broken)
    assert info.value.id == "ev"
    broken = json.loads(json.dumps(doc))
    broken["stops"][0]["allowed_vehicles"] = ["GHOST"]
    with pytest.raises(ContractError, match="GHOST"):
        problem_from_json(broken)
    with pytest.raises(ContractError):
        problem_from_json([1, 2, 3])
    with pytest.raises(ContractError):
        solution_from_json({"routes": [{"vehicle_id": "X"}]})


def test_files(tmp_path):
    doc, _ = doc_examples()
    path = tmp_path / "p.json"
    dump_json(doc, path)
    assert "苏C·T5001" in path.read_text(encoding="utf-8")  # Chinese kept readable
    assert problem_to_json(problem_from_json(load_json(path)))["vehicles"] == doc["vehicles"]
    (tmp_path / "bad.json").write_text("{nope", encoding="utf-8")
    with pytest.raises(ContractError, match="not valid JSON"):
        load_json(tmp_path / "bad.json")


def test_plans_from_json():
    _, sol = doc_examples()
    assert plan_from_json(sol) == {"苏C·T5001": ["C0207", "C0311", "C0101", "C0102"]}
    assert plan_from_json({"A": ["x", "y"]}) == {"A": ["x", "y"]}
    with pytest.raises(ContractError):
        plan_from_json({"A": "x"})


def test_meta_and_name_survive():
    p = replace(random_problem(1, 3), name="2025-03-14", meta={"job": 7})
    back = problem_from_json(problem_to_json(p))
    assert back.name == "2025-03-14" and back.meta == {"job": 7}
