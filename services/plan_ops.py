"""Operations on stored plans: show, confirm (reserving stock), edit, lock, pin, release, re-optimise.

Each is one transaction. An edit never changes a stored version: it is
checked by the independent checker and stored as the day's next draft.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models import clock
from models.db import session_scope
from models.enums import OrderStatus
from models.errors import Conflict, InputError, NotFound
from models.lifecycle import note, transition
from models.orm import Depot, DepotStock, Product
from models.planning import (
    DispatchOrder,
    DispatchStatus,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    StockMovement,
    StopKind,
)
from models.settings import Settings
from optimizer.check import check_plan
from optimizer.contract import problem_from_json, solution_to_json
from optimizer.fmt import clock as hhmm
from optimizer.schedule import build_route
from optimizer.solution import Solution, SolveStats
from services.day_orders import sources_of
from services.plan_store import mark_planned, mark_unassigned
from services.planning import find_plan, plan_day, prepare_plan, solve_prepared, store_plan


def _routes(session: Session, plan: Plan) -> list[PlanRoute]:
    return list(
        session.scalars(
            select(PlanRoute)
            .options(
                selectinload(PlanRoute.stops)
                .selectinload(PlanStop.dispatch_order)
                .selectinload(DispatchOrder.customer),
                selectinload(PlanRoute.vehicle),
                selectinload(PlanRoute.depot),
                selectinload(PlanRoute.driver),
            )
            .where(PlanRoute.plan_id == plan.id)
            .order_by(PlanRoute.number)
        )
    )


def stop_id(s: PlanStop) -> str:
    """The solver's id of a stored stop: the dispatch order number, or RP-<store> for replenishment."""
    if s.kind == StopKind.DELIVERY and s.dispatch_order is not None:
        return s.dispatch_order.number
    return f"RP-{s.target_depot.code}" if s.target_depot else f"RP-{s.target_depot_id}"


def plan_detail(
    settings: Settings, *, plan_id: int | None = None, date: dt.date | None = None, version: int | None = None
) -> dict[str, Any]:
    """A plan's summary with every route and stop, for display."""
    with session_scope(settings) as session:
        plan = find_plan(session, plan_id=plan_id, date=date, version=version)
        routes = []
        for r in _routes(session, plan):
            stops = []
            for s in r.stops:
                c = s.dispatch_order.customer if s.dispatch_order else None
                stops.append(
                    {
                        "seq": s.seq,
                        "code": s.code,
                        "id": stop_id(s),
                        "kind": s.kind.value,
                        "customer": c.code if c else None,
                        "name": c.name if c else (s.target_depot.name_zh if s.target_depot else ""),
                        "eta": hhmm(s.service_start_s),
                        "arrival_s": s.arrival_s,
                        "wait_s": s.wait_s,
                        "kg": s.kg,
                        "cases": s.cases,
                        "locked": s.locked,
                        "lines": s.lines,
                        "served_cost_fen": s.served_cost_fen,
                        "alternative": s.alternative,
                    }
                )
            routes.append(
                {
                    "id": r.id,
                    "code": r.code,
                    "vehicle": r.vehicle.plate,
                    "depot": r.depot.code,
                    "driver": r.driver.name if r.driver else None,
                    "start": hhmm(r.start_s),
                    "end": hhmm(r.end_s),
                    "km": round(r.distance_m / 1000, 1),
                    "kg": r.load_kg,
                    "cases": r.load_cases,
                    "cost_fen": r.cost_fen,
                    "costs": r.costs,
                    "stops": stops,
                }
            )
        return {
            "summary": {**(plan.report or {}), "status": plan.status.value, "version": plan.version},
            "routes": routes,
        }


def confirm_plan(
    settings: Settings,
    *,
    plan_id: int | None = None,
    date: dt.date | None = None,
    version: int | None = None,
    actor: str = "system",
    override: str | None = None,
) -> dict[str, Any]:
    """Confirm a plan: others of the day are superseded (their reservations released); reserve stock.

    A plan the independent checker rejects is refused, naming its violations,
    unless ``override`` gives the dispatcher's reason (recorded on the plan
    with who confirmed it). A draft whose orders were carried to a later day
    can no longer be confirmed.
    """
    with session_scope(settings) as session:
        plan = find_plan(session, plan_id=plan_id, date=date, version=version)
        label = f"plan {plan.delivery_date} v{plan.version}"
        if plan.status == PlanStatus.CONFIRMED:
            raise Conflict(f"{label} is already confirmed")
        if plan.status == PlanStatus.SUPERSEDED:
            raise Conflict(f"{label} was superseded; confirm the latest version")
        _refuse_carried_away(session, plan, label)
        if not plan.feasible:
            if not (override or "").strip():
                raise Conflict(
                    f"{label} breaks {len(plan.violations or [])} rule(s): {violation_text(plan)}; "
                    'to confirm it anyway give --override "reason" (recorded with your name)'
                )
            plan.override_reason = " ".join((override or "").split())
            plan.override_by = actor
        for other in session.scalars(
            select(Plan).where(Plan.delivery_date == plan.delivery_date, Plan.id != plan.id)
        ):
            if other.status == PlanStatus.CONFIRMED:
                _reserve(session, other, -1, actor)
            other.status = PlanStatus.SUPERSEDED
        plan.status = PlanStatus.CONFIRMED
        plan.confirmed_at = clock.now()
        reserved = _reserve(session, plan, +1, actor)
        _follow_confirmed(session, plan, actor)
        if plan.report is not None:
            extra = (
                {"override": {"reason": plan.override_reason, "by": actor}} if plan.override_reason else {}
            )
            plan.report = {**plan.report, "status": "confirmed", **extra}
        return {
            "plan_id": plan.id,
            "date": plan.delivery_date.isoformat(),
            "version": plan.version,
            "reserved_cases": reserved,
            "feasible": plan.feasible,
            "override": plan.override_reason,
        }


def violation_text(plan: Plan, limit: int = 5) -> str:
    """The plan's violations in one line (the first ``limit``)."""
    msgs = [str(v.get("message", v)) for v in plan.violations or []]
    more = f" (and {len(msgs) - limit} more)" if len(msgs) > limit else ""
    return "; ".join(msgs[:limit]) + more


def _refuse_carried_away(session: Session, plan: Plan, label: str) -> None:
    gone = session.scalars(
        select(DispatchOrder.number)
        .join(PlanStop, PlanStop.dispatch_order_id == DispatchOrder.id)
        .where(PlanStop.plan_id == plan.id, DispatchOrder.status == DispatchStatus.MERGED)
        .order_by(DispatchOrder.number)
    ).all()
    if gone:
        raise Conflict(
            f"{label} can no longer be confirmed: {len(gone)} of its orders were carried to a later day "
            f"({', '.join(gone[:5])}{' …' if len(gone) > 5 else ''})"
        )


def _follow_confirmed(session: Session, plan: Plan, actor: str) -> None:
    """The day's orders follow the confirmed version: its stops planned, the rest of the day unassigned."""
    on_plan: dict[int, tuple[str, int]] = {}
    for r in _routes(session, plan):
        for s in r.stops:
            if s.dispatch_order_id is not None:
                on_plan[s.dispatch_order_id] = (r.code, s.seq)
    day = session.scalars(
        select(DispatchOrder).where(
            DispatchOrder.delivery_date == plan.delivery_date,
            DispatchOrder.status.in_(
                [
                    DispatchStatus.PLANNED,
                    DispatchStatus.UNASSIGNED,
                    DispatchStatus.CONFIRMED,
                    DispatchStatus.HELD,
                ]
            ),
        )
    ).all()
    for d in day:
        if d.id in on_plan:
            if d.status == DispatchStatus.HELD:
                for o in sources_of(session, d):
                    if o.status == OrderStatus.HELD:
                        transition(o, OrderStatus.CONFIRMED, f"on the confirmed plan v{plan.version}", actor)
                d.hold_reason = None
            route, seq = on_plan[d.id]
            mark_planned(session, d, route, seq, actor)
        elif d.status == DispatchStatus.PLANNED:
            mark_unassigned(session, d, f"not on the confirmed plan v{plan.version}", actor)


def _reserve(session: Session, plan: Plan, sign: int, actor: str) -> int:
    """Reserve (sign +1) or release (-1) the plan's deliveries at their serving depot."""
    products = {p.code: p.id for p in session.scalars(select(Product))}
    centre = session.scalars(select(Depot).where(Depot.kind == "centre")).first()
    per: dict[tuple[int, int], int] = defaultdict(int)
    for r in _routes(session, plan):
        for s in r.stops:
            for ln in s.lines or []:
                depot_id = (
                    r.depot_id if s.kind == StopKind.DELIVERY else (centre.id if centre else r.depot_id)
                )
                per[(depot_id, products[ln["product"]])] += int(ln["cases"])
    total = 0
    for (depot_id, product_id), cases in sorted(per.items()):
        row = session.scalars(
            select(DepotStock).where(DepotStock.depot_id == depot_id, DepotStock.product_id == product_id)
        ).first()
        if row is None:
            row = DepotStock(depot_id=depot_id, product_id=product_id, on_hand_cases=0, reserved_cases=0)
            session.add(row)
        row.reserved_cases = max(0, row.reserved_cases + sign * cases)
        session.add(
            StockMovement(
                depot_id=depot_id,
                product_id=product_id,
                reserved_delta=sign * cases,
                reason="reserve" if sign > 0 else "release",
                plan_id=plan.id,
                actor=actor,
                note=f"plan {plan.delivery_date} v{plan.version}",
            )
        )
        total += cases
    return total


def _current(session: Session, plan: Plan) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The plan's routes (plate → stop ids) and its locked stops per plate."""
    routes: dict[str, list[str]] = {}
    locked: dict[str, list[str]] = {}
    for r in _routes(session, plan):
        ids = [stop_id(s) for s in r.stops]
        routes[r.vehicle.plate] = ids
        keep = [stop_id(s) for s in r.stops if s.locked]
        if keep:
            locked[r.vehicle.plate] = keep
    return routes, locked


def edit_plan(
    settings: Settings,
    *,
    date: dt.date | None = None,
    moves: list[tuple[str, str, int | None]] | None = None,
    reorder: tuple[str, list[str]] | None = None,
    actor: str = "system",
) -> dict[str, Any]:
    """Apply a dispatcher's edit to the latest plan of the day; check it; store it as a new draft.

    Violations are named by the checker (e.g. ``capacity``, ``time_window``,
    ``area``). When no schedule fits a route at all, nothing is stored and the
    violations are returned with ``stored: false``.
    """
    with session_scope(settings) as session:
        plan = find_plan(session, date=date)
        prepared = copy.deepcopy(plan.problem or {})
        if "context" not in prepared:
            raise Conflict("this plan was stored without its problem; re-plan the day")
        routes, locked = _current(session, plan)
        base_id = plan.id
    problem = problem_from_json(prepared["problem"])
    for order, plate, position in moves or []:
        if plate not in {v.id for v in problem.vehicles}:
            raise InputError.single("--to", "no such vehicle in this plan", value=plate)
        for seq in routes.values():
            if order in seq:
                seq.remove(order)
                break
        else:
            if order not in {s.id for s in problem.stops}:
                raise InputError.single("order", "not a stop of this plan", value=order)
        seq = routes.setdefault(plate, [])
        seq.insert(len(seq) if position is None else min(position - 1, len(seq)), order)
    if reorder is not None:
        plate, new = reorder
        if sorted(routes.get(plate, [])) != sorted(new):
            raise InputError.single(
                "orders", f"must be exactly the stops of {plate}: {', '.join(routes.get(plate, []))}"
            )
        routes[plate] = list(new)
    routes = {p: s for p, s in routes.items() if s}
    served = {s for seq in routes.values() for s in seq}
    unassigned = [s.id for s in problem.stops if s.id not in served]
    report = check_plan(problem, routes, declared_unassigned=unassigned)
    built = {p: build_route(problem, p, seq) for p, seq in routes.items()}
    untimed = sorted(p for p, r in built.items() if r is None)
    if untimed:
        return {
            "stored": False,
            "feasible": False,
            "version": None,
            "violations": [v.message for v in report.violations]
            + [f"no schedule fits the route of {p} (time windows, shift or duration)" for p in untimed],
        }
    from optimizer.explain import explain_dropped, screen

    sol_routes = tuple(r for r in built.values() if r is not None)
    screening = screen(problem)
    dropped = [u for u in screening.unassigned if u.stop_id in unassigned] + [
        explain_dropped(problem, sol_routes, problem.stop(sid), screening.candidates[sid])
        for sid in unassigned
        if sid in screening.candidates
    ]
    solution = Solution(
        routes=sol_routes,
        unassigned=tuple(dropped),
        cost=report.cost,
        objective=report.cost,
        distance=report.distance,
        duration=sum(r.end - r.start for r in sol_routes),
        stats=SolveStats(status="edited"),
    )
    prepared["locked"] = locked
    result = store_plan(settings, prepared, solution_to_json(solution), actor=actor, based_on=base_id)
    result["stored"] = True
    return result


def set_locks(settings: Settings, *, date: dt.date | None, orders: list[str], locked: bool) -> int:
    with session_scope(settings) as session:
        plan = find_plan(session, date=date)
        n = 0
        wanted = set(orders)
        for r in _routes(session, plan):
            for s in r.stops:
                if stop_id(s) in wanted:
                    s.locked = locked
                    n += 1
        missing = wanted - {stop_id(s) for r in _routes(session, plan) for s in r.stops}
        if missing:
            raise InputError.single("orders", "not planned in this plan", value=", ".join(sorted(missing)))
        return n


def _dispatch_order(session: Session, number: str) -> DispatchOrder:
    d = session.scalars(select(DispatchOrder).where(DispatchOrder.number == number)).first()
    if d is None:
        raise NotFound("dispatch order", number)
    return d


def _audit(session: Session, d: DispatchOrder, reason: str, actor: str) -> None:
    for o in sources_of(session, d):
        note(o, reason, actor)


def pin_order(settings: Settings, number: str, depot_code: str | None, *, actor: str = "system") -> str:
    with session_scope(settings) as session:
        d = _dispatch_order(session, number)
        if depot_code is None:
            d.pinned_depot_id = None
            _audit(session, d, "pin removed by the dispatcher", actor)
            return f"{number}: pin removed"
        depot = session.scalars(select(Depot).where(Depot.code == depot_code)).first()
        if depot is None:
            raise InputError.single("--depot", "unknown depot", value=depot_code)
        d.pinned_depot_id = depot.id
        _audit(session, d, f"pinned to {depot.code} by the dispatcher", actor)
        return f"{number}: pinned to {depot.code} {depot.name_zh}"


def release_hold(settings: Settings, number: str, note_text: str, *, actor: str = "system") -> str:
    text = " ".join(note_text.split())
    if not text:
        raise InputError.single("--note", "a release needs a note")
    with session_scope(settings) as session:
        d = _dispatch_order(session, number)
        if d.status != DispatchStatus.HELD:
            raise Conflict(f"{number} is {d.status.value}, not held")
        d.release_note = text
        d.status = DispatchStatus.CONFIRMED
        d.hold_reason = None
        for o in sources_of(session, d):
            if o.status == OrderStatus.HELD:
                transition(o, OrderStatus.CONFIRMED, f"hold released by the dispatcher: {text}", actor)
        when = d.delivery_date if d.delivery_date >= clock.today() else "the next delivery day"
        return f"{number}: released ({text}); the next plan of {when} includes it"


def reoptimise_plan(
    settings: Settings,
    *,
    date: dt.date | None = None,
    time_limit_s: float = 30,
    solution_limit: int | None = None,
    actor: str = "system",
) -> dict[str, Any]:
    """Re-plan the day starting from its latest plan, keeping locked stops on their vehicle, in order."""
    with session_scope(settings) as session:
        plan = find_plan(session, date=date)
        routes, locked = _current(session, plan)
        day, fleet, base_id = plan.delivery_date, (plan.problem or {}).get("fleet", "today"), plan.id
    if not routes and not locked:
        return plan_day(settings, day, time_limit_s=time_limit_s, fleet=fleet, actor=actor)
    prepared = prepare_plan(settings, day, fleet=fleet, actor=actor)
    known = {s["id"] for s in prepared["problem"]["stops"]}
    prepared["initial"] = {p: [s for s in seq if s in known] for p, seq in routes.items()}
    prepared["locked"] = {p: [s for s in seq if s in known] for p, seq in locked.items()}
    solution = solve_prepared(prepared, time_limit_s=time_limit_s, solution_limit=solution_limit)
    return store_plan(settings, prepared, solution, actor=actor, based_on=base_id)
