"""Backend-agnostic orchestration: screen, search (a portfolio over processes), decode, explain.

:func:`run` is what :func:`optimizer.ortools_backend.solve` calls with its own
``search`` function.  A portfolio runs ``params.workers`` searches with
different first-solution strategies and ruin sizes in separate processes and
keeps the best plan: fewest required stops left out first, then the lowest
objective.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Protocol

from optimizer.errors import ProblemError, SolverError
from optimizer.explain import explain_dropped, screen
from optimizer.params import SolveParams
from optimizer.problem import RoutingProblem
from optimizer.schedule import build_route
from optimizer.solution import Route, Solution, SolveStats, Unassigned

PlanArg = Mapping[str, Sequence[str]] | None


class Outcome(Protocol):
    """What a backend's search returns (see ``ortools_backend.SearchOutcome``)."""

    plan: dict[str, list[str]] | None
    objective: int
    solver_status: str
    wall_time: float
    first_solution_time: float | None
    solutions: int
    first_solution_strategy: str
    metaheuristic: str


SearchFn = Callable[..., Any]


def time_may_bind(problem: RoutingProblem) -> bool:
    """Whether stops have windows or vehicles a maximum duration."""
    return any(s.time_windows for s in problem.stops) or any(
        v.max_duration is not None for v in problem.vehicles
    )


def resolve(params: SolveParams, problem: RoutingProblem) -> SolveParams:
    """Replace ``"AUTO"`` choices by the ones used for this problem type.

    Time windows → ``PARALLEL_CHEAPEST_INSERTION`` (it finds a first solution
    where ``PATH_CHEAPEST_ARC`` does not); capacity only → ``CHRISTOFIDES``.
    The metaheuristic defaults to iterated local search under a time limit, and
    to greedy descent (which ends at its local optimum) without one.
    """
    first = params.first_solution
    if first == "AUTO":
        first = "PARALLEL_CHEAPEST_INSERTION" if time_may_bind(problem) else "CHRISTOFIDES"
    meta = params.metaheuristic
    if meta == "AUTO":
        # Without a time limit only a search that ends by itself is deterministic and bounded:
        # iterated local search may never find ``solution_limit`` improving solutions on a small
        # day (it then ran to the 600 s safety limit); greedy descent stops at its local optimum.
        meta = "ITERATED_LOCAL_SEARCH" if params.time_limit is not None else "GREEDY_DESCENT"
    return params.with_(first_solution=first, metaheuristic=meta, workers=1)


def portfolio(params: SolveParams, problem: RoutingProblem) -> list[SolveParams]:
    """The searches of a portfolio: the resolved parameters first, then variants."""
    base = resolve(params, problem)
    configs = [base]
    tw = time_may_bind(problem)
    # Same start, a slightly different ruin: an independent sample of the best setting
    # (OR-Tools' ILS has no seed); then other starts.
    variants: list[dict[str, Any]] = [
        {"first_solution": base.first_solution, "sisr_avg_removed": base.sisr_avg_removed + 3},
        {"first_solution": "LOCAL_CHEAPEST_INSERTION" if tw else "SAVINGS"},
        {"first_solution": "SEQUENTIAL_CHEAPEST_INSERTION" if tw else "PARALLEL_CHEAPEST_INSERTION",
         "sa_temperatures": (base.sa_temperatures[0] * 2, base.sa_temperatures[1] * 2)},
    ]
    for k in range(1, params.workers):
        change = dict(variants[(k - 1) % len(variants)])
        if params.first_solution != "AUTO":
            change.pop("first_solution")
        if base.metaheuristic != "ITERATED_LOCAL_SEARCH":  # only the start differs
            change = {key: val for key, val in change.items() if key == "first_solution"}
        configs.append(base.with_(**change))
    return configs


def check_plan_ids(problem: RoutingProblem, plan: PlanArg, field: str) -> None:
    """Raise :class:`ProblemError` if ``plan`` names unknown plates or stops, or repeats a stop."""
    if not plan:
        return
    seen: set[str] = set()
    for plate, seq in plan.items():
        if plate not in problem.vehicle_index:
            raise ProblemError(field, f"unknown vehicle {plate!r}")
        for sid in seq:
            if sid not in problem.stop_index:
                raise ProblemError(field, f"unknown stop {sid!r}", plate)
            if sid in seen:
                raise ProblemError(field, f"stop {sid!r} appears more than once", plate)
            seen.add(sid)


_JOB: dict[str, Any] = {}


def _run_job(k: int) -> Any:
    fn, problem, candidates, configs, initial, locked = (
        _JOB["fn"], _JOB["problem"], _JOB["candidates"], _JOB["configs"], _JOB["initial"], _JOB["locked"]
    )
    return fn(problem, candidates, configs[k], initial if k == 0 else None, locked)


def _searches(
    fn: SearchFn,
    problem: RoutingProblem,
    candidates: Mapping[str, Sequence[str]],
    configs: list[SolveParams],
    initial: PlanArg,
    locked: PlanArg,
) -> list[Any]:
    if multiprocessing.current_process().daemon:  # a Celery worker cannot fork children
        configs = configs[:1]
    if len(configs) == 1:
        return [fn(problem, candidates, configs[0], initial, locked)]
    _JOB.update(fn=fn, problem=problem, candidates=candidates, configs=configs, initial=initial,
                locked=locked)
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    try:
        with ProcessPoolExecutor(max_workers=len(configs), mp_context=ctx) as pool:
            return list(pool.map(_run_job, range(len(configs))))
    finally:
        _JOB.clear()


def run(
    problem: RoutingProblem,
    params: SolveParams,
    search_fn: SearchFn,
    *,
    initial: PlanArg = None,
    locked: PlanArg = None,
) -> Solution:
    """Screen, search, decode and explain; see :func:`optimizer.ortools_backend.solve`."""
    t0 = time.perf_counter()
    check_plan_ids(problem, initial, "initial")
    check_plan_ids(problem, locked, "locked")
    screening = screen(problem)
    candidates = screening.candidates
    if not candidates:
        status = "empty" if not problem.stops else "feasible"
        return _assemble(problem, [], list(screening.unassigned),
                         SolveStats(status=status, wall_time=time.perf_counter() - t0), 0)
    configs = portfolio(params, problem)
    outcomes = _searches(search_fn, problem, candidates, configs, initial, locked)
    found = [o for o in outcomes if o.plan is not None]
    if not found:
        o = outcomes[0]
        stats = SolveStats(status="infeasible", solver_status=o.solver_status,
                           wall_time=time.perf_counter() - t0,
                           first_solution_strategy=o.first_solution_strategy,
                           metaheuristic=o.metaheuristic, workers=len(outcomes))
        return _assemble(problem, [], list(screening.unassigned), stats, 0)

    def rank(o: Outcome) -> tuple[int, int]:
        served = {s for seq in (o.plan or {}).values() for s in seq}
        missing = sum(1 for s in candidates if s not in served and problem.stop(s).required)
        return missing, o.objective

    best = min(found, key=rank)
    routes = []
    for v in problem.vehicles:
        seq = (best.plan or {}).get(v.id)
        if seq:
            route = build_route(problem, v.id, seq)
            if route is None:
                raise SolverError(f"the solver's route for {v.id} has no valid schedule")
            routes.append(route)
    served = {s for r in routes for s in r.stop_ids}
    dropped = [
        explain_dropped(problem, routes, problem.stop(sid), candidates[sid])
        for sid in candidates
        if sid not in served
    ]
    order = problem.stop_index
    unassigned = sorted([*screening.unassigned, *dropped], key=lambda u: order[u.stop_id])
    stats = SolveStats(
        status="feasible",
        solver_status=best.solver_status,
        wall_time=time.perf_counter() - t0,
        first_solution_time=best.first_solution_time,
        first_solution_strategy=best.first_solution_strategy,
        metaheuristic=best.metaheuristic,
        workers=len(outcomes),
        solutions=best.solutions,
    )
    return _assemble(problem, routes, unassigned, stats, best.objective)


def _assemble(
    problem: RoutingProblem,
    routes: list[Route],
    unassigned: list[Unassigned],
    stats: SolveStats,
    objective: int,
) -> Solution:
    penalties = sum(problem.stop(u.stop_id).penalty for u in unassigned
                    if not problem.stop(u.stop_id).required)
    return Solution(
        routes=tuple(routes),
        unassigned=tuple(unassigned),
        cost=sum(r.cost for r in routes) + penalties,
        objective=objective,
        distance=sum(r.distance for r in routes),
        duration=sum(r.duration for r in routes),
        stats=stats,
    )
