"""Validation of a :class:`~optimizer.problem.RoutingProblem`, run once at construction.

Each check raises :class:`~optimizer.errors.ProblemError` naming the field and
the user id of the object that holds it.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from optimizer.errors import ProblemError

if TYPE_CHECKING:
    from optimizer.problem import Depot, RoutingProblem, Stop, TimeWindow, Vehicle

_TIME_MAX = 31 * 86_400  # a plan spans at most a month of seconds
_PRIORITY_MAX = 100


def validate_problem(p: RoutingProblem) -> None:
    """Raise :class:`ProblemError` for the first invalid field of ``p``."""
    from optimizer.problem import MAX_VALUE

    _check_dimensions(p.dimensions)
    _unique("locations.id", (loc.id for loc in p.locations))
    for loc in p.locations:
        _check_id("locations.id", loc.id)
        if loc.lat is not None and not -90 <= loc.lat <= 90:
            raise ProblemError("locations.lat", f"{loc.lat} is not a latitude", loc.id)
        if loc.lon is not None and not -180 <= loc.lon <= 180:
            raise ProblemError("locations.lon", f"{loc.lon} is not a longitude", loc.id)
    n_loc = len(p.locations)
    if not p.matrices:
        raise ProblemError("matrices", "at least one profile's matrices are needed")
    for profile, m in p.matrices.items():
        for name in ("distance", "duration"):
            shape = getattr(m, name).shape
            if shape != (n_loc, n_loc):
                raise ProblemError(
                    f"matrices.{name}",
                    f"is {shape[0]}x{shape[1]} but there are {n_loc} locations",
                    profile,
                )
    if not p.depots:
        raise ProblemError("depots", "at least one depot is needed")
    _unique("depots.id", (d.id for d in p.depots))
    for d in p.depots:
        _check_depot(d, n_loc)
    _unique("vehicles.id", (v.id for v in p.vehicles))
    depots = {d.id for d in p.depots}
    for v in p.vehicles:
        _check_vehicle(v, p, depots, MAX_VALUE)
    _unique("stops.id", (s.id for s in p.stops))
    plates = {v.id for v in p.vehicles}
    for s in p.stops:
        _check_stop(s, p, n_loc, plates, MAX_VALUE)


def _check_dimensions(dims: tuple[str, ...]) -> None:
    if not dims:
        raise ProblemError("dimensions", "at least one capacity dimension is needed (e.g. kg)")
    for d in dims:
        if not isinstance(d, str) or not d:
            raise ProblemError("dimensions", f"{d!r} is not a dimension name")
    _unique("dimensions", dims)


def _check_depot(d: Depot, n_loc: int) -> None:
    _check_id("depots.id", d.id)
    _location("depots.location", d.location, n_loc, d.id)
    _nonneg("depots.min_order_cases", d.min_order_cases, d.id, 10**6)


def _check_vehicle(v: Vehicle, p: RoutingProblem, depots: set[str], big: int) -> None:
    _check_id("vehicles.id", v.id)
    for name in ("start_depot", "end_depot"):
        ref = getattr(v, name)
        if ref not in depots:
            raise ProblemError(f"vehicles.{name}", f"unknown depot {ref!r}", v.id)
    _vector("vehicles.capacity", v.capacity, len(p.dimensions), v.id, big)
    _window("vehicles.shift", v.shift, v.id)
    if v.max_duration is not None:
        _nonneg("vehicles.max_duration", v.max_duration, v.id, _TIME_MAX)
    if v.max_distance is not None:
        _nonneg("vehicles.max_distance", v.max_distance, v.id, big)
    for name in ("fixed_cost", "cost_per_km", "cost_per_hour", "cost_per_tonne"):
        _nonneg(f"vehicles.{name}", getattr(v, name), v.id, 10**9)
    if v.profile not in p.matrices:
        known = ", ".join(sorted(p.matrices))
        raise ProblemError("vehicles.profile", f"no matrices for {v.profile!r} (have {known})", v.id)
    if v.areas is not None:
        for a in v.areas:
            if not isinstance(a, str) or not a:
                raise ProblemError("vehicles.areas", f"{a!r} is not an area name", v.id)


def _check_stop(s: Stop, p: RoutingProblem, n_loc: int, plates: set[str], big: int) -> None:
    _check_id("stops.id", s.id)
    _location("stops.location", s.location, n_loc, s.id)
    _vector("stops.demand", s.demand, len(p.dimensions), s.id, big)
    _nonneg("stops.service_fixed", s.service_fixed, s.id, _TIME_MAX)
    _nonneg("stops.service_per_case", s.service_per_case, s.id, _TIME_MAX)
    if p.service_time(s) > _TIME_MAX:
        raise ProblemError("stops.service_per_case", "service time exceeds a week", s.id)
    previous_end = -1
    for k, w in enumerate(s.time_windows):
        _window(f"stops.time_windows[{k}]", w, s.id)
        if w.start <= previous_end:
            raise ProblemError(
                f"stops.time_windows[{k}]",
                "windows must be sorted and must not overlap",
                s.id,
            )
        previous_end = w.end
    if not isinstance(s.required, bool):
        raise ProblemError("stops.required", f"must be true or false, got {s.required!r}", s.id)
    _nonneg("stops.penalty", s.penalty, s.id, 10**10)
    _nonneg("stops.priority", s.priority, s.id, _PRIORITY_MAX)
    if s.allowed_vehicles is not None:
        for plate in sorted(s.allowed_vehicles):
            if plate not in plates:
                raise ProblemError("stops.allowed_vehicles", f"unknown vehicle {plate!r}", s.id)
    if s.area is not None and (not isinstance(s.area, str) or not s.area):
        raise ProblemError("stops.area", f"{s.area!r} is not an area name", s.id)


# ------------------------------------------------------------------ helpers
def _check_id(field: str, value: Any) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ProblemError(field, f"ids must be non-empty strings, got {value!r}")


def _unique(field: str, values: Iterable[str]) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ProblemError(field, "appears more than once", v)
        seen.add(v)


def _int(field: str, value: Any, owner: str | None) -> int:
    if isinstance(value, bool):
        raise ProblemError(field, f"must be an integer, got {value!r}", owner)
    try:
        return operator.index(value)
    except TypeError:
        raise ProblemError(field, f"must be an integer, got {value!r}", owner) from None


def _nonneg(field: str, value: Any, owner: str | None, upper: int) -> None:
    v = _int(field, value, owner)
    if not 0 <= v <= upper:
        raise ProblemError(field, f"must lie in [0, {upper:,}], got {v:,}", owner)


def _location(field: str, value: Any, n_loc: int, owner: str) -> None:
    v = _int(field, value, owner)
    if not 0 <= v < n_loc:
        raise ProblemError(field, f"{v} is not one of the {n_loc} locations", owner)


def _vector(field: str, values: tuple[int, ...], size: int, owner: str, upper: int) -> None:
    if len(values) != size:
        raise ProblemError(field, f"needs {size} values (one per dimension), got {len(values)}", owner)
    for x in values:
        _nonneg(field, x, owner, upper)


def _window(field: str, w: TimeWindow, owner: str) -> None:
    start = _int(f"{field}.start", w.start, owner)
    end = _int(f"{field}.end", w.end, owner)
    if not 0 <= start <= end <= _TIME_MAX:
        raise ProblemError(field, f"[{start}, {end}] is not a window of seconds since midnight", owner)
