"""``dispatch solve``, ``dispatch check`` and ``dispatch bench``: the optimiser from the shell.

The problem and solution files follow ``docs/optimizer-contract.md``.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.common import emit_json, fail


def register(app: typer.Typer) -> None:
    """Add the three commands to the ``dispatch`` app."""
    app.command("solve")(solve_cmd)
    app.command("check")(check_cmd)
    app.command("bench")(bench_cmd)


def solve_cmd(
    problem: Annotated[Path, typer.Argument(help="Problem JSON (docs/optimizer-contract.md).")],
    time_limit: Annotated[float, typer.Option("--time-limit", help="Search time (s).")] = 30.0,
    workers: Annotated[int, typer.Option(help="Parallel searches (processes).")] = 1,
    solution_limit: Annotated[int | None, typer.Option(
        "--solution-limit", help="Stop after this many solutions (deterministic).")] = None,
    output: Annotated[Path | None, typer.Option("--output", "-o",
                                                help="Write the solution JSON here.")] = None,
    initial: Annotated[Path | None, typer.Option(help="Starting plan or solution JSON.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the solution JSON.")] = False,
) -> None:
    """Solve PROBLEM.json and write a solution JSON (default: PROBLEM.solution.json)."""
    from optimizer.contract import dump_json, load_json, plan_from_json, problem_from_json, solution_to_json
    from optimizer.errors import OptimizerError
    from optimizer.ortools_backend import solve
    from optimizer.params import SolveParams

    try:
        p = problem_from_json(load_json(problem))
        start = plan_from_json(load_json(initial)) if initial else None
        params = SolveParams(time_limit=time_limit, solution_limit=solution_limit, workers=workers)
        sol = solve(p, params, initial=start)
    except FileNotFoundError as exc:
        fail(f"file not found: {exc.filename}")
    except (OptimizerError, ValueError) as exc:
        fail(str(exc))
    doc = solution_to_json(sol)
    out = output or problem.with_name(problem.name.removesuffix(".json") + ".solution.json")
    dump_json(doc, out)
    if as_json:
        emit_json(doc)
    else:
        s = sol.summary()
        typer.echo(f"{s['routes']} routes, {s['stops']} stops, {s['unassigned']} unassigned, "
                   f"cost {s['cost'] / 100:,.2f} yuan, {s['distance'] / 1000:,.1f} km → {out}")
        for u in sol.unassigned:
            typer.echo(f"  unassigned {u.stop_id}: {u.reason}")
    if not sol.feasible:
        raise typer.Exit(1)


def check_cmd(
    problem: Annotated[Path, typer.Argument(help="Problem JSON.")],
    solution: Annotated[Path, typer.Argument(help="Solution JSON, or a plan {plate: [stop ids]}.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    strict: Annotated[bool, typer.Option(help="Every required stop must be served.")] = False,
) -> None:
    """Check a solution or plan against PROBLEM.json; exit 1 when it breaks a rule."""
    from optimizer.check import check_plan, check_solution
    from optimizer.contract import load_json, plan_from_json, problem_from_json, solution_from_json
    from optimizer.errors import OptimizerError

    try:
        p = problem_from_json(load_json(problem))
        doc = load_json(solution)
        if isinstance(doc, dict) and "routes" in doc and "summary" in doc:
            report = check_solution(p, solution_from_json(doc), strict=strict)
        else:
            report = check_plan(p, plan_from_json(doc), strict=strict)
    except FileNotFoundError as exc:
        fail(f"file not found: {exc.filename}")
    except OptimizerError as exc:
        fail(str(exc))
    if as_json:
        emit_json(report.to_dict())
    else:
        verdict = "feasible" if report.feasible else f"INFEASIBLE ({len(report.violations)} violations)"
        typer.echo(f"{verdict}; cost {report.cost / 100:,.2f} yuan, {report.distance / 1000:,.1f} km")
        for v in report.violations:
            typer.echo(f"  {v.code}: {v.message}")
    if not report.feasible:
        raise typer.Exit(1)


def bench_cmd(
    set_: Annotated[list[str] | None, typer.Option("--set", help="Set from bks.csv (repeatable).")] = None,
    max_n: Annotated[int | None, typer.Option("--max-n", help="Largest n to include.")] = None,
    time_limit: Annotated[float, typer.Option("--time-limit", help="Seconds per solve.")] = 30.0,
    solution_limit: Annotated[int | None, typer.Option(
        "--solution-limit", help="Also stop after this many solutions.")] = None,
    workers: Annotated[int, typer.Option(help="Processes for our solver.")] = 2,
    instances_dir: Annotated[Path | None, typer.Option("--instances-dir",
                                                       help="Folder with bks.csv.")] = None,
    instance: Annotated[list[str] | None, typer.Option(help="Only these instances.")] = None,
    baseline: Annotated[bool, typer.Option(help="Also run plain OR-Tools.")] = True,
    out: Annotated[Path, typer.Option(help="Results folder.")] = Path("bench-results"),
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Benchmark against published best-known solutions, side by side with plain OR-Tools."""
    from bench.instances import default_instances_dir
    from bench.vrplib_runner import run

    folder = instances_dir or default_instances_dir()
    try:
        summary = run(folder, set_, max_n=max_n, time_limit=time_limit,
                      solution_limit=solution_limit, workers=workers,
                      baseline=baseline, names=instance, out_dir=out,
                      progress=lambda m: print(m, file=sys.stderr, flush=True))
    except FileNotFoundError as exc:
        fail(f"file not found: {exc.filename}")
    except ValueError as exc:
        fail(str(exc))
    if as_json:
        emit_json(summary)
    else:
        typer.echo(Path(summary["markdown"]).read_text(encoding="utf-8"))
