"""Build a day's routing problem (the "prepare" half of planning).

Two layers: :func:`load_register` and :func:`day_orders_from_db` read plain
snapshots from the database; :func:`build_day_problem` turns a snapshot and a
day's orders into the optimizer's :class:`RoutingProblem` plus a *context*
that maps the solver's ids back to rows — with no database in it, so the
fleet what-if reuses it on historical days. :func:`prepare_problem` is the
database operation the planner calls; it holds the orders no depot may serve.

Who may serve what:

* centre vehicles, by fleet (``today`` = active; ``planned`` = active and
  planned; or a list of plates), limited to their allowed area;
* each store's own vehicles, only in their township;
* a dispatch order may go to the depots :func:`optimizer.rules.eligibility`
  accepts (centre minimum, store minimum and radius, free stock, pin);
* a store whose free stock of a product is below its safety stock gets an
  optional replenishment stop, served only by centre vehicles that may leave town.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from models.enums import AllowedArea, DepotKind, VehicleStatus
from models.errors import InputError
from models.orm import Customer, Depot, DepotStock, Order, Product, Township, Vehicle
from models.planning import DispatchOrder, DispatchOrderLine, DispatchStatus
from models.settings import Settings
from optimizer.contract import problem_to_json
from optimizer.costs import CostRates, daily_wage
from optimizer.problem import Depot as PDepot
from optimizer.problem import Location, Matrix, RoutingProblem, Stop, TimeWindow
from optimizer.problem import Vehicle as PVehicle
from optimizer.rules import (
    LARGE_ORDER_CASES,
    DepotRule,
    OrderFacts,
    eligibility,
    stock_covers,
    store_minimum,
    store_territory,
)
from services.consolidation import hold
from services.free_stock import free_by_depot
from services.matrices import day_matrices_for

SERVICE_FIXED_S = 300
SERVICE_PER_CASE_S = 20
REPLENISH_FIXED_S = 900
REPLENISH_PER_CASE_S = 6
REPLENISH_MAX_KG = 2_000
REPLENISH_PENALTY_FEN = 40_000
PRIORITY_24H = 90
PRIORITY_RATIONED = 60  # in a shortage the rationed orders go before ordinary ones,
PRIORITY_TOWNSHIP_SHARE = 95  # and each township's biggest share before anything (防止区域性脱销)

Matrices = Callable[
    [list[tuple[str, float, float]], list[str]],
    tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, Any]],
]


@dataclass(frozen=True)
class VehicleFacts:
    plate: str
    vehicle_id: int
    depot: str
    depot_id: int
    depot_kind: str
    status: str
    capacity_kg: int
    capacity_cases: int
    areas: tuple[str, ...] | None
    profile: str
    shift: tuple[int, int]
    max_route_s: int
    max_route_m: int | None
    cost_per_km_fen: int
    fixed_cost_fen: int
    needs_loader: bool
    driver_id: int | None
    loader_id: int | None
    crew_monthly_wages_fen: tuple[int, ...]


@dataclass(frozen=True)
class DepotFacts:
    code: str
    id: int
    kind: str
    name: str
    township: str
    lat: float
    lon: float
    opens_s: int
    closes_s: int
    min_order_cases: int
    radius_m: int | None
    safety_cases: dict[str, int] = field(default_factory=dict)

    def rule(self) -> DepotRule:
        return DepotRule(
            self.code,
            self.kind,
            self.name,
            self.township,
            self.lat,
            self.lon,
            self.min_order_cases,
            self.radius_m if self.kind == "store" else None,
        )


@dataclass(frozen=True)
class Register:
    """What planning needs from the register, as plain data."""

    depots: tuple[DepotFacts, ...]
    vehicles: tuple[VehicleFacts, ...]
    kg_per_case: dict[str, int]
    county_town: str


@dataclass(frozen=True)
class DayOrder:
    """One customer's consolidated order for the day, as plain data."""

    number: str
    customer: str
    township: str
    lat: float
    lon: float
    windows: tuple[tuple[int, int], ...]
    service_24h: bool
    lines: dict[str, int]
    kg: int
    cases: int
    pin: str | None = None
    released: bool = False  # the minimum order is waived: released by the dispatcher, or rationed
    dispatch_order_id: int | None = None
    rationed: bool = False
    township_share: bool = False

    def facts(self) -> OrderFacts:
        """What the eligibility rules need to know about it."""
        return OrderFacts(
            self.number,
            self.customer,
            self.township,
            self.lat,
            self.lon,
            self.cases,
            self.lines,
            fixed_cycle=not self.service_24h,
        )


def load_register(session: Session) -> Register:
    depots = session.scalars(select(Depot).options(selectinload(Depot.township)).order_by(Depot.id)).all()
    safety: dict[int, dict[str, int]] = defaultdict(dict)
    for depot_id, code, s in session.execute(
        select(DepotStock.depot_id, Product.code, DepotStock.safety_cases).join(Product)
    ).all():
        safety[depot_id][code] = int(s)
    vs = session.scalars(
        select(Vehicle)
        .options(
            selectinload(Vehicle.home_depot),
            selectinload(Vehicle.townships),
            selectinload(Vehicle.driver),
            selectinload(Vehicle.loader),
        )
        .where(Vehicle.status != VehicleStatus.RETIRED)
        .order_by(Vehicle.plate)
    ).all()
    county_town = session.scalars(select(Township.code).where(Township.is_county_town)).first() or ""

    def areas(v: Vehicle) -> tuple[str, ...] | None:
        if v.allowed_area == AllowedArea.ANY:
            return None
        if v.allowed_area == AllowedArea.COUNTY_TOWN:
            return (county_town,)
        return tuple(sorted(t.code for t in v.townships))

    return Register(
        depots=tuple(
            DepotFacts(
                d.code,
                d.id,
                d.kind.value,
                d.name_zh,
                d.township.code,
                d.lat,
                d.lon,
                d.opens_s,
                d.closes_s,
                d.min_order_cases,
                d.service_radius_m,
                dict(safety[d.id]),
            )
            for d in depots
        ),
        vehicles=tuple(
            VehicleFacts(
                v.plate,
                v.id,
                v.home_depot.code,
                v.home_depot_id,
                v.home_depot.kind.value,
                v.status.value,
                v.capacity_kg,
                v.capacity_cases,
                areas(v),
                v.speed_profile.value,
                (v.shift_start_s, v.shift_end_s),
                v.max_route_s,
                v.max_route_m,
                v.cost_per_km_fen,
                v.fixed_cost_fen,
                v.needs_loader,
                v.driver_id,
                v.loader_id,
                tuple(s.monthly_wage_fen for s in (v.driver, v.loader) if s is not None),
            )
            for v in vs
        ),
        kg_per_case={p.code: p.case_weight_kg for p in session.scalars(select(Product))},
        county_town=county_town,
    )


def fleet_of(register: Register, fleet: str | Sequence[str]) -> list[VehicleFacts]:
    """Every active store vehicle plus the centre fleet chosen (``today``, ``planned`` or plates)."""
    out = []
    for v in register.vehicles:
        if v.depot_kind == DepotKind.STORE.value:
            if v.status == VehicleStatus.ACTIVE.value:
                out.append(v)
        elif isinstance(fleet, str):
            if fleet not in ("today", "planned"):
                raise InputError.single("fleet", "must be today, planned or a list of plates", value=fleet)
            if v.status == VehicleStatus.ACTIVE.value or (
                fleet == "planned" and v.status == VehicleStatus.PLANNED.value
            ):
                out.append(v)
        elif v.plate in fleet:
            out.append(v)
    if not isinstance(fleet, str):
        missing = sorted(set(fleet) - {v.plate for v in out})
        if missing:
            raise InputError.single("fleet", "unknown vehicle plates", value=", ".join(missing))
    return out


def day_orders_from_db(session: Session, delivery_date: dt.date) -> list[tuple[DayOrder, DispatchOrder]]:
    rows = session.scalars(
        select(DispatchOrder)
        .options(
            selectinload(DispatchOrder.lines).selectinload(DispatchOrderLine.product),
            selectinload(DispatchOrder.customer).selectinload(Customer.township),
            selectinload(DispatchOrder.pinned_depot),
        )
        .where(
            DispatchOrder.delivery_date == delivery_date,
            DispatchOrder.status.in_(
                [DispatchStatus.CONFIRMED, DispatchStatus.PLANNED, DispatchStatus.UNASSIGNED]
            ),
        )
        .order_by(DispatchOrder.number)
    ).all()
    out = []
    for d in rows:
        c = d.customer
        out.append(
            (
                DayOrder(
                    d.number,
                    c.code,
                    c.township.code,
                    c.lat,
                    c.lon,
                    tuple(c.windows()),
                    c.service_24h,
                    {ln.product.code: ln.cases for ln in d.lines if ln.cases},
                    d.total_kg,
                    d.total_cases,
                    d.pinned_depot.code if d.pinned_depot else None,
                    bool(d.release_note) or d.rationed,
                    d.id,
                    d.rationed,
                    any(f.get("kind") == "township_share" for f in d.flags or []),
                ),
                d,
            )
        )
    return out


@dataclass
class DayProblem:
    problem: RoutingProblem
    context: dict[str, Any]
    held: list[tuple[DayOrder, str]]


def build_day_problem(
    register: Register,
    orders: Sequence[DayOrder],
    *,
    fleet: str | Sequence[str],
    stock: dict[str, dict[str, int]],
    matrices: Matrices,
    rates: CostRates,
    name: str = "",
    replenish: bool = True,
    large_order_cases: int = LARGE_ORDER_CASES,
) -> DayProblem:
    """The routing problem of one day (pure, except for the ``matrices`` function it calls)."""
    vehicles = fleet_of(register, fleet)
    rules = [d.rule() for d in register.depots]
    plates_by_depot: dict[str, list[str]] = defaultdict(list)
    for v in vehicles:
        plates_by_depot[v.depot].append(v.plate)
    locations = [Location(d.code, d.lat, d.lon) for d in register.depots]
    stops: list[Stop] = []
    ctx_stops: dict[str, Any] = {}
    held: list[tuple[DayOrder, str]] = []
    no_vehicle: list[dict[str, str]] = []
    for o in orders:
        elig = eligibility(
            o.facts(),
            rules,
            stock=stock,
            pin=o.pin,
            released=o.released,
            large_order_cases=large_order_cases,
        )
        ctx_stops[o.number] = {
            "kind": "delivery",
            "dispatch_order_id": o.dispatch_order_id,
            "customer": o.customer,
            "eligible": list(elig.depots),
            "refused": dict(elig.refused),
            "released": o.released,
        }
        if not elig.depots:
            held.append((o, elig.hold_reason() or "no depot may serve this order"))
            continue
        allowed = sorted(p for dep in elig.depots for p in plates_by_depot.get(dep, []))
        if not allowed:
            no_vehicle.append(
                {
                    "order": o.number,
                    "reason": f"no vehicle of {' or '.join(elig.depots)} is in the fleet planned",
                }
            )
            continue
        locations.append(Location(o.number, o.lat, o.lon))
        stops.append(
            Stop(
                id=o.number,
                location=len(locations) - 1,
                demand=(o.kg, o.cases),
                service_fixed=SERVICE_FIXED_S,
                service_per_case=SERVICE_PER_CASE_S,
                time_windows=tuple(TimeWindow(a, b) for a, b in o.windows),
                required=True,
                allowed_vehicles=frozenset(allowed),
                area=o.township,
                priority=_priority(o),
                waive_minimum=o.released,
            )
        )
    movers = [v.plate for v in vehicles if v.depot_kind == "centre" and v.areas is None]
    short = stock_short_demand(rules, orders, stock)
    for dep in register.depots:
        lines = (
            replenishment(dep, stock.get(dep.code, {}), register.kg_per_case, short.get(dep.code))
            if replenish and dep.kind == "store"
            else {}
        )
        if not lines or not movers:
            continue
        sid = f"RP-{dep.code}"
        locations.append(Location(sid, dep.lat, dep.lon))
        stops.append(
            Stop(
                id=sid,
                location=len(locations) - 1,
                demand=(sum(c * register.kg_per_case[p] for p, c in lines.items()), sum(lines.values())),
                service_fixed=REPLENISH_FIXED_S,
                service_per_case=REPLENISH_PER_CASE_S,
                time_windows=(TimeWindow(dep.opens_s, dep.closes_s),),
                required=False,
                penalty=REPLENISH_PENALTY_FEN,
                allowed_vehicles=frozenset(movers),
                area=dep.township,
            )
        )
        ctx_stops[sid] = {"kind": "replenishment", "depot": dep.code, "depot_id": dep.id, "lines": lines}
    loc_of = {d.code: i for i, d in enumerate(register.depots)}
    pvehicles = [
        PVehicle(
            id=v.plate,
            start_depot=v.depot,
            capacity=(v.capacity_kg, v.capacity_cases),
            shift=TimeWindow(*v.shift),
            max_duration=v.max_route_s,
            max_distance=v.max_route_m,
            fixed_cost=v.fixed_cost_fen + sum(daily_wage(w, rates) for w in v.crew_monthly_wages_fen),
            cost_per_km=v.cost_per_km_fen,
            cost_per_tonne=rates.fee_per_tonne(v.depot_kind, v.needs_loader),
            profile=v.profile,
            areas=None if v.areas is None else frozenset(v.areas),
        )
        for v in vehicles
    ]
    profiles = sorted({v.profile for v in pvehicles}) or ["truck"]
    mats, meta = matrices([(loc.id, loc.lat or 0.0, loc.lon or 0.0) for loc in locations], profiles)
    problem = RoutingProblem(
        locations=tuple(locations),
        depots=tuple(PDepot(d.code, loc_of[d.code], d.min_order_cases) for d in register.depots),
        vehicles=tuple(pvehicles),
        stops=tuple(stops),
        matrices={p: Matrix(distance=m[0], duration=m[1]) for p, m in mats.items()},
        name=name,
    )
    context = {
        "stops": ctx_stops,
        "vehicles": {
            v.plate: {
                "vehicle_id": v.vehicle_id,
                "depot": v.depot,
                "depot_id": v.depot_id,
                "depot_kind": v.depot_kind,
                "driver_id": v.driver_id,
                "loader_id": v.loader_id,
                "needs_loader": v.needs_loader,
                "cost_per_km_fen": v.cost_per_km_fen,
                "fixed_cost_fen": v.fixed_cost_fen,
                "crew_monthly_wages_fen": list(v.crew_monthly_wages_fen),
            }
            for v in vehicles
        },
        "depots": {d.code: {"id": d.id, "kind": d.kind, "name": d.name} for d in register.depots},
        "no_vehicle": no_vehicle,
        "rates": {
            "working_days_per_month": rates.working_days_per_month,
            "loader_fen_per_tonne": rates.loader_fen_per_tonne,
            "store_fee_fen_per_tonne": rates.store_fee_fen_per_tonne,
        },
        "matrices": meta,
    }
    return DayProblem(problem, context, held)


def _priority(o: DayOrder) -> int:
    """How much dropping the order costs, relative to the others (the solver drops the cheapest first)."""
    if o.township_share:
        return PRIORITY_TOWNSHIP_SHARE
    return max(PRIORITY_24H if o.service_24h else 0, PRIORITY_RATIONED if o.rationed else 0)


def stock_short_demand(
    rules: Sequence[DepotRule], orders: Sequence[DayOrder], stock: dict[str, dict[str, int]]
) -> dict[str, dict[str, int]]:
    """Per store: cases of the day's orders it would serve (township, radius, minimum) but for its stock."""
    out: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for o in orders:
        facts = o.facts()
        for d in rules:
            if d.kind != "store" or store_territory(facts, d) or (not o.released and store_minimum(facts, d)):
                continue
            if stock_covers(facts, d, stock.get(d.code, {})):
                for product, cases in o.lines.items():
                    out[d.code][product] += cases
    return {k: dict(v) for k, v in out.items()}


def replenishment(
    store: DepotFacts,
    free: dict[str, int],
    kg_per_case: dict[str, int],
    short_demand: dict[str, int] | None = None,
) -> dict[str, int]:
    """Cases per product to send a store: back to twice its safety stock when below it, and enough
    for the day's orders it could not serve for want of stock plus its safety stock.

    Capped at ``REPLENISH_MAX_KG`` per trip; fewer than 5 cases in all is not worth a trip.
    """
    lines: dict[str, int] = {}
    kg = 0
    wanted = short_demand or {}
    for code in sorted(set(store.safety_cases) | set(wanted)):
        safety, have, need = store.safety_cases.get(code, 0), free.get(code, 0), wanted.get(code, 0)
        if have >= safety and need <= have:
            continue
        cases = min(max(2 * safety, need + safety) - have, (REPLENISH_MAX_KG - kg) // kg_per_case[code])
        if cases > 0:
            lines[code] = cases
            kg += cases * kg_per_case[code]
    return lines if sum(lines.values()) >= 5 else {}


def prepare_problem(
    session: Session,
    settings: Settings,
    delivery_date: dt.date,
    *,
    fleet: str | list[str] = "today",
    rates: CostRates | None = None,
    actor: str = "system",
) -> dict[str, Any]:
    """The day's routing problem as JSON, with the context to store its solution.

    Orders that no depot may serve (minimum order, radius, stock, pin) are held
    here, in the caller's transaction, with the reason.
    """
    rates = rates or CostRates(working_days_per_month=settings.working_days_per_month)
    register = load_register(session)
    pairs = day_orders_from_db(session, delivery_date)
    rows = {o.number: d for o, d in pairs}
    built = build_day_problem(
        register,
        [o for o, _ in pairs],
        fleet=fleet,
        stock=free_by_depot(session, delivery_date),
        matrices=lambda pts, profiles: day_matrices_for(session, settings, pts, profiles),
        rates=rates,
        name=f"{delivery_date.isoformat()} {fleet if isinstance(fleet, str) else 'custom fleet'}",
        large_order_cases=settings.centre_large_order_cases,
    )
    for o, reason in built.held:
        d = rows[o.number]
        hold(d, reason, actor, list(session.scalars(select(Order).where(Order.dispatch_order_id == d.id))))
    held = session.scalars(
        select(DispatchOrder)
        .where(DispatchOrder.delivery_date == delivery_date, DispatchOrder.status == DispatchStatus.HELD)
        .order_by(DispatchOrder.number)
    ).all()
    built.context["held"] = [{"order": d.number, "reason": d.hold_reason or "held"} for d in held]
    return {
        "date": delivery_date.isoformat(),
        "fleet": fleet,
        "problem": problem_to_json(built.problem),
        "context": built.context,
    }
