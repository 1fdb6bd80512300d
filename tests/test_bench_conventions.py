"""Benchmark cost conventions against the stored ``.sol`` files, through the checker.

Every stored solution is re-costed under its instance's convention and checked
with :mod:`optimizer.check` on the problem the runner builds; the README of the
instances lists two stored routes that are wrong (B-n50-k8, B-n57-k7), and this
test finds exactly those.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import vrplib

from bench.instances import default_instances_dir, integer_matrix, load, read_index, route_cost
from bench.vrplib_runner import RunResult, markdown, select, solve_one, summarise
from optimizer.check import check_plan
from tests.needs import requires
from tests.optimizer_fixtures import det

FOLDER = default_instances_dir()
pytestmark = requires((FOLDER / "bks.csv").exists(), f"no shared benchmark instances at {FOLDER}")
ENTRIES = read_index(FOLDER) if (FOLDER / "bks.csv").exists() else []
KNOWN_BAD = {"B-n50-k8": 1319, "B-n57-k7": 1155}


def test_conventions_on_small_cases():
    c = np.array([[0, 0], [3, 4], [1, 1]], dtype=float)
    assert integer_matrix(c, "round")[0, 1] == 5 and integer_matrix(c, "round")[0, 2] == 1
    assert integer_matrix(c, "dimacs")[0, 2] == 14  # sqrt(2) = 1.414 → 1.4 (tenths, truncated)
    assert integer_matrix(c, "exact")[0, 2] == 1414
    assert route_cost(c, [[2]], "dimacs") == 2.8
    assert route_cost(c, [[1]], "round") == 10
    assert math.isclose(route_cost(c, [[2]], "exact"), 2 * math.sqrt(2))


def test_index_reads_every_set():
    sets = {e.set for e in ENTRIES}
    assert {"X", "A", "B", "P", "CMT", "solomon", "GH200"} <= sets
    assert all(e.sol is not None for e in ENTRIES)
    assert [e.name for e in select(ENTRIES, ["x"], 200)] == [
        "X-n101-k25", "X-n110-k13", "X-n129-k18", "X-n143-k7", "X-n157-k13", "X-n190-k8",
        "X-n200-k36"]


@pytest.mark.parametrize("entry", [e for e in ENTRIES if e.n <= 400], ids=lambda e: e.name)
def test_stored_solutions_match_their_bks(entry):
    inst = load(entry)
    sol = vrplib.read_solution(str(entry.sol))
    routes = [list(map(int, r)) for r in sol["routes"]]
    cost = route_cost(inst.coords, routes, entry.convention)
    plan = {f"V{k + 1}": [str(c) for c in r] for k, r in enumerate(routes)}
    if len(routes) > len(inst.problem.vehicles):
        pytest.fail(f"{entry.name}: {len(routes)} routes but the runner gives "
                    f"{len(inst.problem.vehicles)} vehicles")
    report = check_plan(inst.problem, plan, strict=True)
    if entry.name in KNOWN_BAD:
        assert round(cost) == KNOWN_BAD[entry.name] != entry.bks
        if entry.name == "B-n50-k8":
            assert {(v.code, v.stop_id) for v in report.violations} == {
                ("duplicate_stop", "2"), ("missing_required", "3")}
        return
    assert report.feasible, report.violations[:3]
    tol = 0.011 if entry.convention == "exact" else 1e-6
    assert abs(cost - entry.bks) <= tol, (cost, entry.bks)
    if entry.convention != "exact":  # the checker's integer distance is the same cost
        scale = inst.problem.meta["scale"]
        assert report.distance / scale == pytest.approx(cost)
    if inst.max_routes is not None:
        assert len(routes) <= inst.max_routes


def test_runner_validates_and_costs_one_instance(tmp_path):
    entry = next(e for e in ENTRIES if e.name == "P-n16-k8")
    res = solve_one(load(entry), det(200), "ours")
    assert res.feasible and res.cost is not None and res.gap_pct is not None
    assert res.gap_pct >= 0 and res.routes >= 8
    summary = summarise([res, RunResult("x", "P", 1, "ours", 1.0, None, None, 0, False, 1.0, 1.0)])
    assert summary["runs"] == 2 and summary["feasible"] == 1
    assert summary["mean_gap_pct"] == round(res.gap_pct, 3)
    md = markdown([res], [], {"time_limit": 1.0, "workers": 1,
                              "by_set": {"P": {**summary, "baseline": None}}})
    assert "| P-n16-k8 | 15 | 450 |" in md


def test_dimacs_instance_respects_vehicle_limit_and_windows():
    entry = next(e for e in ENTRIES if e.name == "C101")
    inst = load(entry)
    assert inst.max_routes == 25 and len(inst.problem.vehicles) == 25
    assert inst.problem.vehicles[0].shift.end == 12360  # depot due 1236.0, in tenths
    s1 = inst.problem.stop("1")
    assert s1.service_fixed == 900 and s1.time_windows[0].start == 9120
