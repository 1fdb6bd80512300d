"""Store a solved day as a numbered plan version (the "store" half of planning).

The solution is checked by the independent checker first; the plan records
its verdict. Every dispatch order of the day ends up in exactly one of:
planned (a stop), held (with its reason), unassigned (with its reason).
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.enums import OrderStatus
from models.lifecycle import note, transition
from models.orm import Product
from models.planning import (
    DispatchOrder,
    DispatchStatus,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    PlanUnassigned,
    StopKind,
)
from optimizer.check import check_solution
from optimizer.contract import problem_from_json, solution_from_json
from optimizer.costs import CostRates, RouteFacts, per_km, per_tonne, route_cost, summarise
from optimizer.problem import RoutingProblem, Stop
from optimizer.solution import Solution
from services.day_orders import sources_of


def store_solution(
    session: Session,
    prepared: dict[str, Any],
    solution_json: dict[str, Any],
    *,
    actor: str = "system",
    based_on: int | None = None,
) -> dict[str, Any]:
    """Persist ``solution_json`` for ``prepared`` as a new draft plan version; return the summary."""
    day = dt.date.fromisoformat(prepared["date"])
    ctx = prepared["context"]
    problem = problem_from_json(prepared["problem"])
    solution = solution_from_json(solution_json)
    report = check_solution(problem, solution)
    rates = CostRates(**ctx["rates"])
    version = (session.scalar(select(func.max(Plan.version)).where(Plan.delivery_date == day)) or 0) + 1
    for old in session.scalars(
        select(Plan).where(Plan.delivery_date == day, Plan.status == PlanStatus.DRAFT)
    ):
        old.status = PlanStatus.SUPERSEDED
    fleet = prepared.get("fleet", "today")
    plan = Plan(
        delivery_date=day,
        version=version,
        status=PlanStatus.DRAFT,
        fleet=fleet if isinstance(fleet, str) else "custom",
        created_by=actor,
        based_on_id=based_on,
        feasible=report.feasible,
        violations=[v.__dict__ for v in report.violations],
        approximate=bool(ctx["matrices"].get("approximate")),
        network_version=ctx["matrices"].get("network_version"),
        solver={
            "status": solution.stats.status,
            "solver_status": solution.stats.solver_status,
            "wall_s": round(solution.stats.wall_time, 3),
            "first_solution_s": solution.stats.first_solution_time,
            "strategy": solution.stats.first_solution_strategy,
            "metaheuristic": solution.stats.metaheuristic,
            "objective": solution.objective,
            "checker_cost_fen": report.cost,
        },
        problem={k: prepared[k] for k in ("date", "fleet", "problem", "context") if k in prepared},
    )
    session.add(plan)
    session.flush()
    products = {p.code: p for p in session.scalars(select(Product))}
    orders = {
        d.id: d for d in session.scalars(select(DispatchOrder).where(DispatchOrder.delivery_date == day))
    }
    route_costs = []
    planned_ids: set[int] = set()
    n = 0
    for r in solution.routes:
        if not r.visits:
            continue
        n += 1
        v = ctx["vehicles"][r.vehicle_id]
        delivered_kg = sum(problem.stop(x.stop_id).demand[0] for x in r.visits)
        delivered_cases = sum(problem.stop(x.stop_id).demand[1] for x in r.visits)
        cost = route_cost(
            RouteFacts(
                route=f"R{n:02d}",
                depot_kind=v["depot_kind"],
                distance_m=r.distance,
                delivered_kg=delivered_kg,
                delivered_cases=delivered_cases,
                stops=len(r.visits),
                cost_per_km_fen=v["cost_per_km_fen"],
                fixed_cost_fen=v["fixed_cost_fen"],
                needs_loader=v["needs_loader"],
                crew_monthly_wages_fen=v["crew_monthly_wages_fen"],
            ),
            rates,
        )
        route_costs.append(cost)
        route = PlanRoute(
            plan_id=plan.id,
            number=n,
            code=f"{day:%Y%m%d}-V{version}-R{n:02d}",
            vehicle_id=v["vehicle_id"],
            depot_id=v["depot_id"],
            driver_id=v["driver_id"],
            loader_id=v["loader_id"],
            start_s=r.start,
            end_s=r.end,
            distance_m=r.distance,
            duration_s=r.end - r.start,
            load_kg=delivered_kg,
            load_cases=delivered_cases,
            cost_fen=cost.total_fen,
            costs=cost.as_dict(),
        )
        session.add(route)
        session.flush()
        for seq, x in enumerate(r.visits, start=1):
            s = problem.stop(x.stop_id)
            sc = ctx["stops"][x.stop_id]
            stop = PlanStop(
                code=f"{route.code}-{seq:02d}",
                route_id=route.id,
                plan_id=plan.id,
                seq=seq,
                kind=StopKind(sc["kind"]),
                arrival_s=x.arrival,
                wait_s=x.wait,
                service_start_s=x.start,
                departure_s=x.departure,
                load_kg_after=x.load_after[0],
                load_cases_after=x.load_after[1],
                kg=s.demand[0],
                cases=s.demand[1],
            )
            if sc["kind"] == "delivery":
                d = orders[sc["dispatch_order_id"]]
                stop.dispatch_order_id = d.id
                stop.lines = [
                    {
                        "product": next(p.code for p in products.values() if p.id == ln.product_id),
                        "cases": ln.cases,
                        "ordered_cases": ln.ordered_cases,
                        "price_fen": ln.price_fen,
                    }
                    for ln in d.lines
                    if ln.cases > 0
                ]
                planned_ids.add(d.id)
                mark_planned(session, d, route.code, seq, actor)
            else:
                stop.target_depot_id = sc["depot_id"]
                stop.lines = [  # a transfer to a store, not a sale: no price
                    {"product": code, "cases": cases, "ordered_cases": cases, "price_fen": 0}
                    for code, cases in sorted(sc["lines"].items())
                ]
            session.add(stop)
    session.flush()
    _alternatives(session, plan, problem, solution, ctx, rates)
    unassigned: list[dict[str, Any]] = []
    for u in solution.unassigned:
        sc = ctx["stops"][u.stop_id]
        if sc["kind"] != "delivery":
            unassigned.append({"stop": u.stop_id, "reason": u.reason, "kind": "replenishment"})
            continue
        unassigned.append({"order": u.stop_id, "reason": u.reason, "code": u.code})
    for nv in ctx.get("no_vehicle", []):
        unassigned.append({"order": nv["order"], "reason": nv["reason"], "code": "no_vehicle"})
    order_unassigned = [u for u in unassigned if "order" in u]
    by_number = {d.number: d for d in orders.values()}
    for item in order_unassigned:
        d = by_number[item["order"]]
        session.add(
            PlanUnassigned(plan_id=plan.id, dispatch_order_id=d.id, reason=item["reason"], code=item["code"])
        )
        mark_unassigned(session, d, item["reason"], actor)
        item["days_waiting"] = (day - d.due_since).days
        item["carried_to"] = (day + dt.timedelta(days=1)).isoformat()
    held = [
        {"order": d.number, "reason": d.hold_reason or "held", "days_waiting": (day - d.due_since).days}
        for d in sorted(orders.values(), key=lambda x: x.number)
        if d.status == DispatchStatus.HELD
    ]
    day_orders = [
        d for d in orders.values() if d.status not in (DispatchStatus.MERGED, DispatchStatus.CANCELLED)
    ]
    summary_cost = summarise(route_costs)
    centre = summarise(c for c in route_costs if c.depot_kind == "centre")
    stores = summarise(c for c in route_costs if c.depot_kind == "store")
    plan.distance_m = sum(c.distance_m for c in route_costs)
    plan.duration_s = sum(r.end - r.start for r in solution.routes if r.visits)
    plan.cost_fen = summary_cost.total_fen
    plan.delivered_kg = summary_cost.delivered_kg
    transfer_kg = sum(
        problem.stop(x.stop_id).demand[0]
        for r in solution.routes
        for x in r.visits
        if ctx["stops"][x.stop_id]["kind"] == "replenishment"
    )
    customer_kg = summary_cost.delivered_kg - transfer_kg
    result = {
        "plan_id": plan.id,
        "date": day.isoformat(),
        "version": version,
        "status": plan.status.value,
        "orders": len(day_orders),
        "planned": len(planned_ids),
        "held": held,
        "unassigned": order_unassigned,
        "replenishment": [
            {
                "stop": x.stop_id,
                "store": ctx["stops"][x.stop_id]["depot"],
                "kg": problem.stop(x.stop_id).demand[0],
            }
            for r in solution.routes
            for x in r.visits
            if ctx["stops"][x.stop_id]["kind"] == "replenishment"
        ],
        "replenishment_unassigned": [u for u in unassigned if "stop" in u],
        "routes": len(route_costs),
        "km": round(plan.distance_m / 1000, 1),
        "cost_fen": summary_cost.total_fen,
        "customer_kg": customer_kg,
        "transfer_kg": transfer_kg,
        "cost_per_ton_fen": per_customer_tonne(summary_cost.total_fen, customer_kg),
        "cost_per_case_fen": summary_cost.per_case_fen,
        "cost_per_stop_fen": summary_cost.per_stop_fen,
        "centre": centre.as_dict(),
        "stores": stores.as_dict(),
        "feasible": report.feasible,
        "violations": [v.message for v in report.violations],
        "approximate_distances": plan.approximate,
        "solver": plan.solver,
    }
    plan.report = result
    return result


def per_customer_tonne(total_fen: int, customer_kg: int) -> int | None:
    """Cost per tonne delivered to customers (transfers to stores are not deliveries), rounded."""
    return None if customer_kg <= 0 else (total_fen * 1000 + customer_kg // 2) // customer_kg


def mark_planned(session: Session, d: DispatchOrder, route_code: str, seq: int, actor: str) -> None:
    d.status = DispatchStatus.PLANNED
    where = f"planned on route {route_code}, stop {seq}"
    for o in sources_of(session, d):
        if o.status == OrderStatus.CONFIRMED:
            transition(o, OrderStatus.ASSIGNED, f"assigned in {d.number}", actor)
        if o.status == OrderStatus.ASSIGNED:
            transition(o, OrderStatus.PLANNED, where, actor, detail={"route": route_code, "seq": seq})
        elif o.status == OrderStatus.PLANNED:
            note(o, where, actor, detail={"route": route_code, "seq": seq})


def mark_unassigned(session: Session, d: DispatchOrder, reason: str, actor: str) -> None:
    """Left out of this version: the order waits (carried to the next delivery day if the day ends so)."""
    d.status = DispatchStatus.UNASSIGNED
    for o in sources_of(session, d):
        if o.status in (OrderStatus.ASSIGNED, OrderStatus.PLANNED):
            transition(o, OrderStatus.CONFIRMED, f"not planned in this version: {reason}", actor)


def _alternatives(
    session: Session,
    plan: Plan,
    problem: RoutingProblem,
    solution: Solution,
    ctx: dict[str, Any],
    rates: CostRates,
) -> None:
    """For each planned order: its marginal cost where it is, and the cheapest other eligible depot's.

    Marginal cost = extra km × the vehicle's cost per km + the handling fee per
    tonne (loader 30 yuan/t for centre trucks, store fee 35 yuan/t for stores).
    The other option is the cheapest insertion into a route of that depot whose
    vehicle may go there (its allowed area) and still has room (kg and cases),
    or a trip of its own on an idle vehicle that may go there and can carry
    it (estimates: time windows are not rechecked).
    """
    loc = {d.id: d.location for d in problem.depots}
    routes_by_depot: dict[str, list[_Planned]] = defaultdict(list)
    for r in solution.routes:
        if r.visits:
            places = (
                [loc[r.start_depot]]
                + [problem.stop(x.stop_id).location for x in r.visits]
                + [loc[r.end_depot]]
            )
            load = (
                sum(problem.stop(x.stop_id).demand[0] for x in r.visits),
                sum(problem.stop(x.stop_id).demand[1] for x in r.visits),
            )
            routes_by_depot[ctx["vehicles"][r.vehicle_id]["depot"]].append(
                _Planned(r.vehicle_id, places, load)
            )
    used = {r.vehicle_id for r in solution.routes if r.visits}
    stops = session.scalars(
        select(PlanStop).where(PlanStop.plan_id == plan.id, PlanStop.kind == StopKind.DELIVERY)
    )
    route_vehicle = {r.id: r for r in session.scalars(select(PlanRoute).where(PlanRoute.plan_id == plan.id))}
    for st in stops:
        sid = st.dispatch_order.number if st.dispatch_order else None
        if sid is None:
            continue
        s = problem.stop(sid)
        plate = next(
            p for p, c in ctx["vehicles"].items() if c["vehicle_id"] == route_vehicle[st.route_id].vehicle_id
        )
        here = ctx["vehicles"][plate]
        places = next(x.places for x in routes_by_depot[here["depot"]] if x.plate == plate)
        i = st.seq
        dm = problem.matrices[problem.vehicle(plate).profile].distance
        extra = int(
            dm[places[i - 1], places[i]] + dm[places[i], places[i + 1]] - dm[places[i - 1], places[i + 1]]
        )
        st.served_cost_fen = per_km(here["cost_per_km_fen"], max(0, extra)) + per_tonne(
            rates.fee_per_tonne(here["depot_kind"], here["needs_loader"]), s.demand[0]
        )
        best: dict[str, Any] | None = None
        for dep in ctx["stops"][sid]["eligible"]:
            if dep == here["depot"]:
                continue
            idle = [v.id for v in problem.vehicles if v.start_depot == dep and v.id not in used]
            option = _insertion(problem, s, routes_by_depot.get(dep, []), idle, ctx, rates)
            if option and (best is None or option["cost_fen"] < best["cost_fen"]):
                best = {"depot": dep, **option}
        st.alternative = best


@dataclass(frozen=True)
class _Planned:
    """A planned route as the alternatives see it: its vehicle, its places and its load (kg, cases)."""

    plate: str
    places: list[int]
    load: tuple[int, int]


def _may_take(problem: RoutingProblem, plate: str, stop: Stop, load: tuple[int, int]) -> bool:
    """Whether vehicle ``plate`` may serve ``stop`` (allowed vehicles, its area) with room left."""
    v = problem.vehicle(plate)
    if stop.allowed_vehicles is not None and plate not in stop.allowed_vehicles:
        return False
    if v.areas is not None and stop.area not in v.areas:
        return False
    return all(have + need <= cap for have, need, cap in zip(load, stop.demand, v.capacity, strict=True))


def _insertion(
    problem: RoutingProblem,
    stop: Stop,
    routes: list[_Planned],
    idle: list[str],
    ctx: dict[str, Any],
    rates: CostRates,
) -> dict[str, Any] | None:
    options = []
    kg = stop.demand[0]
    for r in routes:
        if not _may_take(problem, r.plate, stop, r.load):
            continue
        dm = problem.matrices[problem.vehicle(r.plate).profile].distance
        extra = min(
            int(dm[a, stop.location] + dm[stop.location, b] - dm[a, b])
            for a, b in itertools.pairwise(r.places)
        )
        v = ctx["vehicles"][r.plate]
        fee = per_tonne(rates.fee_per_tonne(v["depot_kind"], v["needs_loader"]), kg)
        options.append(
            (per_km(v["cost_per_km_fen"], max(0, extra)) + fee, r.plate, "insert into its planned route")
        )
    for plate in idle:
        if not _may_take(problem, plate, stop, (0, 0)):
            continue
        v = ctx["vehicles"][plate]
        pv = problem.vehicle(plate)
        dm = problem.matrices[pv.profile].distance
        home = problem.depot(pv.start_depot).location
        trip = int(dm[home, stop.location] + dm[stop.location, home])
        fee = per_tonne(rates.fee_per_tonne(v["depot_kind"], v["needs_loader"]), kg)
        options.append(
            (per_km(v["cost_per_km_fen"], trip) + fee + v["fixed_cost_fen"], plate, "a trip of its own")
        )
    if not options:
        return None
    cost, plate, how = min(options)
    return {"vehicle": plate, "cost_fen": cost, "how": how}
