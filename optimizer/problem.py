"""The pure routing model: depots, vehicles, stops and matrices, validated once.

A :class:`RoutingProblem` is built from plain values (lists are accepted and
frozen into tuples) and validated at construction; after that every consumer
(the OR-Tools backend, the checker, the explainer, the JSON contract) can trust
it.  Everything is an integer in the units of ``docs/ARCHITECTURE.md``:

=================  ==========================================
quantity           unit
=================  ==========================================
distance           metres
time, durations    seconds; a time of day is seconds since midnight
money              fen (fixed cost, penalty); cost rates in fen per km / hour
demand, capacity   one integer per named dimension (default kg, cases)
=================  ==========================================

Users' ids are strings (customer code or order number for stops, plate for
vehicles, depot code for depots).  Matrices are square, indexed by the
position of a :class:`Location` in ``locations``; depots and stops refer to a
location by that position.  Errors name the field and the user id, never an
internal index of the solver.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np

from optimizer.errors import ProblemError

DAY = 86_400
"""Seconds in a day; the default shift is ``[0, DAY]``."""

MAX_VALUE = 10**12
"""Upper bound for any single integer in the model (keeps int64 sums safe)."""

CASES = "cases"
"""Name of the demand dimension that counts cases (service per case, minimum order)."""


@dataclass(frozen=True)
class TimeWindow:
    """A closed interval ``[start, end]`` of seconds since midnight."""

    start: int
    end: int

    def contains(self, t: int) -> bool:
        """Whether time ``t`` (s) lies in the window, both ends included."""
        return self.start <= t <= self.end


@dataclass(frozen=True)
class Location:
    """A point of the matrices: a label and optional WGS-84 coordinates (degrees)."""

    id: str
    lat: float | None = None
    lon: float | None = None


@dataclass(frozen=True)
class Depot:
    """Where vehicles start and end: the centre or a township store.

    Parameters
    ----------
    id
        Depot code.
    location
        Position of the depot in ``RoutingProblem.locations``.
    min_order_cases
        Minimum order size (cases) this depot's vehicles may deliver: the
        centre needs 5, each store its own 2-5.  A stop with fewer cases is not
        eligible for any vehicle of this depot.
    """

    id: str
    location: int
    min_order_cases: int = 0


@dataclass(frozen=True)
class Vehicle:
    """A vehicle and its driver's shift.

    Parameters
    ----------
    id
        Plate.
    start_depot, end_depot
        Depot codes; ``end_depot`` defaults to ``start_depot``.
    capacity
        One integer per problem dimension (kg, cases).
    shift
        Leave the start depot no earlier than ``shift.start`` and be back at the
        end depot no later than ``shift.end`` (s since midnight).
    max_duration
        Longest route, end minus start, waiting included (s); ``None`` = no limit.
    max_distance
        Longest route (m); ``None`` = no limit.
    fixed_cost
        Cost of using the vehicle at all (fen).
    cost_per_km
        Cost of driving (fen per km).
    cost_per_hour
        Cost of working time, travel plus service, waiting excluded (fen per hour).
    cost_per_tonne
        Handling fee on what the vehicle delivers (fen per tonne of the ``kg``
        dimension): the centre's loader, a store's delivery fee.  0 when the
        problem has no ``kg`` dimension.
    profile
        Name of the matrices it travels with ("truck", "van", "ev").
    areas
        Areas it may serve; ``None`` means anywhere.  A stop with an ``area``
        outside this set is not eligible for the vehicle.
    """

    id: str
    start_depot: str
    end_depot: str | None = None
    capacity: tuple[int, ...] = ()
    shift: TimeWindow = TimeWindow(0, DAY)
    max_duration: int | None = None
    max_distance: int | None = None
    fixed_cost: int = 0
    cost_per_km: int = 0
    cost_per_hour: int = 0
    cost_per_tonne: int = 0
    profile: str = "truck"
    areas: frozenset[str] | None = None

    def __post_init__(self) -> None:
        _freeze(self, "capacity", tuple(self.capacity))
        if self.end_depot is None:
            _freeze(self, "end_depot", self.start_depot)
        if self.areas is not None:
            _freeze(self, "areas", frozenset(self.areas))
        if isinstance(self.shift, list | tuple):
            _freeze(self, "shift", TimeWindow(*self.shift))

    @property
    def end(self) -> str:
        """The end depot code (never ``None`` after construction)."""
        return self.end_depot if self.end_depot is not None else self.start_depot


@dataclass(frozen=True)
class Stop:
    """One delivery: a customer's consolidated order for the day.

    Parameters
    ----------
    id
        Customer code or order number.
    location
        Position in ``RoutingProblem.locations``.
    demand
        One integer per problem dimension (kg, cases).
    service_fixed, service_per_case
        Service time is ``service_fixed + service_per_case * cases`` (s).
    time_windows
        Service must *start* inside one of these (s since midnight); empty
        means any time in the vehicle's shift.  Sorted, non-overlapping.
    required
        A required stop is left out only when it cannot be served (each
        such stop gets a reason); an optional one may be left out at ``penalty``.
    penalty
        Cost of leaving an optional stop out (fen).
    allowed_vehicles
        Plates that may serve it; ``None`` means every vehicle.
    priority
        0-100; among required stops that the fleet cannot all carry, the
        lower priorities are dropped first.
    area
        Area (township, zone) the stop lies in, matched against ``Vehicle.areas``.
    waive_minimum
        The depots' minimum order does not apply (an order the dispatcher
        released from hold).
    """

    id: str
    location: int
    demand: tuple[int, ...] = ()
    service_fixed: int = 0
    service_per_case: int = 0
    time_windows: tuple[TimeWindow, ...] = ()
    required: bool = True
    penalty: int = 0
    allowed_vehicles: frozenset[str] | None = None
    priority: int = 0
    area: str | None = None
    waive_minimum: bool = False

    def __post_init__(self) -> None:
        _freeze(self, "demand", tuple(self.demand))
        _freeze(
            self,
            "time_windows",
            tuple(w if isinstance(w, TimeWindow) else TimeWindow(*w) for w in self.time_windows),
        )
        if self.allowed_vehicles is not None:
            _freeze(self, "allowed_vehicles", frozenset(self.allowed_vehicles))


@dataclass(frozen=True, eq=False)
class Matrix:
    """Travel between locations for one profile: distance (m) and duration (s).

    Asymmetric matrices are allowed.  Both are stored as read-only int64 arrays.
    """

    distance: np.ndarray
    duration: np.ndarray

    def __post_init__(self) -> None:
        for name in ("distance", "duration"):
            _freeze(self, name, _int_matrix(getattr(self, name), name))


@dataclass(frozen=True, eq=False)
class RoutingProblem:
    """A complete, validated routing problem for one day.

    Build it with plain values; construction raises :class:`ProblemError` for
    the first invalid field found.  Lists are frozen into tuples and matrices
    into read-only int64 arrays.

    Parameters
    ----------
    locations
        The points the matrices are indexed by.
    depots, vehicles, stops
        See :class:`Depot`, :class:`Vehicle`, :class:`Stop`.
    matrices
        Profile name → :class:`Matrix` of size ``len(locations)``.
    dimensions
        Names of the demand/capacity dimensions, default ``("kg", "cases")``.
    name
        Free label, e.g. the plan date.
    """

    locations: tuple[Location, ...]
    depots: tuple[Depot, ...]
    vehicles: tuple[Vehicle, ...]
    stops: tuple[Stop, ...]
    matrices: Mapping[str, Matrix]
    dimensions: tuple[str, ...] = ("kg", CASES)
    name: str = ""
    meta: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("locations", "depots", "vehicles", "stops", "dimensions"):
            _freeze(self, name, tuple(getattr(self, name)))
        mats: dict[str, Matrix] = {}
        for profile, m in self.matrices.items():
            try:
                mats[str(profile)] = m if isinstance(m, Matrix) else Matrix(**m)
            except ProblemError as exc:
                raise ProblemError(exc.field, exc.detail, id=str(profile)) from None
        _freeze(self, "matrices", mats)
        _freeze(self, "meta", dict(self.meta))
        from optimizer.validate import validate_problem

        validate_problem(self)

    # ----------------------------------------------------------------- lookups
    @cached_property
    def stop_index(self) -> Mapping[str, int]:
        """Stop id → position in ``stops``."""
        return {s.id: i for i, s in enumerate(self.stops)}

    @cached_property
    def vehicle_index(self) -> Mapping[str, int]:
        """Plate → position in ``vehicles``."""
        return {v.id: i for i, v in enumerate(self.vehicles)}

    @cached_property
    def depot_index(self) -> Mapping[str, int]:
        """Depot code → position in ``depots``."""
        return {d.id: i for i, d in enumerate(self.depots)}

    def stop(self, stop_id: str) -> Stop:
        """The stop with this id (``KeyError`` if unknown)."""
        return self.stops[self.stop_index[stop_id]]

    def vehicle(self, vehicle_id: str) -> Vehicle:
        """The vehicle with this plate (``KeyError`` if unknown)."""
        return self.vehicles[self.vehicle_index[vehicle_id]]

    def depot(self, depot_id: str) -> Depot:
        """The depot with this code (``KeyError`` if unknown)."""
        return self.depots[self.depot_index[depot_id]]

    @property
    def cases_dim(self) -> int | None:
        """Position of the ``cases`` dimension, or ``None`` if there is none."""
        return self.dimensions.index(CASES) if CASES in self.dimensions else None

    def cases(self, stop: Stop) -> int:
        """Cases ordered by ``stop`` (0 when the problem has no cases dimension)."""
        k = self.cases_dim
        return 0 if k is None else stop.demand[k]

    def kg(self, stop: Stop) -> int:
        """Weight ordered by ``stop`` (0 when the problem has no ``kg`` dimension)."""
        return stop.demand[self.dimensions.index("kg")] if "kg" in self.dimensions else 0

    def service_time(self, stop: Stop) -> int:
        """Service time of ``stop`` (s): fixed plus per case."""
        return stop.service_fixed + stop.service_per_case * self.cases(stop)

    def windows(self, stop: Stop, vehicle: Vehicle) -> tuple[TimeWindow, ...]:
        """The stop's windows, or the vehicle's shift when it has none."""
        return stop.time_windows or (vehicle.shift,)

    def travel(self, vehicle: Vehicle, a: int, b: int) -> tuple[int, int]:
        """Distance (m) and duration (s) from location ``a`` to ``b`` for ``vehicle``."""
        m = self.matrices[vehicle.profile]
        return int(m.distance[a, b]), int(m.duration[a, b])


def _freeze(obj: object, name: str, value: object) -> None:
    object.__setattr__(obj, name, value)


def _int_matrix(values: Any, name: str) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim != 2 or arr.shape[0] != arr.shape[1]:
        raise ProblemError(f"matrices.{name}", f"must be a square matrix, got shape {arr.shape}")
    if (arr.size and not np.issubdtype(arr.dtype, np.integer)
            and (not np.all(np.isfinite(arr)) or not np.all(arr == np.round(arr)))):
        raise ProblemError(f"matrices.{name}", "must hold whole numbers (m or s)")
    out = np.array(arr, dtype=np.int64)
    if out.size and (out.min() < 0 or out.max() > MAX_VALUE):
        raise ProblemError(f"matrices.{name}", f"values must lie in [0, {MAX_VALUE}]")
    out.setflags(write=False)
    return out


def ids(items: Iterable[Any]) -> list[str]:
    """The ``id`` of each item, in order."""
    return [x.id for x in items]
