"""The JSON contract: problems and solutions to and from plain JSON values.

Documented field by field in ``docs/optimizer-contract.md``.  Plan jobs run on
workers that receive only the problem JSON, so the round trips
``problem_from_json(problem_to_json(p))`` and
``solution_from_json(solution_to_json(s))`` keep every field.

Unknown fields are rejected (a typo such as ``"capcity"`` would otherwise be
silently ignored); errors are :class:`~optimizer.errors.ContractError` naming
the field and the user id.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from optimizer.errors import ContractError, ProblemError
from optimizer.problem import Depot, Location, Matrix, RoutingProblem, Stop, TimeWindow, Vehicle
from optimizer.solution import Route, Solution, SolveStats, Unassigned, Visit

VERSION = 1

_PROBLEM_KEYS = {"version", "name", "dimensions", "locations", "matrices", "depots", "vehicles",
                 "stops", "meta"}
_LOCATION_KEYS = {"id", "lat", "lon"}
_DEPOT_KEYS = {"id", "location", "min_order_cases"}
_VEHICLE_KEYS = {"id", "start_depot", "end_depot", "capacity", "shift", "max_duration",
                 "max_distance", "fixed_cost", "cost_per_km", "cost_per_hour", "cost_per_tonne", "profile",
                 "areas"}
_STOP_KEYS = {"id", "location", "demand", "service_fixed", "service_per_case", "time_windows",
              "required", "penalty", "allowed_vehicles", "priority", "area", "waive_minimum"}


# ------------------------------------------------------------------ problem
def problem_to_json(p: RoutingProblem) -> dict[str, Any]:
    """A JSON-ready dict of ``p`` (matrices as nested lists of int)."""
    return {
        "version": VERSION,
        "name": p.name,
        "dimensions": list(p.dimensions),
        "locations": [_drop_none({"id": x.id, "lat": x.lat, "lon": x.lon}) for x in p.locations],
        "matrices": {
            name: {"distance": m.distance.tolist(), "duration": m.duration.tolist()}
            for name, m in p.matrices.items()
        },
        "depots": [{"id": d.id, "location": d.location, "min_order_cases": d.min_order_cases}
                   for d in p.depots],
        "vehicles": [_vehicle_to_json(v) for v in p.vehicles],
        "stops": [_stop_to_json(s) for s in p.stops],
        "meta": dict(p.meta),
    }


def _vehicle_to_json(v: Vehicle) -> dict[str, Any]:
    return {
        "id": v.id,
        "start_depot": v.start_depot,
        "end_depot": v.end,
        "capacity": list(v.capacity),
        "shift": [v.shift.start, v.shift.end],
        "max_duration": v.max_duration,
        "max_distance": v.max_distance,
        "fixed_cost": v.fixed_cost,
        "cost_per_km": v.cost_per_km,
        "cost_per_hour": v.cost_per_hour,
        "cost_per_tonne": v.cost_per_tonne,
        "profile": v.profile,
        "areas": None if v.areas is None else sorted(v.areas),
    }


def _stop_to_json(s: Stop) -> dict[str, Any]:
    return {
        "id": s.id,
        "location": s.location,
        "demand": list(s.demand),
        "service_fixed": s.service_fixed,
        "service_per_case": s.service_per_case,
        "time_windows": [[w.start, w.end] for w in s.time_windows],
        "required": s.required,
        "penalty": s.penalty,
        "allowed_vehicles": None if s.allowed_vehicles is None else sorted(s.allowed_vehicles),
        "priority": s.priority,
        "area": s.area,
        "waive_minimum": s.waive_minimum,
    }


def problem_from_json(data: Any) -> RoutingProblem:
    """Build and validate a :class:`RoutingProblem` from parsed JSON.

    Raises
    ------
    ContractError
        Missing or unknown fields, wrong shapes; or any validation error of
        the problem (re-raised as a ``ContractError`` with the same field and id).
    """
    obj = _object(data, "problem", _PROBLEM_KEYS, {"locations", "matrices", "depots", "vehicles",
                                                   "stops"})
    try:
        locations = tuple(_location(x) for x in _list(obj["locations"], "locations"))
        matrices = {
            str(name): _matrix(m, name) for name, m in _object_any(obj["matrices"], "matrices").items()
        }
        problem = RoutingProblem(
            locations=locations,
            depots=tuple(_depot(x) for x in _list(obj["depots"], "depots")),
            vehicles=tuple(_vehicle(x) for x in _list(obj["vehicles"], "vehicles")),
            stops=tuple(_stop(x) for x in _list(obj["stops"], "stops")),
            matrices=matrices,
            dimensions=tuple(_list(obj.get("dimensions", ["kg", "cases"]), "dimensions")),
            name=str(obj.get("name", "")),
            meta=_object_any(obj.get("meta", {}), "meta"),
        )
    except ContractError:
        raise
    except ProblemError as exc:
        raise ContractError(exc.field, exc.detail, exc.id) from None
    except (TypeError, ValueError) as exc:
        raise ContractError("problem", str(exc)) from None
    return problem


def _location(x: Any) -> Location:
    o = _object(x, "locations", _LOCATION_KEYS, {"id"})
    return Location(id=o["id"], lat=o.get("lat"), lon=o.get("lon"))


def _matrix(m: Any, name: str) -> Matrix:
    o = _object(m, "matrices", {"distance", "duration"}, {"distance", "duration"}, owner=str(name))
    try:
        return Matrix(distance=o["distance"], duration=o["duration"])
    except ProblemError as exc:
        raise ContractError(exc.field, exc.detail, str(name)) from None
    except (TypeError, ValueError) as exc:
        raise ContractError("matrices", f"must be square lists of integers ({exc})", str(name)) from None


def _depot(x: Any) -> Depot:
    o = _object(x, "depots", _DEPOT_KEYS, {"id", "location"})
    return Depot(**o)


def _vehicle(x: Any) -> Vehicle:
    o = _object(x, "vehicles", _VEHICLE_KEYS, {"id", "start_depot", "capacity"})
    if "shift" in o:
        o["shift"] = _window(o["shift"], "vehicles.shift", o["id"])
    o["capacity"] = tuple(_list(o["capacity"], "vehicles.capacity", o["id"]))
    if o.get("areas") is not None:
        o["areas"] = frozenset(_list(o["areas"], "vehicles.areas", o["id"]))
    return Vehicle(**o)


def _stop(x: Any) -> Stop:
    o = _object(x, "stops", _STOP_KEYS, {"id", "location", "demand"})
    sid = o["id"]
    o["demand"] = tuple(_list(o["demand"], "stops.demand", sid))
    o["time_windows"] = tuple(_window(w, "stops.time_windows", sid)
                              for w in _list(o.get("time_windows", []), "stops.time_windows", sid))
    if o.get("allowed_vehicles") is not None:
        o["allowed_vehicles"] = frozenset(_list(o["allowed_vehicles"], "stops.allowed_vehicles", sid))
    return Stop(**o)


def _window(w: Any, field: str, owner: str | None) -> TimeWindow:
    if not isinstance(w, list | tuple) or len(w) != 2:
        raise ContractError(field, f"a window is [start, end] in seconds since midnight, got {w!r}",
                            owner)
    return TimeWindow(w[0], w[1])


# ----------------------------------------------------------------- solution
def solution_to_json(s: Solution) -> dict[str, Any]:
    """A JSON-ready dict of a solution."""
    return {
        "version": VERSION,
        "status": s.stats.status,
        "summary": {
            "cost": s.cost,
            "objective": s.objective,
            "distance": s.distance,
            "duration": s.duration,
            "routes": len(s.routes),
            "unassigned": len(s.unassigned),
        },
        "routes": [_route_to_json(r) for r in s.routes],
        "unassigned": [{"stop_id": u.stop_id, "code": u.code, "reason": u.reason} for u in s.unassigned],
        "stats": {
            "status": s.stats.status,
            "solver_status": s.stats.solver_status,
            "wall_time": round(s.stats.wall_time, 3),
            "first_solution_time": None if s.stats.first_solution_time is None
            else round(s.stats.first_solution_time, 3),
            "first_solution_strategy": s.stats.first_solution_strategy,
            "metaheuristic": s.stats.metaheuristic,
            "workers": s.stats.workers,
            "solutions": s.stats.solutions,
        },
    }


def _route_to_json(r: Route) -> dict[str, Any]:
    return {
        "vehicle_id": r.vehicle_id,
        "start_depot": r.start_depot,
        "end_depot": r.end_depot,
        "start": r.start,
        "end": r.end,
        "duration": r.duration,
        "load": list(r.load),
        "distance": r.distance,
        "travel_time": r.travel_time,
        "service_time": r.service_time,
        "wait_time": r.wait_time,
        "cost": r.cost,
        "visits": [
            {"stop_id": v.stop_id, "arrival": v.arrival, "wait": v.wait, "start": v.start,
             "departure": v.departure, "load_after": list(v.load_after), "distance": v.distance}
            for v in r.visits
        ],
    }


def solution_from_json(data: Any) -> Solution:
    """Read a solution written by :func:`solution_to_json` (or by hand, same shape).

    Raises
    ------
    ContractError
        For missing fields or wrong types.
    """
    try:
        obj = _object_any(data, "solution")
        summary = _object_any(obj.get("summary", {}), "summary")
        routes = tuple(_route(r) for r in _list(obj.get("routes", []), "routes"))
        stats = _object_any(obj.get("stats", {}), "stats")
        return Solution(
            routes=routes,
            unassigned=tuple(Unassigned(u["stop_id"], u.get("code", ""), u.get("reason", ""))
                             for u in _list(obj.get("unassigned", []), "unassigned")),
            cost=int(summary.get("cost", sum(r.cost for r in routes))),
            objective=int(summary.get("objective", 0)),
            distance=int(summary.get("distance", sum(r.distance for r in routes))),
            duration=int(summary.get("duration", sum(r.duration for r in routes))),
            stats=SolveStats(
                status=str(stats.get("status", obj.get("status", "feasible"))),
                solver_status=str(stats.get("solver_status", "")),
                wall_time=float(stats.get("wall_time", 0.0)),
                first_solution_time=stats.get("first_solution_time"),
                first_solution_strategy=str(stats.get("first_solution_strategy", "")),
                metaheuristic=str(stats.get("metaheuristic", "")),
                workers=int(stats.get("workers", 1)),
                solutions=int(stats.get("solutions", 0)),
            ),
        )
    except ContractError:
        raise
    except (KeyError, TypeError, ValueError) as exc:
        raise ContractError("solution", f"malformed solution ({type(exc).__name__}: {exc})") from None


def _route(r: Any) -> Route:
    o = _object_any(r, "routes")
    plate = o.get("vehicle_id")
    visits = tuple(
        Visit(stop_id=v["stop_id"], arrival=int(v["arrival"]), wait=int(v["wait"]),
              start=int(v["start"]), departure=int(v["departure"]),
              load_after=tuple(int(x) for x in v["load_after"]), distance=int(v.get("distance", 0)))
        for v in _list(o.get("visits", []), "routes.visits", plate)
    )
    return Route(
        vehicle_id=str(plate), start_depot=str(o["start_depot"]), end_depot=str(o["end_depot"]),
        visits=visits, start=int(o["start"]), end=int(o["end"]),
        load=tuple(int(x) for x in o["load"]), distance=int(o["distance"]),
        travel_time=int(o["travel_time"]), service_time=int(o["service_time"]),
        wait_time=int(o["wait_time"]), cost=int(o["cost"]),
    )


def plan_from_json(data: Any) -> dict[str, list[str]]:
    """A plan: either ``{plate: [stop ids]}`` or a solution document (its routes' stop order)."""
    obj = _object_any(data, "plan")
    if "routes" in obj:
        return {str(r["vehicle_id"]): [str(v["stop_id"]) for v in r.get("visits", [])]
                for r in _list(obj["routes"], "routes")}
    return {str(k): [str(x) for x in _list(v, "plan", str(k))] for k, v in obj.items()}


# ------------------------------------------------------------------- files
def load_json(path: str | Path) -> Any:
    """Parse a JSON file (UTF-8); a syntax error becomes a ContractError."""
    try:
        return json.loads(Path(path).read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ContractError(str(path), f"not valid JSON: {exc}") from None


def dump_json(obj: Any, path: str | Path) -> None:
    """Write JSON (UTF-8, Chinese kept readable)."""
    Path(path).write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


# ------------------------------------------------------------------ helpers
def _object(x: Any, field: str, allowed: set[str], required: set[str],
            owner: str | None = None) -> dict[str, Any]:
    o = _object_any(x, field, owner)
    owner = owner if owner is not None else (o.get("id") if isinstance(o.get("id"), str) else None)
    for k in o:
        if k not in allowed:
            raise ContractError(field, f"unknown field {k!r}", owner)
    for k in sorted(required):
        if k not in o:
            raise ContractError(f"{field}.{k}", "is missing", owner)
    return dict(o)


def _object_any(x: Any, field: str, owner: str | None = None) -> dict[str, Any]:
    if not isinstance(x, Mapping):
        raise ContractError(field, f"must be a JSON object, got {type(x).__name__}", owner)
    return dict(x)


def _list(x: Any, field: str, owner: str | None = None) -> list[Any]:
    if not isinstance(x, list | tuple):
        raise ContractError(field, f"must be a JSON array, got {type(x).__name__}", owner)
    return list(x)


def _drop_none(d: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in d.items() if v is not None}
