"""The OR-Tools backend: the only module that imports ``ortools``.

:func:`solve` is the entry point (it returns an :class:`optimizer.solution.Solution`);
:func:`search` runs one OR-Tools search and returns the stop order per vehicle,
which :mod:`optimizer.runner` turns into a timed, explained solution.

The model, built from precomputed integer matrices (``RegisterTransitMatrix``,
never a Python callback per arc):

* nodes: every stop that some vehicle can serve (stops screened out by
  :mod:`optimizer.explain` never reach the solver), then each depot in use;
* arc cost per vehicle class (profile, cost per km, cost per hour); fixed cost
  per vehicle;
* one capacity dimension per demand dimension; a ``time`` dimension (travel
  plus service at the origin, waiting as slack) with the stops' windows,
  the shifts and the maximum durations, added only when it can bind; a
  ``distance`` dimension when a vehicle has a maximum distance;
* allowed vehicles per stop (a capacity-0 ``eligible`` dimension);
* every stop in a disjunction: optional ones at their penalty, required ones at
  a penalty larger than any plan's cost (times ``1 + priority``) so that they
  are dropped only when the fleet cannot take them;
* locked stops: mandatory, on their vehicle, in their order;
* a starting plan is loaded with ``ReadAssignmentFromRoutes``.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ortools.constraint_solver import pywrapcp, routing_enums_pb2, routing_ils_pb2

from optimizer.encode import Encoding, encode
from optimizer.params import TIME_WINDOW_SAFE, SolveParams
from optimizer.problem import RoutingProblem
from optimizer.solution import Solution

SAFETY_TIME_LIMIT = 600
"""Seconds a search runs at most when only a solution limit is given."""

_MH = routing_enums_pb2.LocalSearchMetaheuristic
_BOOL_FALSE = 2  # ortools.util.optional_boolean_pb2.BOOL_FALSE
_EXPENSIVE_OPERATORS = (
    "use_lin_kernighan",
    "use_relocate_expensive_chain",
    "use_global_cheapest_insertion_path_lns",
    "use_local_cheapest_insertion_path_lns",
    "use_relocate_path_global_cheapest_insertion_insert_unperformed",
    "use_global_cheapest_insertion_visit_types_lns",
    "use_local_cheapest_insertion_visit_types_lns",
    "use_shortest_path_swap_active",
    "use_shortest_path_two_opt",
    "use_swap_active_chain",
    "use_relocate_pair",
    "use_light_relocate_pair",
    "use_exchange_pair",
    "use_relocate_subtrip",
    "use_exchange_subtrip",
)
"""Operators switched off by ``lean_operators`` (the ruin-and-recreate step covers them)."""
_STATUS = dict(routing_enums_pb2.RoutingSearchStatus.Value.items())
_STATUS_NAME = {v: k for k, v in _STATUS.items()}


@dataclass(frozen=True)
class SearchOutcome:
    """What one OR-Tools search found.

    Attributes
    ----------
    plan
        Plate → stop ids in order (used vehicles only); ``None`` if no solution.
    objective
        OR-Tools objective (internal cost units).
    solver_status
        ``routing.status()`` name.
    wall_time, first_solution_time
        Seconds spent, seconds until the first solution (when seen).
    solutions
        Solutions reported by the search.
    first_solution_strategy, metaheuristic
        What was actually used.
    """

    plan: dict[str, list[str]] | None
    objective: int
    solver_status: str
    wall_time: float
    first_solution_time: float | None
    solutions: int
    first_solution_strategy: str
    metaheuristic: str


def solve(
    problem: RoutingProblem,
    params: SolveParams | None = None,
    *,
    initial: Mapping[str, Sequence[str]] | None = None,
    locked: Mapping[str, Sequence[str]] | None = None,
) -> Solution:
    """Solve ``problem`` with OR-Tools.

    Parameters
    ----------
    problem
        A validated routing problem.
    params
        Search settings; default 30 s with the automatic choices.
    initial
        A starting plan (plate → stop ids), e.g. the dispatcher's edited plan.
        Stops it cannot serve are ignored; an invalid plan is ignored.
    locked
        Plate → stop ids that must stay on that vehicle in that order (other
        stops may be inserted between them).

    Returns
    -------
    Solution
        Routes with schedules, totals, solver statistics and the unassigned
        stops with their reasons.  ``stats.status == "infeasible"`` when no
        plan exists (e.g. contradictory locks).
    """
    from optimizer.runner import run

    return run(problem, params or SolveParams(), search, initial=initial, locked=locked)


def search(
    problem: RoutingProblem,
    candidates: Mapping[str, Sequence[str]],
    params: SolveParams,
    initial: Mapping[str, Sequence[str]] | None = None,
    locked: Mapping[str, Sequence[str]] | None = None,
) -> SearchOutcome:
    """Run one OR-Tools search over the stops listed in ``candidates``.

    ``params.first_solution`` and ``params.metaheuristic`` must be resolved
    (not ``"AUTO"``); see :func:`optimizer.runner.resolve`.  When the first
    solution strategy finds nothing (``ROUTING_FAIL``; e.g. Christofides with
    locked stops), the insertion heuristics are tried in turn on a fresh model
    within the remaining time.
    """
    t0 = time.perf_counter()
    enc = encode(problem, candidates, locked or {})
    fallbacks = [f for f in TIME_WINDOW_SAFE if f != params.first_solution][:2]
    outcome = _attempt(enc, params, initial, locked or {}, t0)
    for first in fallbacks:
        if outcome.plan is not None or outcome.solver_status != "ROUTING_FAIL":
            break
        left = None if params.time_limit is None else params.time_limit - (time.perf_counter() - t0)
        if left is not None and left <= 0.05:
            break
        outcome = _attempt(enc, params.with_(first_solution=first, time_limit=left), initial,
                           locked or {}, t0)
    return outcome


def _attempt(
    enc: Encoding,
    params: SolveParams,
    initial: Mapping[str, Sequence[str]] | None,
    locked: Mapping[str, Sequence[str]],
    t0: float,
) -> SearchOutcome:
    manager = pywrapcp.RoutingIndexManager(enc.n_nodes, enc.n_vehicles, enc.starts, enc.ends)
    routing = pywrapcp.RoutingModel(manager)
    _build(routing, manager, enc, locked)
    sp = _search_parameters(params, enc)

    seen: dict[str, float] = {"n": 0}

    def on_solution() -> None:
        seen["n"] += 1
        seen.setdefault("first", time.perf_counter() - t0)

    routing.AddAtSolutionCallback(on_solution)
    meta = params.metaheuristic
    start_assignment = None
    if initial:
        if meta == "ITERATED_LOCAL_SEARCH":  # OR-Tools' ILS entry point takes no starting plan
            sp.use_iterated_local_search = False
            sp.local_search_metaheuristic = _MH.Value.Value("GUIDED_LOCAL_SEARCH")
            meta = "GUIDED_LOCAL_SEARCH"
        routes = [
            [manager.NodeToIndex(enc.node_of[s]) for s in initial.get(plate, ()) if s in enc.node_of]
            for plate in enc.plates
        ]
        routing.CloseModelWithParameters(sp)
        start_assignment = routing.ReadAssignmentFromRoutes(routes, True)
    if start_assignment is not None:
        assignment = routing.SolveFromAssignmentWithParameters(start_assignment, sp)
    elif meta == "ITERATED_LOCAL_SEARCH":
        assignment = routing.SolveWithIteratedLocalSearch(sp)
    else:
        assignment = routing.SolveWithParameters(sp)
    status = _STATUS_NAME.get(routing.status(), str(routing.status()))
    if assignment is not None and status == "ROUTING_NOT_SOLVED":
        status = "ROUTING_SUCCESS"  # the ILS entry point returns plans without setting status()
    if assignment is None and status == "ROUTING_NOT_SOLVED":
        status = "ROUTING_FAIL"  # ... nor when it finds no first solution
    plan = None if assignment is None else _read_plan(routing, manager, enc, assignment)
    return SearchOutcome(
        plan=plan,
        objective=0 if assignment is None else int(assignment.ObjectiveValue()),
        solver_status=status,
        wall_time=time.perf_counter() - t0,
        first_solution_time=seen.get("first"),
        solutions=int(seen["n"]),
        first_solution_strategy=params.first_solution,
        metaheuristic=meta,
    )


def _build(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    enc: Encoding,
    locked: Mapping[str, Sequence[str]],
) -> None:
    cost_cb = {key: routing.RegisterTransitMatrix(m.tolist()) for key, m in enc.cost.items()}
    for v in range(enc.n_vehicles):
        routing.SetArcCostEvaluatorOfVehicle(cost_cb[enc.cost_class[v]], v)
        if enc.fixed[v]:
            routing.SetFixedCostOfVehicle(int(enc.fixed[v]), v)

    for k, name in enumerate(enc.dimensions):
        demand = enc.demand[:, k]
        if not demand.any():
            continue
        cb = routing.RegisterUnaryTransitVector(demand.tolist())
        routing.AddDimensionWithVehicleCapacity(cb, 0, enc.capacity[:, k].tolist(), True, f"cap:{name}")

    if enc.time is not None:
        time_cb = {p: routing.RegisterTransitMatrix(m.tolist()) for p, m in enc.time.items()}
        routing.AddDimensionWithVehicleTransits(
            [time_cb[p] for p in enc.profile], enc.horizon, enc.horizon, False, "time"
        )
        td = routing.GetDimensionOrDie("time")
        for node, windows in enc.windows.items():
            var = td.CumulVar(manager.NodeToIndex(node))
            var.SetRange(windows[0][0], windows[-1][1])
            for (_, a_end), (b_start, _) in itertools.pairwise(windows):
                var.RemoveInterval(a_end + 1, b_start - 1)
        for v in range(enc.n_vehicles):
            lo, hi = enc.shift[v]
            td.CumulVar(routing.Start(v)).SetRange(lo, hi)
            td.CumulVar(routing.End(v)).SetRange(lo, hi)
            if enc.max_duration[v] >= 0:
                td.SetSpanUpperBoundForVehicle(int(enc.max_duration[v]), v)

    if enc.max_distance is not None:
        dist_cb = {p: routing.RegisterTransitMatrix(m.tolist()) for p, m in enc.distance.items()}
        routing.AddDimensionWithVehicleTransitAndCapacity(
            [dist_cb[p] for p in enc.profile], 0, enc.max_distance.tolist(), True, "distance"
        )

    _eligibility(routing, enc)
    locked_nodes = {enc.node_of[s] for seq in locked.values() for s in seq if s in enc.node_of}
    for node in range(enc.n_stops):
        if node not in locked_nodes:
            routing.AddDisjunction([manager.NodeToIndex(node)], int(enc.penalty[node]))
    if locked_nodes:
        _lock(routing, manager, enc, locked)


def _eligibility(routing: pywrapcp.RoutingModel, enc: Encoding) -> None:
    """Allowed vehicles as a capacity-0 dimension: a stop counts 1 on a vehicle it may not use.

    The routing filters see dimensions, so forbidden moves are rejected before
    any propagation (``SetAllowedVehiclesForIndex`` would do the same, but its
    Python wrapper rejects every argument in OR-Tools 9.15, and a restricted
    ``VehicleVar`` is invisible to the filters and stalls the search).
    """
    if not enc.allowed:
        return
    vectors: dict[tuple[int, ...], int] = {}
    evaluators = []
    for v in range(enc.n_vehicles):
        forbidden = tuple(
            int(node in enc.allowed and v not in enc.allowed[node]) for node in range(enc.n_nodes)
        )
        if forbidden not in vectors:
            vectors[forbidden] = routing.RegisterUnaryTransitVector(list(forbidden))
        evaluators.append(vectors[forbidden])
    routing.AddDimensionWithVehicleTransitAndCapacity(
        evaluators, 0, [0] * enc.n_vehicles, True, "eligible"
    )


def _lock(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    enc: Encoding,
    locked: Mapping[str, Sequence[str]],
) -> None:
    """Locked stops: on their vehicle, in their order (others may come between)."""
    one = routing.RegisterUnaryTransitVector([1] * enc.n_nodes)
    routing.AddDimension(one, 0, enc.n_nodes + 1, True, "rank")
    rank = routing.GetDimensionOrDie("rank")
    solver = routing.solver()
    for plate, seq in locked.items():
        v = enc.plates.index(plate)
        nodes = [enc.node_of[s] for s in seq if s in enc.node_of]
        for node in nodes:
            routing.VehicleVar(manager.NodeToIndex(node)).SetValue(v)
        for a, b in itertools.pairwise(nodes):
            ia, ib = manager.NodeToIndex(a), manager.NodeToIndex(b)
            solver.Add(rank.CumulVar(ia) + 1 <= rank.CumulVar(ib))


def _search_parameters(params: SolveParams, enc: Encoding) -> Any:
    sp = pywrapcp.DefaultRoutingSearchParameters()
    fs = routing_enums_pb2.FirstSolutionStrategy
    sp.first_solution_strategy = fs.Value.Value(params.first_solution)
    if params.time_limit is not None:
        sp.time_limit.FromMilliseconds(max(1, int(params.time_limit * 1000)))
    elif params.solution_limit is not None:
        sp.time_limit.FromSeconds(SAFETY_TIME_LIMIT)
    if params.solution_limit is not None:
        sp.solution_limit = params.solution_limit
    sp.log_search = params.log
    mh = routing_enums_pb2.LocalSearchMetaheuristic
    if params.metaheuristic == "ITERATED_LOCAL_SEARCH":
        sp.use_iterated_local_search = True
        ils = sp.iterated_local_search_parameters
        rr = ils.ruin_recreate_parameters
        del rr.ruin_strategies[:]
        sisr = rr.ruin_strategies.add().sisr
        sisr.max_removed_sequence_size = params.sisr_max_sequence
        sisr.avg_num_removed_visits = params.sisr_avg_removed
        sisr.bypass_factor = 0.01
        sa = ils.reference_solution_acceptance_strategy.simulated_annealing
        sa.cooling_schedule_strategy = routing_ils_pb2.CoolingScheduleStrategy.EXPONENTIAL
        hi, lo = params.sa_temperatures
        sa.initial_temperature = max(hi * enc.mean_arc_cost, 1e-6)
        sa.final_temperature = max(lo * enc.mean_arc_cost, 1e-9)
        if params.lean_operators:
            ops = sp.local_search_operators
            for name in _EXPENSIVE_OPERATORS:
                setattr(ops, name, _BOOL_FALSE)
            if not enc.has_optional:
                for name in ("use_make_inactive", "use_swap_active", "use_make_chain_inactive"):
                    setattr(ops, name, _BOOL_FALSE)
    else:
        sp.local_search_metaheuristic = mh.Value.Value(params.metaheuristic)
        sp.guided_local_search_lambda_coefficient = params.gls_lambda
    return sp


def _read_plan(
    routing: pywrapcp.RoutingModel,
    manager: pywrapcp.RoutingIndexManager,
    enc: Encoding,
    assignment: Any,
) -> dict[str, list[str]]:
    plan: dict[str, list[str]] = {}
    for v, plate in enumerate(enc.plates):
        index = assignment.Value(routing.NextVar(routing.Start(v)))
        seq: list[str] = []
        while not routing.IsEnd(index):
            seq.append(enc.stop_ids[manager.IndexToNode(index)])
            index = assignment.Value(routing.NextVar(index))
        if seq:
            plan[plate] = seq
    return plan

