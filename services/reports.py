"""Manager's reports over stored plans: cost per tonne / case / stop and vehicle use, over a date range.

Each day counts its current plan (the confirmed version, else the latest), as
``GET /routes`` does. Costs are the routes' stored cost items (crew, loader,
vehicle, store fee: ``optimizer.costs``, computed when the plan was made),
added up with :func:`optimizer.costs.summarise`, so the figures agree with the
plan summary to the fen. Quantities are the planned loads, not what was
delivered (that is the reconciliation's business).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.errors import InputError
from models.orm import Vehicle
from models.planning import Plan, PlanRoute, PlanStatus, PlanStop
from optimizer.costs import RouteCost, summarise

MAX_DAYS = 366


def check_range(first: dt.date, last: dt.date) -> None:
    if last < first:
        raise InputError.single("to", f"is before from ({first.isoformat()})", value=last.isoformat())
    if (last - first).days >= MAX_DAYS:
        raise InputError.single("to", f"a report covers at most {MAX_DAYS} days", value=last.isoformat())


def current_plans(session: Session, first: dt.date, last: dt.date) -> list[Plan]:
    """Per day of [first, last]: its confirmed plan, else its latest version; by day."""
    by_day: dict[dt.date, list[Plan]] = defaultdict(list)
    for p in session.scalars(select(Plan).where(Plan.delivery_date >= first, Plan.delivery_date <= last)):
        by_day[p.delivery_date].append(p)
    out = []
    for day in sorted(by_day):
        plans = by_day[day]
        confirmed = [p for p in plans if p.status == PlanStatus.CONFIRMED]
        out.append(confirmed[0] if confirmed else max(plans, key=lambda p: p.version))
    return out


def _routes(session: Session, plans: list[Plan]) -> tuple[list[PlanRoute], dict[int, int]]:
    ids = [p.id for p in plans]
    if not ids:
        return [], {}
    routes = list(
        session.scalars(
            select(PlanRoute)
            .options(
                selectinload(PlanRoute.vehicle), selectinload(PlanRoute.depot), selectinload(PlanRoute.plan)
            )
            .where(PlanRoute.plan_id.in_(ids))
            .order_by(PlanRoute.code)
        )
    )
    stops = dict(
        session.execute(
            select(PlanStop.route_id, func.count())
            .where(PlanStop.plan_id.in_(ids))
            .group_by(PlanStop.route_id)
        ).all()
    )
    return routes, stops


def route_cost(r: PlanRoute, stops: int) -> RouteCost:
    """The route's stored cost items (a route stored without them: its total as vehicle cost)."""
    c: dict[str, Any] = r.costs or {}
    kind = str(c.get("depot_kind") or r.depot.kind.value)
    if not c:
        c = {"vehicle_fen": r.cost_fen}
    return RouteCost(
        route=r.code,
        depot_kind=kind,
        crew_fen=int(c.get("crew_fen", 0)),
        loader_fen=int(c.get("loader_fen", 0)),
        vehicle_fen=int(c.get("vehicle_fen", 0)),
        store_fee_fen=int(c.get("store_fee_fen", 0)),
        delivered_kg=int(c.get("delivered_kg", r.load_kg)),
        delivered_cases=int(c.get("delivered_cases", r.load_cases)),
        stops=int(c.get("stops", stops)),
        distance_m=int(c.get("distance_m", r.distance_m)),
    )


def _plans(plans: list[Plan]) -> list[dict[str, Any]]:
    return [
        {"date": p.delivery_date, "plan_id": p.id, "version": p.version, "status": p.status} for p in plans
    ]


def cost_report(session: Session, first: dt.date, last: dt.date) -> dict[str, Any]:
    """Cost per tonne, case and stop: overall, centre against stores, per depot and per route."""
    check_range(first, last)
    plans = current_plans(session, first, last)
    routes, stops = _routes(session, plans)
    costs = [(r, route_cost(r, stops.get(r.id, 0))) for r in routes]
    by_depot: dict[str, list[RouteCost]] = defaultdict(list)
    for r, c in costs:
        by_depot[r.depot.code].append(c)
    depots = {r.depot.code: r.depot.kind.value for r, _ in costs}
    return {
        "date_from": first,
        "date_to": last,
        "plans": _plans(plans),
        "total": summarise(c for _, c in costs).as_dict(),
        "centre": summarise(c for _, c in costs if c.depot_kind == "centre").as_dict(),
        "stores": summarise(c for _, c in costs if c.depot_kind == "store").as_dict(),
        "depots": [
            {"depot": code, "kind": depots[code], **summarise(cs).as_dict()}
            for code, cs in sorted(by_depot.items())
        ],
        "routes": [
            {
                "date": r.plan.delivery_date,
                "vehicle": r.vehicle.plate,
                "depot": r.depot.code,
                **c.as_dict(),
                **{k: v for k, v in summarise([c]).as_dict().items() if k.startswith("per_")},
            }
            for r, c in costs
        ],
    }


def _pct(part: int, whole: int) -> float | None:
    return None if whole <= 0 else round(100 * part / whole, 1)


def utilisation_report(session: Session, first: dt.date, last: dt.date) -> dict[str, Any]:
    """Per vehicle: days used, routes, km, load against capacity, hours against shift."""
    check_range(first, last)
    plans = current_plans(session, first, last)
    routes, _ = _routes(session, plans)
    per: dict[int, list[PlanRoute]] = defaultdict(list)
    for r in routes:
        per[r.vehicle_id].append(r)
    rows: list[dict[str, Any]] = []
    for v in session.scalars(
        select(Vehicle).options(selectinload(Vehicle.home_depot)).order_by(Vehicle.plate)
    ):
        rs = per.get(v.id, [])
        days = len({r.plan.delivery_date for r in rs})
        shift = v.shift_end_s - v.shift_start_s
        load_kg, load_cases = sum(r.load_kg for r in rs), sum(r.load_cases for r in rs)
        duration = sum(r.duration_s for r in rs)
        rows.append(
            {
                "vehicle": v.plate,
                "kind": v.kind,
                "status": v.status,
                "home_depot": v.home_depot.code,
                "capacity_kg": v.capacity_kg,
                "capacity_cases": v.capacity_cases,
                "shift_s": shift,
                "days_used": days,
                "days_pct": _pct(days, len(plans)),
                "routes": len(rs),
                "distance_m": sum(r.distance_m for r in rs),
                "load_kg": load_kg,
                "load_pct": _pct(load_kg, v.capacity_kg * len(rs)),
                "load_cases": load_cases,
                "cases_pct": _pct(load_cases, v.capacity_cases * len(rs)),
                "duration_s": duration,
                "shift_pct": _pct(duration, shift * days),
            }
        )
    used = [x for x in rows if x["routes"]]
    capacity = sum(x["capacity_kg"] * x["routes"] for x in used)
    shift_total = sum(x["shift_s"] * x["days_used"] for x in used)
    fleet = {
        "vehicles": len(rows),
        "used": len(used),
        "routes": sum(x["routes"] for x in used),
        "distance_m": sum(x["distance_m"] for x in used),
        "load_kg": sum(x["load_kg"] for x in used),
        "load_pct": _pct(sum(x["load_kg"] for x in used), capacity),
        "duration_s": sum(x["duration_s"] for x in used),
        "shift_pct": _pct(sum(x["duration_s"] for x in used), shift_total),
    }
    return {
        "date_from": first,
        "date_to": last,
        "days": (last - first).days + 1,
        "days_planned": len(plans),
        "plans": _plans(plans),
        "vehicles": rows,
        "fleet": fleet,
    }
