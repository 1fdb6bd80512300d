"""Which vehicles may serve a stop: allowed plates, vehicle areas, depot minimum orders.

The minimum-order rule lives here as eligibility: an order below a depot's
``min_order_cases`` (centre ≥ 5 cases, each store its own 2-5) cannot be served
by that depot's vehicles.  Holding or merging such orders is the dispatch
day's job; an order no depot may serve comes back unassigned with the reason
(see :mod:`optimizer.explain`).
"""

from __future__ import annotations

from collections.abc import Iterable

from optimizer.problem import RoutingProblem, Stop, Vehicle


def vehicles_of_depots(problem: RoutingProblem, depot_ids: Iterable[str]) -> frozenset[str]:
    """Plates of the vehicles that start at one of ``depot_ids``.

    Use it to turn "eligible depots" (store radius, centre versus store) into a
    stop's ``allowed_vehicles``.

    Raises
    ------
    KeyError
        If a depot code is unknown.
    """
    wanted = set(depot_ids)
    for d in wanted:
        problem.depot(d)
    return frozenset(v.id for v in problem.vehicles if v.start_depot in wanted)


def depots_accepting(problem: RoutingProblem, cases: int) -> frozenset[str]:
    """Codes of the depots whose minimum order is at most ``cases``."""
    return frozenset(d.id for d in problem.depots if cases >= d.min_order_cases)


def allowed(stop: Stop, vehicle: Vehicle) -> bool:
    """The stop lists the vehicle (or lists none)."""
    return stop.allowed_vehicles is None or vehicle.id in stop.allowed_vehicles


def in_area(stop: Stop, vehicle: Vehicle) -> bool:
    """The vehicle may enter the stop's area (no area limit, or the area is listed)."""
    return vehicle.areas is None or (stop.area is not None and stop.area in vehicle.areas)


def meets_minimum(problem: RoutingProblem, stop: Stop, vehicle: Vehicle) -> bool:
    """The order reaches the minimum of the vehicle's depot (or the minimum is waived)."""
    return stop.waive_minimum or problem.cases(stop) >= problem.depot(vehicle.start_depot).min_order_cases


def eligible(problem: RoutingProblem, stop: Stop, vehicle: Vehicle) -> bool:
    """All three rules: allowed, in area, minimum order."""
    return allowed(stop, vehicle) and in_area(stop, vehicle) and meets_minimum(problem, stop, vehicle)


def eligible_vehicles(problem: RoutingProblem, stop: Stop) -> tuple[Vehicle, ...]:
    """The vehicles the rules let serve ``stop``, in problem order."""
    return tuple(v for v in problem.vehicles if eligible(problem, stop, v))
