"""Why a stop is left out: reasons a dispatcher can read.

Two moments produce reasons:

* before solving, :func:`screen` looks at each stop on its own and finds the
  vehicles that could serve it alone (rules, capacity, time, distance); a stop
  with none is unassigned with the rule that removed the last candidate;
* after solving, :func:`explain_dropped` says why the solver left out a stop
  that some vehicle could have served alone (fleet full, no room in time, or
  an optional stop cheaper to skip).

Texts use thousands separators, ``HH:MM`` clock times and ``H:MM`` durations,
e.g. "needs 5,200 kg, largest vehicle allowed carries 5,000 kg".
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from optimizer import fmt
from optimizer.eligibility import allowed, in_area, meets_minimum
from optimizer.problem import RoutingProblem, Stop, Vehicle
from optimizer.solution import Route, Unassigned

# Reason codes (``Unassigned.code``).
NO_VEHICLE = "no_vehicle"
NOT_ALLOWED = "not_allowed"
AREA = "area"
MIN_ORDER = "min_order"
CAPACITY = "capacity"
TIME_WINDOW = "time_window"
SHIFT = "shift"
MAX_DISTANCE = "max_distance"
FLEET_EXHAUSTED = "fleet_exhausted"
NO_ROOM = "no_room"
OPTIONAL_DROPPED = "optional_dropped"

CODES = (
    NO_VEHICLE,
    NOT_ALLOWED,
    AREA,
    MIN_ORDER,
    CAPACITY,
    TIME_WINDOW,
    SHIFT,
    MAX_DISTANCE,
    FLEET_EXHAUSTED,
    NO_ROOM,
    OPTIONAL_DROPPED,
)


@dataclass(frozen=True)
class Screening:
    """Result of :func:`screen`.

    Attributes
    ----------
    candidates
        Stop id → plates that could serve the stop on a route of its own.
    unassigned
        Stops no vehicle can serve, each with its reason.
    """

    candidates: dict[str, tuple[str, ...]]
    unassigned: tuple[Unassigned, ...]


def screen(problem: RoutingProblem) -> Screening:
    """Split the stops into those some vehicle can serve alone and those none can.

    Time and distance use shortest paths through the matrices (a route may
    pass other stops on the way), so a stop is screened out only when no
    route at all could serve it.
    """
    trips = _Trips(problem)
    candidates: dict[str, tuple[str, ...]] = {}
    out: list[Unassigned] = []
    for stop in problem.stops:
        plates, reason = _screen_stop(problem, trips, stop)
        if reason is None:
            candidates[stop.id] = plates
        else:
            out.append(reason)
    return Screening(candidates, tuple(out))


class _Trips:
    """Shortest depot → stop → end-depot trips per vehicle, from matrix shortest paths."""

    def __init__(self, problem: RoutingProblem) -> None:
        self.problem = problem
        self._cache: dict[tuple[str, str, int, bool], np.ndarray] = {}

    def _paths(self, profile: str, kind: str, loc: int, reverse: bool) -> np.ndarray:
        key = (profile, kind, loc, reverse)
        if key not in self._cache:
            m = getattr(self.problem.matrices[profile], kind)
            self._cache[key] = shortest_paths(m.T if reverse else m, loc)
        return self._cache[key]

    def trip(self, s: Stop, v: Vehicle) -> tuple[int, int, int]:
        """Distance (m), outbound and return durations (s): lower bounds over all routes."""
        a = self.problem.depot(v.start_depot).location
        b = self.problem.depot(v.end).location
        d = self._paths(v.profile, "distance", a, False)[s.location] + self._paths(
            v.profile, "distance", b, True)[s.location]
        t1 = self._paths(v.profile, "duration", a, False)[s.location]
        t2 = self._paths(v.profile, "duration", b, True)[s.location]
        return int(d), int(t1), int(t2)

    def earliest_start(self, s: Stop, v: Vehicle) -> int | None:
        arrival = v.shift.start + self.trip(s, v)[1]
        for w in self.problem.windows(s, v):
            if arrival <= w.end:
                return max(arrival, w.start)
        return None

    def time_ok(self, s: Stop, v: Vehicle) -> bool:
        _, t1, t2 = self.trip(s, v)
        service = self.problem.service_time(s)
        begin = self.earliest_start(s, v)
        if begin is None or begin + service + t2 > v.shift.end:
            return False
        return v.max_duration is None or t1 + service + t2 <= v.max_duration


def shortest_paths(matrix: np.ndarray, source: int) -> np.ndarray:
    """Shortest path lengths from ``source`` over a dense non-negative matrix (Dijkstra, O(n²))."""
    n = matrix.shape[0]
    dist = matrix[source].astype(np.int64).copy()
    dist[source] = 0
    done = np.zeros(n, dtype=bool)
    done[source] = True
    big = np.iinfo(np.int64).max
    for _ in range(n - 1):
        u = int(np.argmin(np.where(done, big, dist)))
        if done[u]:
            break
        done[u] = True
        np.minimum(dist, dist[u] + matrix[u], out=dist)
    return dist


def _screen_stop(
    problem: RoutingProblem, trips: _Trips, s: Stop
) -> tuple[tuple[str, ...], Unassigned | None]:
    def no(code: str, text: str) -> tuple[tuple[str, ...], Unassigned]:
        return (), Unassigned(s.id, code, text)

    if not problem.vehicles:
        return no(NO_VEHICLE, "there is no vehicle in today's fleet")
    vs = [v for v in problem.vehicles if allowed(s, v)]
    if not vs:
        return no(NOT_ALLOWED, "no vehicle is allowed to serve it")
    inside = [v for v in vs if in_area(s, v)]
    if not inside:
        where = f" ({s.area})" if s.area else " (the stop has no area)"
        return no(AREA, f"outside the area of every allowed vehicle{where}")
    vs = inside
    big_enough = [v for v in vs if meets_minimum(problem, s, v)]
    if not big_enough:
        return no(MIN_ORDER, _min_order_text(problem, s, vs))
    vs = big_enough
    fits = [v for v in vs if all(d <= c for d, c in zip(s.demand, v.capacity, strict=True))]
    if not fits:
        return no(CAPACITY, _capacity_text(problem, s, vs))
    vs = fits
    on_time = [v for v in vs if trips.time_ok(s, v)]
    if not on_time:
        return no(*_time_reason(problem, trips, s, vs))
    vs = on_time
    near = [v for v in vs if v.max_distance is None or trips.trip(s, v)[0] <= v.max_distance]
    if not near:
        v = min(vs, key=lambda x: trips.trip(s, x)[0] - (x.max_distance or 0))
        limit = max(x.max_distance or 0 for x in vs)
        return no(
            MAX_DISTANCE,
            f"round trip from {v.start_depot} is {fmt.km(trips.trip(s, v)[0])}, more than the "
            f"{fmt.km(limit)} limit of every allowed vehicle",
        )
    return tuple(v.id for v in near), None


def _depots(vs: Sequence[Vehicle]) -> str:
    seen = list(dict.fromkeys(v.start_depot for v in vs))
    return " or ".join(seen)


def _min_order_text(problem: RoutingProblem, s: Stop, vs: Sequence[Vehicle]) -> str:
    depots = list(dict.fromkeys(v.start_depot for v in vs))
    mins = ", ".join(
        f"{d} needs {fmt.quantity(problem.depot(d).min_order_cases, 'cases')}" for d in depots
    )
    cases = fmt.quantity(problem.cases(s), "cases")
    return f"order of {cases} is below the minimum order of every depot that may serve it ({mins})"


def _capacity_text(problem: RoutingProblem, s: Stop, vs: Sequence[Vehicle]) -> str:
    for k, unit in enumerate(problem.dimensions):
        largest = max(v.capacity[k] for v in vs)
        if s.demand[k] > largest:
            return (
                f"needs {fmt.quantity(s.demand[k], unit)}, largest vehicle allowed "
                f"carries {fmt.quantity(largest, unit)}"
            )
    needs = ", ".join(fmt.quantity(d, u) for d, u in zip(s.demand, problem.dimensions, strict=True))
    return f"needs {needs} together; no allowed vehicle carries all of it"


def _time_reason(
    problem: RoutingProblem, trips: _Trips, s: Stop, vs: Sequence[Vehicle]
) -> tuple[str, str]:
    service = problem.service_time(s)

    def trip_time(v: Vehicle) -> int:
        return sum(trips.trip(s, v)[1:]) + service

    if s.time_windows:
        shown = ", ".join(fmt.window(w) for w in s.time_windows)
        label = "window" if len(s.time_windows) == 1 else "windows"
        if all(v.max_duration is None or trip_time(v) <= v.max_duration for v in vs):
            return TIME_WINDOW, (
                f"{label} {shown} cannot be reached from {_depots(vs)} within the shift"
            )
    v = min(vs, key=trip_time)
    trip = trip_time(v)
    if v.max_duration is not None and trip > v.max_duration:
        return SHIFT, (
            f"a round trip from {v.start_depot} takes {fmt.duration(trip)} with service, more "
            f"than the maximum route duration of {fmt.duration(v.max_duration)}"
        )
    return SHIFT, (
        f"a round trip from {v.start_depot} takes {fmt.duration(trip)} with service and does "
        f"not fit in the shift {fmt.window(v.shift)}"
    )


def explain_dropped(
    problem: RoutingProblem,
    routes: Sequence[Route],
    stop: Stop,
    candidates: Sequence[str],
) -> Unassigned:
    """Why the solver left out ``stop`` although one of ``candidates`` could serve it alone.

    Parameters
    ----------
    routes
        The routes of the plan that leaves the stop out.
    candidates
        Plates that could serve the stop on their own (from :func:`screen`).
    """
    if not stop.required:
        return Unassigned(
            stop.id,
            OPTIONAL_DROPPED,
            f"optional; leaving it out (penalty {fmt.fen(stop.penalty)}) costs less than serving it",
        )
    load = {r.vehicle_id: r.load for r in routes}
    zero = (0,) * len(problem.dimensions)
    best_left: list[int] = [0] * len(problem.dimensions)
    for plate in candidates:
        v = problem.vehicle(plate)
        left = [c - x for c, x in zip(v.capacity, load.get(plate, zero), strict=True)]
        if all(d <= x for d, x in zip(stop.demand, left, strict=True)):
            return Unassigned(
                stop.id,
                NO_ROOM,
                "no room in the routes of today's allowed vehicles within time windows, "
                "shifts and route limits; dropped at penalty",
            )
        best_left = [max(a, b) for a, b in zip(best_left, left, strict=True)]
    for k, unit in enumerate(problem.dimensions):
        if stop.demand[k] > best_left[k]:
            return Unassigned(
                stop.id,
                FLEET_EXHAUSTED,
                f"capacity of today's fleet exhausted (needs {fmt.quantity(stop.demand[k], unit)}, "
                f"at most {fmt.quantity(best_left[k], unit)} left on an allowed vehicle); "
                "dropped at penalty",
            )
    return Unassigned(  # each dimension fits somewhere, but never all on one vehicle
        stop.id, FLEET_EXHAUSTED, "capacity of today's fleet exhausted; dropped at penalty"
    )
