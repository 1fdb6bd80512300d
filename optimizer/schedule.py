"""Timing a route whose stop order is known: the backend's decoder.

Given a vehicle and its stops in order, :func:`build_route` computes the
shortest-duration schedule (earliest possible end, then the latest departure
that still reaches it: drivers leave as late as possible and wait as little as
possible), the load on board after each delivery, distances and the route cost.

:mod:`optimizer.check` verifies plans with its own, separate code.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from optimizer.problem import RoutingProblem, TimeWindow, Vehicle
from optimizer.solution import Route, Visit

FEN_SCALE = 3_600_000
"""Cost units per fen: ``metres * fen_per_km * 3600`` and ``seconds * fen_per_hour * 1000``."""


def route_cost_units(vehicle: Vehicle, distance: int, work: int, kg: int = 0) -> int:
    """Variable cost of a route in units of 1/3,600,000 fen.

    Parameters
    ----------
    distance
        Metres driven.
    work
        Seconds of travel plus service (waiting is not paid by the hour).
    kg
        Weight delivered (charged at ``cost_per_tonne``).
    """
    return (distance * vehicle.cost_per_km * 3600 + work * vehicle.cost_per_hour * 1000
            + kg * vehicle.cost_per_tonne * 3600)


def fen_round(units: int) -> int:
    """Cost units to whole fen, halves rounded up."""
    return (units + FEN_SCALE // 2) // FEN_SCALE


def _first_start(windows: Sequence[TimeWindow], arrival: int) -> int | None:
    for w in windows:
        if arrival <= w.end:
            return max(arrival, w.start)
    return None


def _last_start(windows: Sequence[TimeWindow], bound: int) -> int | None:
    for w in reversed(windows):
        if w.start <= bound:
            return min(bound, w.end)
    return None


def build_route(problem: RoutingProblem, vehicle_id: str, stop_ids: Sequence[str]) -> Route | None:
    """The timed route of ``vehicle_id`` through ``stop_ids``, or ``None`` if no schedule fits.

    Only time is checked here (windows, shift, maximum duration); capacity and
    the other rules are the solver's and the checker's business.
    """
    v = problem.vehicle(vehicle_id)
    stops = [problem.stop(s) for s in stop_ids]
    start_loc = problem.depot(v.start_depot).location
    end_loc = problem.depot(v.end).location
    locs = [start_loc, *(s.location for s in stops), end_loc]
    legs = [problem.travel(v, a, b) for a, b in itertools.pairwise(locs)]
    service = [problem.service_time(s) for s in stops]
    windows = [problem.windows(s, v) for s in stops]

    # Forward: earliest service starts, leaving the depot at the shift start.
    earliest: list[int] = []
    t = v.shift.start
    for k in range(len(stops)):
        begin = _first_start(windows[k], t + legs[k][1])
        if begin is None:
            return None
        earliest.append(begin)
        t = begin + service[k]
    end = t + legs[-1][1]
    if end > v.shift.end:
        return None

    # Backward: latest starts that still reach the end at `end`.
    latest = [0] * len(stops)
    bound = end
    for k in range(len(stops) - 1, -1, -1):
        begin = _last_start(windows[k], bound - legs[k + 1][1] - service[k])
        if begin is None or begin < earliest[k]:  # cannot happen when forward succeeded
            return None
        latest[k] = begin
        bound = begin
    depart = min(bound - legs[0][1], v.shift.end) if stops else v.shift.start
    depart = max(depart, v.shift.start)
    if not stops:
        end = depart + legs[0][1]
    if v.max_duration is not None and end - depart > v.max_duration:
        return None

    load = [sum(s.demand[k] for s in stops) for k in range(len(problem.dimensions))]
    visits: list[Visit] = []
    t = depart
    remaining = list(load)
    for k, s in enumerate(stops):
        arrival = t + legs[k][1]
        remaining = [a - b for a, b in zip(remaining, s.demand, strict=True)]
        visits.append(
            Visit(
                stop_id=s.id,
                arrival=arrival,
                wait=latest[k] - arrival,
                start=latest[k],
                departure=latest[k] + service[k],
                load_after=tuple(remaining),
                distance=legs[k][0],
            )
        )
        t = latest[k] + service[k]
    distance = sum(d for d, _ in legs)
    travel = sum(d for _, d in legs)
    serve = sum(service)
    units = route_cost_units(v, distance, travel + serve, sum(problem.kg(s) for s in stops))
    return Route(
        vehicle_id=v.id,
        start_depot=v.start_depot,
        end_depot=v.end,
        visits=tuple(visits),
        start=depart,
        end=end,
        load=tuple(load),
        distance=distance,
        travel_time=travel,
        service_time=serve,
        wait_time=(end - depart) - travel - serve,
        cost=v.fixed_cost + fen_round(units),
    )
