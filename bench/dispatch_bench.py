"""Dispatch-day benchmarks: ``python -m bench.dispatch_bench [--quick] [--long]``.

* the bundled county's next day: plan wall time, cost, checker verdict;
* the 15-day cycle planner and the 15-day fleet what-if: wall time;
* a generated 5,000-customer / 40-township county: one day's plan time and verdict;
* ``--long``: the county's centre plan (3 vehicles) — time to the first feasible
  plan, and the gap of a 30 s plan to the best of three 10-minute runs.

Results go to ``bench-results/dispatch.json`` and ``.md``. Figures, not assertions.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Any

from models.db import dispose_engines
from models.migrate import upgrade
from models.settings import Settings

OUT = Path("bench-results")


def _fresh(folder: Path, scenario: str | None = None) -> Settings:
    from services.register import scenario_load

    s = Settings(database_url=f"sqlite:///{folder / 'bench.db'}", data_dir=folder / "data")
    upgrade(s.effective_database_url)
    scenario_load(s, scenario)
    return s


def county_day(tmp: Path, time_limit: float) -> dict[str, Any]:
    from services.planning import plan_day

    s = _fresh(tmp / "county")
    t0 = time.perf_counter()
    r = plan_day(s, time_limit_s=time_limit)
    wall = time.perf_counter() - t0
    dispose_engines()
    return {
        "wall_s": round(wall, 1),
        "time_limit_s": time_limit,
        "orders": r["orders"],
        "planned": r["planned"],
        "held": len(r["held"]),
        "unassigned": len(r["unassigned"]),
        "routes": r["routes"],
        "km": r["km"],
        "cost_fen": r["cost_fen"],
        "cost_per_ton_fen": r["cost_per_ton_fen"],
        "feasible": r["feasible"],
    }


def horizon(tmp: Path, per_day: float, days: int) -> dict[str, Any]:
    from services.horizon import cycle_plan
    from services.whatif import run_whatif, verdict

    s = _fresh(tmp / "horizon")
    t0 = time.perf_counter()
    c = cycle_plan(s, days=15, fleet="planned")
    cycle_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    w = run_whatif(s, days=days, time_limit_s=per_day)
    whatif_s = time.perf_counter() - t0
    dispose_engines()
    return {
        "cycle_planner_s": round(cycle_s, 2),
        "cycle_overloaded_days": len(c["overloaded_days"]),
        "whatif_days": days,
        "whatif_s": round(whatif_s, 1),
        "whatif_per_day_limit_s": per_day,
        "whatif": {
            k: {
                x: v[x]
                for x in ("cost_per_ton_fen", "km", "late_orders", "unserved_orders", "overtime_hours")
            }
            for k, v in w["fleets"].items()
        },
        "verdict": verdict(w),
    }


def big_county(tmp: Path, time_limit: float) -> dict[str, Any]:
    from services.planning import plan_day
    from services.scenarios import generate_scenario

    base = Settings(database_url=f"sqlite:///{tmp / 'gen.db'}", data_dir=tmp / "gen")
    t0 = time.perf_counter()
    g = generate_scenario(base, seed=3, customers=5000, townships=40, history_days=3, name="bench-5000")
    gen_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    s = _fresh(tmp / "big", g["folder"])
    load_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    r = plan_day(s, time_limit_s=time_limit)
    wall = time.perf_counter() - t0
    dispose_engines()
    return {
        "generate_s": round(gen_s, 1),
        "load_s": round(load_s, 1),
        "plan_wall_s": round(wall, 1),
        "time_limit_s": time_limit,
        "orders": r["orders"],
        "planned": r["planned"],
        "held": len(r["held"]),
        "unassigned": len(r["unassigned"]),
        "routes": r["routes"],
        "feasible": r["feasible"],
    }


def centre_gap(tmp: Path, short: float, long: float, runs: int) -> dict[str, Any]:
    """First-feasible time and the 30 s plan's gap to the best of long runs, centre vehicles only."""
    from optimizer.check import check_solution
    from optimizer.contract import problem_from_json
    from optimizer.ortools_backend import solve
    from optimizer.params import SolveParams
    from optimizer.problem import RoutingProblem
    from services.planning import prepare_plan

    s = _fresh(tmp / "gap")
    prepared = prepare_plan(s, fleet="planned")
    full = problem_from_json(prepared["problem"])
    centre = [v for v in full.vehicles if v.start_depot == "DC"]
    plates = {v.id for v in centre}
    stops = [st for st in full.stops if st.allowed_vehicles is None or st.allowed_vehicles & plates]
    stops = [
        type(st)(**{**st.__dict__, "allowed_vehicles": (st.allowed_vehicles or plates) & plates})
        for st in stops
    ]
    p = RoutingProblem(
        locations=full.locations,
        depots=full.depots,
        vehicles=tuple(centre),
        stops=tuple(stops),
        matrices=full.matrices,
        dimensions=full.dimensions,
        name="centre",
    )
    first = solve(p, SolveParams(time_limit=None, solution_limit=1, workers=1))
    short_sol = solve(p, SolveParams(time_limit=short, workers=2))
    longs = [solve(p, SolveParams(time_limit=long, workers=2)) for _ in range(runs)]
    best = min(longs, key=lambda x: (len(x.unassigned), x.cost))
    ok = all(check_solution(p, x).feasible for x in [first, short_sol, *longs])
    gap = 100.0 * (short_sol.cost - best.cost) / best.cost if best.cost else 0.0
    dispose_engines()
    return {
        "stops": len(stops),
        "vehicles": len(centre),
        "first_feasible_s": round(first.stats.wall_time, 2),
        "short_s": short,
        "short_cost_fen": short_sol.cost,
        "short_unassigned": len(short_sol.unassigned),
        "long_s": long,
        "long_runs": runs,
        "best_long_cost_fen": best.cost,
        "best_long_unassigned": len(best.unassigned),
        "gap_pct": round(gap, 2),
        "all_feasible": ok,
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--quick", action="store_true", help="short limits (a smoke run)")
    ap.add_argument("--long", action="store_true", help="also the 3 × 10-minute centre-plan gap study")
    a = ap.parse_args()
    limit = 10.0 if a.quick else 30.0
    out: dict[str, Any] = {}
    with TemporaryDirectory() as d:
        tmp = Path(d)
        out["county_day"] = county_day(tmp, limit)
        print("county day", out["county_day"], flush=True)
        out["horizon"] = horizon(tmp, 2.0 if a.quick else 5.0, 5 if a.quick else 15)
        print("horizon", out["horizon"], flush=True)
        out["big_county"] = big_county(tmp, 30.0 if a.quick else 120.0)
        print("5,000 customers", out["big_county"], flush=True)
        if a.long:
            out["centre_gap"] = centre_gap(tmp, 30.0, 600.0, 3)
            print("centre gap", out["centre_gap"], flush=True)
    OUT.mkdir(exist_ok=True)
    (OUT / "dispatch.json").write_text(json.dumps(out, indent=2, ensure_ascii=False))
    lines = ["# Dispatch-day benchmark", ""]
    for k, v in out.items():
        lines += [f"## {k}", "", "| figure | value |", "|---|---|"]
        lines += [f"| {x} | {y} |" for x, y in v.items()]
        lines.append("")
    (OUT / "dispatch.md").write_text("\n".join(lines))
    print(f"wrote {OUT / 'dispatch.json'} and {OUT / 'dispatch.md'}")


if __name__ == "__main__":
    main()
