"""``dispatch solve | check | bench`` from the outside (typer's runner, solution limits)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from bench.instances import default_instances_dir
from cli.main import app
from optimizer.contract import dump_json
from tests.needs import requires
from tests.test_contract import doc_examples

runner = CliRunner()


@pytest.fixture
def problem_file(tmp_path):
    problem, _ = doc_examples()
    path = tmp_path / "problem.json"
    dump_json(problem, path)
    return path


def test_solve_writes_a_solution_and_check_accepts_it(problem_file, tmp_path):
    out = tmp_path / "sol.json"
    r = runner.invoke(app, ["solve", str(problem_file), "--solution-limit", "50", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert "unassigned C0208: order of 3 cases" in r.output
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["status"] == "feasible" and doc["summary"]["unassigned"] == 1
    r = runner.invoke(app, ["check", str(problem_file), str(out), "--json"])
    assert r.exit_code == 0, r.output
    report = json.loads(r.stdout)
    assert report["feasible"] is True and report["violations"] == []
    assert report["cost"] == doc["summary"]["cost"]


def test_solve_json_output_and_default_path(problem_file):
    r = runner.invoke(app, ["solve", str(problem_file), "--solution-limit", "20", "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["version"] == 1
    assert problem_file.with_name("problem.solution.json").exists()


def test_check_fails_on_a_broken_plan(problem_file, tmp_path):
    plan = tmp_path / "plan.json"
    dump_json({"苏C·E0003": ["C0207", "C0101"]}, plan)  # 1,800 kg on a 600 kg e-vehicle
    r = runner.invoke(app, ["check", str(problem_file), str(plan), "--json"])
    assert r.exit_code == 1
    report = json.loads(r.stdout)
    assert report["feasible"] is False
    found = {(v["code"], v["vehicle_id"], v["stop_id"]) for v in report["violations"]}
    assert ("capacity", "苏C·E0003", None) in found
    assert ("area", "苏C·E0003", "C0207") in found
    assert ("missing_required", None, "C0102") in found


def test_input_errors_are_one_line(problem_file, tmp_path):
    doc = json.loads(problem_file.read_text(encoding="utf-8"))
    doc["stops"][0]["location"] = 99
    bad = tmp_path / "bad.json"
    dump_json(doc, bad)
    r = runner.invoke(app, ["solve", str(bad), "--solution-limit", "5"])
    assert r.exit_code == 1
    assert "stops.location of C0101" in r.output and "Traceback" not in r.output
    r = runner.invoke(app, ["check", str(tmp_path / "missing.json"), str(bad)])
    assert r.exit_code == 1 and "file not found" in r.output


@requires((default_instances_dir() / "bks.csv").exists(), f"no instances at {default_instances_dir()}")
def test_bench_prints_the_summary_as_json(tmp_path):
    r = runner.invoke(app, ["bench", "--set", "P", "--instance", "P-n16-k8", "--solution-limit", "100",
                            "--workers", "1", "--out", str(tmp_path), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["runs"] == 1 and s["feasible"] == 1 and s["mean_gap_pct"] >= 0
    assert s["baseline"]["runs"] == 1 and s["baseline"]["feasible"] == 1
    assert set(s) >= {"mean_gap_pct", "max_gap_pct", "feasible", "runs", "baseline", "csv", "markdown"}
    assert (tmp_path / s["csv"].split("/")[-1]).exists()
