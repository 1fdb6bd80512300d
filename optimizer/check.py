"""Independent plan checker: verifies any plan against the problem and recomputes its cost.

It imports only the data model (:mod:`optimizer.problem`, :mod:`optimizer.solution`),
never the backend, the scheduler or the explainer, and re-derives every rule
from the raw fields: eligibility (allowed vehicles, areas, minimum order),
capacity in every dimension, time windows with waiting, shifts, maximum
duration and distance, start and end depots, each stop at most once, every
required stop served (or declared unassigned), and every cost.

A plan is ``{plate: [stop ids]}`` (e.g. a dispatcher's edit); a solution's
reported schedule, loads, distances and costs are also compared with the
recomputed ones by :func:`check_solution`.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from typing import Any

from optimizer.problem import RoutingProblem, Stop, TimeWindow, Vehicle
from optimizer.solution import Route, Solution


@dataclass(frozen=True)
class Violation:
    """One broken rule, naming the vehicle plate and/or stop id concerned."""

    code: str
    message: str
    vehicle_id: str | None = None
    stop_id: str | None = None


@dataclass(frozen=True)
class CheckReport:
    """The checker's verdict.

    Attributes
    ----------
    violations
        Every broken rule found (empty when feasible).
    cost
        Recomputed total: route costs plus penalties of optional stops left out (fen).
    distance
        Recomputed total distance (m).
    duration
        Sum of the shortest possible route durations (s).
    route_costs
        Plate → recomputed route cost (fen).
    unserved
        Stops that no route serves.
    """

    violations: tuple[Violation, ...]
    cost: int
    distance: int
    duration: int
    route_costs: dict[str, int] = field(default_factory=dict)
    unserved: tuple[str, ...] = ()

    @property
    def feasible(self) -> bool:
        """No violation."""
        return not self.violations

    def to_dict(self) -> dict[str, Any]:
        """``{"feasible", "violations", "cost", ...}`` as plain JSON values."""
        return {
            "feasible": self.feasible,
            "violations": [asdict(v) for v in self.violations],
            "cost": self.cost,
            "distance": self.distance,
            "duration": self.duration,
            "route_costs": dict(self.route_costs),
            "unserved": list(self.unserved),
        }


def check_plan(
    problem: RoutingProblem,
    plan: Mapping[str, Sequence[str]],
    *,
    declared_unassigned: Iterable[str] | None = None,
    strict: bool = False,
) -> CheckReport:
    """Check a plan given as plate → stop ids.

    Parameters
    ----------
    declared_unassigned
        Stops the plan says it leaves out (with reasons elsewhere).  A required
        stop neither served nor declared is a violation.
    strict
        Also flag declared-unassigned required stops (benchmarks: all served).
    """
    out: list[Violation] = []
    stops = {s.id: s for s in problem.stops}
    vehicles = {v.id: v for v in problem.vehicles}
    served: dict[str, str] = {}
    route_costs: dict[str, int] = {}
    distance = duration = 0
    for plate, seq in plan.items():
        if plate not in vehicles:
            out.append(Violation("unknown_vehicle", f"vehicle {plate} is not in the problem", plate))
            continue
        known = []
        for sid in seq:
            if sid not in stops:
                out.append(Violation("unknown_stop", f"stop {sid} is not in the problem", plate, sid))
            elif sid in served:
                out.append(Violation("duplicate_stop",
                                     f"stop {sid} is served by {served[sid]} and again by {plate}",
                                     plate, sid))
            else:
                served[sid] = plate
                known.append(stops[sid])
        if not known:
            continue
        v = vehicles[plate]
        out += _rules(problem, v, known)
        out += _capacity(problem, v, known)
        timing = _timing(problem, v, known)
        out += timing.violations
        dist = _distance(problem, v, known)
        if v.max_distance is not None and dist > v.max_distance:
            out.append(Violation("max_distance",
                                 f"{plate} drives {dist:,} m, more than its limit of "
                                 f"{v.max_distance:,} m", plate))
        k_kg = problem.dimensions.index("kg") if "kg" in problem.dimensions else None
        kg = 0 if k_kg is None else sum(s.demand[k_kg] for s in known)
        route_costs[plate] = _route_cost(v, dist, timing.work, kg)
        distance += dist
        duration += timing.min_duration
    declared = set(declared_unassigned or ())
    for sid in sorted(declared & set(served)):
        out.append(Violation("unassigned_served",
                             f"stop {sid} is declared unassigned but {served[sid]} serves it",
                             served[sid], sid))
    unserved = tuple(s.id for s in problem.stops if s.id not in served)
    for sid in unserved:
        s = stops[sid]
        if s.required and (strict or sid not in declared):
            out.append(Violation("missing_required", f"required stop {sid} is not served", None, sid))
    penalties = sum(stops[sid].penalty for sid in unserved if not stops[sid].required)
    return CheckReport(tuple(out), sum(route_costs.values()) + penalties, distance, duration,
                       route_costs, unserved)


def check_solution(problem: RoutingProblem, solution: Solution, *, strict: bool = False) -> CheckReport:
    """Check a solution: its plan (see :func:`check_plan`) and everything it reports."""
    plan = {r.vehicle_id: list(r.stop_ids) for r in solution.routes}
    plates = [r.vehicle_id for r in solution.routes]
    report = check_plan(problem, plan, strict=strict,
                        declared_unassigned=[u.stop_id for u in solution.unassigned])
    out = list(report.violations)
    for plate in {p for p in plates if plates.count(p) > 1}:
        out.append(Violation("duplicate_vehicle", f"{plate} has more than one route", plate))
    vehicles = {v.id: v for v in problem.vehicles}
    for r in solution.routes:
        if r.vehicle_id in vehicles and r.visits:
            out += _reported_route(problem, vehicles[r.vehicle_id], r, report.route_costs)
    listed = {u.stop_id for u in solution.unassigned}
    for sid in report.unserved:
        if sid not in listed:
            out.append(Violation("unlisted_unassigned",
                                 f"stop {sid} is neither served nor listed as unassigned", None, sid))
    if solution.cost != report.cost:
        out.append(Violation("cost_mismatch",
                             f"total cost reported {solution.cost:,} fen, recomputed {report.cost:,} fen"))
    if solution.distance != report.distance:
        out.append(Violation("distance_mismatch",
                             f"total distance reported {solution.distance:,} m, recomputed "
                             f"{report.distance:,} m"))
    reported_duration = sum(r.end - r.start for r in solution.routes)
    if solution.duration != reported_duration:
        out.append(Violation("duration_mismatch",
                             f"total duration {solution.duration:,} s is not the sum of the routes' "
                             f"{reported_duration:,} s"))
    return CheckReport(tuple(out), report.cost, report.distance, report.duration,
                       report.route_costs, report.unserved)


# --------------------------------------------------------------------- rules
def _rules(problem: RoutingProblem, v: Vehicle, stops: list[Stop]) -> list[Violation]:
    out = []
    depot_min = {d.id: d.min_order_cases for d in problem.depots}[v.start_depot]
    k_cases = problem.dimensions.index("cases") if "cases" in problem.dimensions else None
    for s in stops:
        if s.allowed_vehicles is not None and v.id not in s.allowed_vehicles:
            out.append(Violation("not_allowed", f"{v.id} is not allowed to serve {s.id}", v.id, s.id))
        if v.areas is not None and s.area not in v.areas:
            out.append(Violation("area", f"{s.id} (area {s.area}) is outside the areas of {v.id}",
                                 v.id, s.id))
        cases = 0 if k_cases is None else s.demand[k_cases]
        if cases < depot_min and not s.waive_minimum:
            out.append(Violation("min_order",
                                 f"{s.id} orders {cases} cases, below the minimum of "
                                 f"{depot_min} at {v.start_depot}", v.id, s.id))
    return out


def _capacity(problem: RoutingProblem, v: Vehicle, stops: list[Stop]) -> list[Violation]:
    out = []
    for k, unit in enumerate(problem.dimensions):
        total = sum(s.demand[k] for s in stops)
        if total > v.capacity[k]:
            out.append(Violation("capacity",
                                 f"{v.id} carries {total:,} {unit}, more than its capacity of "
                                 f"{v.capacity[k]:,} {unit}", v.id))
    return out


def _legs(problem: RoutingProblem, v: Vehicle, stops: list[Stop]) -> list[tuple[int, int]]:
    depots = {d.id: d.location for d in problem.depots}
    places = [depots[v.start_depot]] + [s.location for s in stops] + [depots[v.end]]
    m = problem.matrices[v.profile]
    return [(int(m.distance[a][b]), int(m.duration[a][b])) for a, b in itertools.pairwise(places)]


def _distance(problem: RoutingProblem, v: Vehicle, stops: list[Stop]) -> int:
    return sum(d for d, _ in _legs(problem, v, stops))


def _service(problem: RoutingProblem, s: Stop) -> int:
    cases = s.demand[problem.dimensions.index("cases")] if "cases" in problem.dimensions else 0
    return s.service_fixed + s.service_per_case * cases


@dataclass
class _Timing:
    violations: list[Violation]
    work: int  # travel + service (s)
    min_duration: int


def _timing(problem: RoutingProblem, v: Vehicle, stops: list[Stop]) -> _Timing:
    """Earliest schedule from the shift start; then the shortest duration with that end."""
    legs = _legs(problem, v, stops)
    out: list[Violation] = []
    t = v.shift.start
    starts: list[int] = []
    for s, (_, dur) in zip(stops, legs, strict=False):
        arrive = t + dur
        wins = s.time_windows or (v.shift,)
        fitting = [w for w in wins if w.end >= arrive]
        if not fitting:
            last = wins[-1]
            out.append(Violation("time_window",
                                 f"{v.id} arrives at {s.id} at {_hm(arrive)}, after its window "
                                 f"{_hm(last.start)}–{_hm(last.end)}", v.id, s.id))
            begin = arrive
        else:
            begin = max(arrive, fitting[0].start)
        starts.append(begin)
        t = begin + _service(problem, s)
    end = t + legs[-1][1]
    if end > v.shift.end:
        out.append(Violation("shift", f"{v.id} returns at {_hm(end)}, after its shift ends at "
                                      f"{_hm(v.shift.end)}", v.id))
    # Latest departure that keeps the same end: walk back from the end.
    latest = end
    for i in range(len(stops) - 1, -1, -1):
        bound = latest - legs[i + 1][1] - _service(problem, stops[i])
        options = [min(bound, w.end) for w in (stops[i].time_windows or (v.shift,))
                   if w.start <= bound]
        latest = max(options) if options else starts[i]
        latest = max(latest, starts[i])
    depart = max(v.shift.start, latest - legs[0][1])
    min_duration = end - depart
    if v.max_duration is not None and min_duration > v.max_duration:
        out.append(Violation("max_duration",
                             f"{v.id} needs at least {min_duration:,} s, more than its maximum "
                             f"route duration of {v.max_duration:,} s", v.id))
    work = sum(d for _, d in legs) + sum(_service(problem, s) for s in stops)
    return _Timing(out, work, min_duration)


def _route_cost(v: Vehicle, distance: int, work: int, kg: int = 0) -> int:
    """Fixed cost + km, hour and tonne rates, rounded half up to whole fen."""
    exact = (Fraction(distance * v.cost_per_km, 1000) + Fraction(work * v.cost_per_hour, 3600)
             + Fraction(kg * v.cost_per_tonne, 1000))
    return v.fixed_cost + int(exact + Fraction(1, 2))  # int() floors a positive Fraction


def _hm(t: int) -> str:
    return f"{t // 3600 % 24:02d}:{t // 60 % 60:02d}"


def _in_some(t: int, windows: Sequence[TimeWindow]) -> bool:
    return any(w.start <= t <= w.end for w in windows)


def _reported_route(problem: RoutingProblem, v: Vehicle, r: Route,
                    costs: Mapping[str, int]) -> list[Violation]:
    """Compare a route's reported depots, schedule, loads, distances and cost with the problem."""
    out: list[Violation] = []

    def bad(code: str, text: str, sid: str | None = None) -> None:
        out.append(Violation(code, text, v.id, sid))

    if r.start_depot != v.start_depot or r.end_depot != v.end:
        bad("depot", f"{v.id} must run {v.start_depot} → {v.end}, the plan says "
                     f"{r.start_depot} → {r.end_depot}")
    stops = [problem.stop(vis.stop_id) for vis in r.visits if vis.stop_id in problem.stop_index]
    if len(stops) != len(r.visits):
        return out
    legs = _legs(problem, v, stops)
    if r.start < v.shift.start:
        bad("shift", f"{v.id} leaves at {_hm(r.start)}, before its shift starts")
    onboard = [sum(s.demand[k] for s in stops) for k in range(len(problem.dimensions))]
    if tuple(onboard) != tuple(r.load):
        bad("load", f"{v.id} reports a load of {list(r.load)}, the stops add up to {onboard}")
    t = r.start
    for vis, s, (dist, dur) in zip(r.visits, stops, legs, strict=False):
        onboard = [a - b for a, b in zip(onboard, s.demand, strict=True)]
        if vis.arrival != t + dur or vis.wait < 0 or vis.start != vis.arrival + vis.wait:
            bad("schedule", f"reported arrival/wait at {s.id} do not follow from the previous stop",
                s.id)
        if not _in_some(vis.start, s.time_windows or (v.shift,)):
            bad("time_window", f"service at {s.id} starts at {_hm(vis.start)}, outside its windows",
                s.id)
        if vis.departure != vis.start + _service(problem, s):
            bad("schedule", f"reported departure from {s.id} is not start + service time", s.id)
        if tuple(onboard) != tuple(vis.load_after) or vis.distance != dist:
            bad("load", f"reported load or leg distance at {s.id} is wrong", s.id)
        t = vis.departure
    if r.end != t + legs[-1][1]:
        bad("schedule", f"reported return of {v.id} does not follow from its last stop")
    if r.end > v.shift.end:
        bad("shift", f"{v.id} returns at {_hm(r.end)}, after its shift ends")
    if v.max_duration is not None and r.end - r.start > v.max_duration:
        bad("max_duration", f"{v.id} is out {r.end - r.start:,} s, more than {v.max_duration:,} s")
    if r.distance != sum(d for d, _ in legs):
        bad("distance_mismatch", f"{v.id} reports {r.distance:,} m, recomputed "
                                 f"{sum(d for d, _ in legs):,} m")
    if r.cost != costs.get(v.id):
        bad("cost_mismatch", f"{v.id} reports a cost of {r.cost:,} fen, recomputed "
                             f"{costs.get(v.id, 0):,} fen")
    return out
