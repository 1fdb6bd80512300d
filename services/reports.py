"""Manager's reports over stored plans, over a date range: cost per customer tonne / case / stop; vehicle use.

Each day counts its current plan (the confirmed version, else the latest), as
``GET /routes`` does. Costs are the routes' stored cost items (crew, loader,
vehicle, store fee: ``optimizer.costs``, computed when the plan was made).

Quantities are counted per stop, apart by kind:

* **customer deliveries** (``delivery`` stops): ``delivered_kg`` / ``delivered_cases``;
  cost per tonne and per case divide the route's whole cost by these only;
* **transfers** (``replenishment`` stops, centre to store): ``transfer_kg`` /
  ``transfer_cases``, reported apart and never in a denominator (they are stock
  moving between depots, not sales).

A stop with a recorded outcome (its current version, ``ledger.outcomes``)
counts what was delivered: its planned kg scaled by the delivered share of its
case weight (a refused stop counts 0). A stop without one counts what was
planned. Every figure says which: ``basis`` is ``planned``, ``delivered`` or,
for a route, day or total with some stops recorded and some not, ``mixed``.
Once outcomes exist the store fee (paid per tonne the store delivered) follows
the delivered tonnes; crew, vehicle and loader stay what the route cost as
planned (the route was driven and the load handled).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ledger.orm import StopOutcome
from models.errors import InputError
from models.orm import Product, Vehicle
from models.planning import Plan, PlanRoute, PlanStatus, PlanStop, StopKind
from optimizer.costs import CostRates, RouteCost, per_tonne

MAX_DAYS = 366
PLANNED, DELIVERED, MIXED = "planned", "delivered", "mixed"


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


# ------------------------------------------------------------------ costs
@dataclass(frozen=True)
class Figures:
    """Costs (fen) and quantities of some routes; added up field by field."""

    routes: int = 0
    crew_fen: int = 0
    loader_fen: int = 0
    vehicle_fen: int = 0
    store_fee_fen: int = 0
    distance_m: int = 0
    stops: int = 0
    stops_recorded: int = 0  # stops counted on their recorded outcome
    delivered_kg: int = 0  # customer deliveries, on the basis
    delivered_cases: int = 0
    customer_stops: int = 0
    planned_kg: int = 0  # customer deliveries as planned
    planned_cases: int = 0
    transfer_kg: int = 0  # centre-to-store transfers, on the basis
    transfer_cases: int = 0
    transfer_stops: int = 0

    def __add__(self, other: Figures) -> Figures:
        return Figures(**{f.name: getattr(self, f.name) + getattr(other, f.name) for f in fields(self)})

    @property
    def total_fen(self) -> int:
        return self.crew_fen + self.loader_fen + self.vehicle_fen + self.store_fee_fen

    @property
    def basis(self) -> str:
        if self.stops_recorded == 0:
            return PLANNED
        return DELIVERED if self.stops_recorded >= self.stops else MIXED

    def as_dict(self) -> dict[str, Any]:
        kg, total = self.delivered_kg, self.total_fen
        return {
            "routes": self.routes,
            "total_fen": total,
            "delivered_kg": kg,
            "delivered_cases": self.delivered_cases,
            "stops": self.stops,
            "distance_m": self.distance_m,
            "per_tonne_fen": None if kg == 0 else (total * 1000 + kg // 2) // kg,
            "per_case_fen": _ratio(total, self.delivered_cases),
            "per_stop_fen": _ratio(total, self.stops),
            "crew_fen": self.crew_fen,
            "loader_fen": self.loader_fen,
            "vehicle_fen": self.vehicle_fen,
            "store_fee_fen": self.store_fee_fen,
            "basis": self.basis,
            "stops_recorded": self.stops_recorded,
            "customer_stops": self.customer_stops,
            "planned_kg": self.planned_kg,
            "planned_cases": self.planned_cases,
            "transfer_kg": self.transfer_kg,
            "transfer_cases": self.transfer_cases,
            "transfer_stops": self.transfer_stops,
        }


def _ratio(total: int, n: int) -> int | None:
    return None if n == 0 else (total + n // 2) // n


def total(figures: Iterable[Figures]) -> Figures:
    return sum(figures, Figures())


def _stop_figures(stop: PlanStop, outcome: StopOutcome | None, weights: dict[str, int]) -> Figures:
    """One stop's quantities: planned, or delivered when its outcome is recorded."""
    kg, cases = stop.kg, stop.cases
    if outcome is not None:
        planned_w = sum(int(ln["cases"]) * weights.get(ln["product"], 0) for ln in stop.lines or [])
        got = {ln["product"]: int(ln["delivered_cases"]) for ln in outcome.lines}
        got_w = sum(n * weights.get(p, 0) for p, n in got.items())
        cases = sum(got.values())
        if cases == stop.cases:
            kg = stop.kg
        elif planned_w > 0:
            kg = (stop.kg * got_w + planned_w // 2) // planned_w
        else:
            kg = got_w
    rec = int(outcome is not None)
    if stop.kind == StopKind.REPLENISHMENT:
        return Figures(stops=1, stops_recorded=rec, transfer_kg=kg, transfer_cases=cases, transfer_stops=1)
    return Figures(
        stops=1,
        stops_recorded=rec,
        delivered_kg=kg,
        delivered_cases=cases,
        customer_stops=1,
        planned_kg=stop.kg,
        planned_cases=stop.cases,
    )


def _outcomes(session: Session, plan_ids: list[int]) -> dict[int, StopOutcome]:
    """The current (latest) outcome of every stop of these plans that has one, by stop id."""
    latest: dict[int, StopOutcome] = {}
    q = (
        select(StopOutcome)
        .join(PlanStop, PlanStop.id == StopOutcome.stop_id)
        .where(PlanStop.plan_id.in_(plan_ids))
    )
    for o in session.scalars(q):
        if o.stop_id not in latest or o.version > latest[o.stop_id].version:
            latest[o.stop_id] = o
    return latest


def _store_fee_rate(plan: Plan) -> int:
    rates = ((plan.problem or {}).get("context") or {}).get("rates") or {}
    return int(rates.get("store_fee_fen_per_tonne", CostRates().store_fee_fen_per_tonne))


def route_figures(session: Session, plans: list[Plan]) -> list[tuple[PlanRoute, Figures]]:
    """Every route of these plans with its costs and its quantities (see the module docstring)."""
    routes, _ = _routes(session, plans)
    if not routes:
        return []
    plan_ids = [p.id for p in plans]
    weights = {code: kg for code, kg in session.execute(select(Product.code, Product.case_weight_kg))}
    outcomes = _outcomes(session, plan_ids)
    per_route: dict[int, Figures] = defaultdict(Figures)
    for st in session.scalars(select(PlanStop).where(PlanStop.plan_id.in_(plan_ids))):
        per_route[st.route_id] = per_route[st.route_id] + _stop_figures(st, outcomes.get(st.id), weights)
    out = []
    for r in routes:
        q = per_route[r.id]
        c = route_cost(r, q.stops)
        store_fee = c.store_fee_fen
        if q.stops_recorded and c.depot_kind == "store" and r.costs:
            store_fee = per_tonne(_store_fee_rate(r.plan), q.delivered_kg + q.transfer_kg)
        cost = Figures(
            routes=1,
            crew_fen=c.crew_fen,
            loader_fen=c.loader_fen,
            vehicle_fen=c.vehicle_fen,
            store_fee_fen=store_fee,
            distance_m=c.distance_m,
        )
        out.append((r, cost + q))
    return out


def cost_report(session: Session, first: dt.date, last: dt.date) -> dict[str, Any]:
    """Cost per customer tonne, case and stop, with transfers apart: overall, centre against stores,
    per depot, per day (and depot) and per route."""
    check_range(first, last)
    plans = current_plans(session, first, last)
    figs = route_figures(session, plans)
    kinds = {r.depot.code: r.depot.kind.value for r, _ in figs}
    by_depot: dict[str, list[Figures]] = defaultdict(list)
    by_day: dict[dt.date, dict[str, list[Figures]]] = defaultdict(lambda: defaultdict(list))
    for r, f in figs:
        by_depot[r.depot.code].append(f)
        by_day[r.plan.delivery_date][r.depot.code].append(f)
    everything = total(f for _, f in figs)
    return {
        "date_from": first,
        "date_to": last,
        "plans": _plans(plans),
        "basis": everything.basis,
        "total": everything.as_dict(),
        "centre": total(f for r, f in figs if r.depot.kind.value == "centre").as_dict(),
        "stores": total(f for r, f in figs if r.depot.kind.value == "store").as_dict(),
        "depots": [
            {"depot": code, "kind": kinds[code], **total(fs).as_dict()}
            for code, fs in sorted(by_depot.items())
        ],
        "days": [
            {
                **day,
                **total(f for fs in by_day[day["date"]].values() for f in fs).as_dict(),
                "depots": [
                    {"depot": code, "kind": kinds[code], **total(fs).as_dict()}
                    for code, fs in sorted(by_day[day["date"]].items())
                ],
            }
            for day in _plans(plans)
        ],
        "routes": [
            {
                "date": r.plan.delivery_date,
                "route": r.code,
                "vehicle": r.vehicle.plate,
                "depot": r.depot.code,
                "depot_kind": r.depot.kind.value,
                **f.as_dict(),
            }
            for r, f in figs
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
