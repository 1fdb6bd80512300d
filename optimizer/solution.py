"""What a solve returns: routes with a timed schedule, totals, and reasoned leftovers.

Plain frozen dataclasses, no solver types.  A human-edited plan is the same
shape with only the stop order filled in (see :meth:`Solution.plan`), which is
what :mod:`optimizer.check` and the backend's ``initial`` argument accept.

Units: times are seconds since midnight, durations seconds, distances metres,
costs fen, loads one integer per problem dimension.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Plan = Mapping[str, Sequence[str]]
"""Vehicle plate → ordered stop ids: a plan without times (the dispatcher's edit)."""


@dataclass(frozen=True)
class Visit:
    """One stop on a route.

    Attributes
    ----------
    stop_id
        The stop's id.
    arrival
        Arrival time (s since midnight).
    wait
        Waiting before service starts (s); ``start = arrival + wait``.
    start
        Service start, inside one of the stop's windows (s since midnight).
    departure
        Service end and departure (s since midnight).
    load_after
        Load still on board after this delivery, one value per dimension.
    distance
        Distance driven from the previous place to this stop (m).
    """

    stop_id: str
    arrival: int
    wait: int
    start: int
    departure: int
    load_after: tuple[int, ...]
    distance: int = 0


@dataclass(frozen=True)
class Route:
    """One vehicle's trip from its start depot back to its end depot.

    Attributes
    ----------
    vehicle_id
        Plate.
    start_depot, end_depot
        Depot codes the route leaves from and returns to.
    visits
        The stops in order, each with its schedule.
    start, end
        Departure from the start depot and arrival at the end depot (s).
    load
        Load at departure, one value per dimension.
    distance
        Total distance (m).
    travel_time, service_time, wait_time
        Seconds driving, serving, and waiting for windows to open.
    cost
        Fixed cost plus distance and working-time cost (fen, rounded).
    """

    vehicle_id: str
    start_depot: str
    end_depot: str
    visits: tuple[Visit, ...]
    start: int
    end: int
    load: tuple[int, ...]
    distance: int
    travel_time: int
    service_time: int
    wait_time: int
    cost: int

    @property
    def duration(self) -> int:
        """End minus start (s), waiting included."""
        return self.end - self.start

    @property
    def stop_ids(self) -> tuple[str, ...]:
        """The stop ids in visiting order."""
        return tuple(v.stop_id for v in self.visits)


@dataclass(frozen=True)
class Unassigned:
    """A stop the plan leaves out, with a reason a dispatcher can read.

    Attributes
    ----------
    stop_id
        The stop's id.
    code
        Machine-readable reason: ``capacity``, ``not_allowed``, ``area``,
        ``min_order``, ``time_window``, ``shift``, ``max_distance``,
        ``fleet_exhausted``, ``optional_dropped`` or ``no_vehicle``.
    reason
        The same in words, e.g. "needs 5,200 kg, largest vehicle allowed
        carries 5,000 kg".
    """

    stop_id: str
    code: str
    reason: str


@dataclass(frozen=True)
class SolveStats:
    """How the solve went.

    Attributes
    ----------
    status
        ``"feasible"`` (a plan was found), ``"infeasible"`` (no plan at all),
        or ``"empty"`` (nothing to route).
    solver_status
        The backend's own status name, e.g. ``ROUTING_SUCCESS``.
    wall_time
        Seconds spent solving, model building included.
    first_solution_time
        Seconds until the first feasible plan, when known.
    first_solution_strategy, metaheuristic
        What was used (the winner's, for a portfolio).
    workers
        Processes that searched in parallel.
    solutions
        Improving solutions found by the winner, when known.
    """

    status: str
    solver_status: str = ""
    wall_time: float = 0.0
    first_solution_time: float | None = None
    first_solution_strategy: str = ""
    metaheuristic: str = ""
    workers: int = 1
    solutions: int = 0


@dataclass(frozen=True)
class Solution:
    """The result of a solve.

    Attributes
    ----------
    routes
        One per used vehicle, in the problem's vehicle order.
    unassigned
        Stops left out, each with a reason.
    cost
        Sum of route costs plus penalties of left-out optional stops (fen).
    objective
        The solver's objective in internal units (see ``docs/optimizer-contract.md``);
        comparable only between solutions of the same problem.
    distance, duration
        Totals over the routes (m, s).
    stats
        Solver status and statistics.
    """

    routes: tuple[Route, ...]
    unassigned: tuple[Unassigned, ...]
    cost: int
    objective: int
    distance: int
    duration: int
    stats: SolveStats = field(default_factory=lambda: SolveStats(status="feasible"))

    @property
    def feasible(self) -> bool:
        """Whether a plan was found (it may still leave stops out)."""
        return self.stats.status != "infeasible"

    def plan(self) -> dict[str, list[str]]:
        """The stop order per vehicle, without times (see :data:`Plan`)."""
        return {r.vehicle_id: list(r.stop_ids) for r in self.routes}

    def route_of(self, vehicle_id: str) -> Route | None:
        """The route of this vehicle, or ``None`` if it stays at the depot."""
        for r in self.routes:
            if r.vehicle_id == vehicle_id:
                return r
        return None

    def summary(self) -> dict[str, Any]:
        """Totals as plain values, for logs and the CLI."""
        return {
            "cost": self.cost,
            "distance": self.distance,
            "duration": self.duration,
            "routes": len(self.routes),
            "stops": sum(len(r.visits) for r in self.routes),
            "unassigned": len(self.unassigned),
            "status": self.stats.status,
        }
