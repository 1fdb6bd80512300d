"""Fleet what-if: plan the same days of orders with different fleets and compare.

Nothing is written to the database: each historical day is consolidated in
memory, orders no depot may serve are held and merged into the customer's
next order (as the planner does), orders the fleet cannot carry are carried
to the next day (late) and, if still undelivered at the end, counted unserved.
Stock is not a constraint here (the question is the fleet).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from models.db import session_scope
from models.enums import OrderStatus
from models.errors import InputError
from models.orm import Customer, Order, OrderLine
from models.settings import Settings
from optimizer.consolidate import SourceOrder, consolidate
from optimizer.costs import CostRates, RouteFacts, route_cost, summarise
from services.plan_build import DayOrder, Register, build_day_problem, load_register

STANDARD_DAY_S = 8 * 3600


@dataclass
class FleetRun:
    fleet: str
    days: list[dict[str, Any]] = field(default_factory=list)
    carried: dict[str, tuple[DayOrder, int]] = field(default_factory=dict)  # customer -> (order, days late)
    held: dict[str, DayOrder] = field(default_factory=dict)
    late_orders: int = 0
    late_order_days: int = 0


def _history(session: Session, first: dt.date, last: dt.date) -> dict[dt.date, list[SourceOrder]]:
    out: dict[dt.date, list[SourceOrder]] = defaultdict(list)
    q = (
        select(Order)
        .options(selectinload(Order.lines).selectinload(OrderLine.product), selectinload(Order.customer))
        .where(
            Order.delivery_date >= first,
            Order.delivery_date <= last,
            Order.status.not_in([OrderStatus.CANCELLED]),
        )
        .order_by(Order.received_at, Order.number)
    )
    for o in session.scalars(q):
        out[o.delivery_date].append(
            SourceOrder(
                o.number,
                o.customer.code,
                o.channel.value,
                o.received_at,
                {ln.product.code: ln.cases for ln in o.lines},
            )
        )
    return out


def _day_orders(
    day: dt.date, sources: list[SourceOrder], customers: dict[str, Customer], kg: dict[str, int]
) -> dict[str, DayOrder]:
    out = {}
    for n, c in enumerate(consolidate(sources), start=1):
        cust = customers[c.customer]
        out[c.customer] = DayOrder(
            f"W{day:%m%d}-{n:03d}",
            c.customer,
            cust.township.code,
            cust.lat,
            cust.lon,
            tuple(cust.windows()),
            cust.service_24h,
            dict(c.lines),
            sum(q * kg[p] for p, q in c.lines.items()),
            c.cases,
        )
    return out


def _merge(a: DayOrder, b: DayOrder, kg: dict[str, int]) -> DayOrder:
    lines = dict(a.lines)
    for p, q in b.lines.items():
        lines[p] = lines.get(p, 0) + q
    return replace(a, lines=lines, cases=sum(lines.values()), kg=sum(q * kg[p] for p, q in lines.items()))


def run_whatif(
    settings: Settings,
    *,
    days: int = 15,
    fleets: dict[str, str | list[str]] | None = None,
    last_day: dt.date | None = None,
    time_limit_s: float | None = 5,
    solution_limit: int | None = None,
    workers: int = 1,
    progress: Any = None,
) -> dict[str, Any]:
    """Plan ``days`` days of orders (ending ``last_day``) with each fleet: cost, km, late, overtime."""
    from optimizer.contract import problem_from_json, problem_to_json
    from optimizer.ortools_backend import solve
    from optimizer.params import SolveParams
    from services.matrices import day_matrices_for

    fleets = fleets or {"today": "today", "planned": "planned"}
    rates = CostRates(working_days_per_month=settings.working_days_per_month)
    with session_scope(settings) as session:
        register: Register = load_register(session)
        last = last_day or session.scalar(
            select(func.max(Order.delivery_date)).where(
                Order.status.in_([OrderStatus.SETTLED, OrderStatus.DELIVERED])
            )
        )
        if last is None:
            raise InputError.single("days", "no delivered orders to replay")
        first = last - dt.timedelta(days=days - 1)
        history = _history(session, first, last)
        customers = {
            c.code: c for c in session.scalars(select(Customer).options(selectinload(Customer.township)))
        }
        runs = {name: FleetRun(name) for name in fleets}
        for k in range(days):
            day = first + dt.timedelta(days=k)
            fresh = _day_orders(day, history.get(day, []), customers, register.kg_per_case)
            for name, fleet in fleets.items():
                if progress:
                    progress(f"{name} {day.isoformat()}")
                run = runs[name]
                orders = dict(fresh)
                late_now: dict[str, int] = {}
                for cust, (o, late) in list(run.carried.items()):
                    orders[cust] = _merge(orders[cust], o, register.kg_per_case) if cust in orders else o
                    late_now[cust] = late + 1
                run.carried.clear()
                for cust, o in list(run.held.items()):
                    if cust in orders:
                        orders[cust] = _merge(orders[cust], o, register.kg_per_case)
                        del run.held[cust]
                built = build_day_problem(
                    register,
                    sorted(orders.values(), key=lambda o: o.number),
                    fleet=fleet,
                    stock={},
                    matrices=lambda pts, profiles: day_matrices_for(session, settings, pts, profiles),
                    rates=rates,
                    name=f"what-if {name} {day}",
                    replenish=False,
                )
                problem = problem_from_json(problem_to_json(built.problem))
                sol = solve(
                    problem,
                    SolveParams(time_limit=time_limit_s, solution_limit=solution_limit, workers=workers),
                )
                for o, _reason in built.held:
                    run.held[o.customer] = o
                by_number = {o.number: o for o in orders.values()}
                left = [u.stop_id for u in sol.unassigned] + [u["order"] for u in built.context["no_vehicle"]]
                for sid in left:
                    o = by_number[sid]
                    run.carried[o.customer] = (o, late_now.get(o.customer, 0))
                served = {x.stop_id for r in sol.routes for x in r.visits}
                for cust, late in late_now.items():
                    if orders[cust].number in served:
                        run.late_orders += 1
                        run.late_order_days += late
                costs = []
                overtime = 0
                for r in sol.routes:
                    if not r.visits:
                        continue
                    v = built.context["vehicles"][r.vehicle_id]
                    costs.append(
                        route_cost(
                            RouteFacts(
                                r.vehicle_id,
                                v["depot_kind"],
                                r.distance,
                                sum(problem.stop(x.stop_id).demand[0] for x in r.visits),
                                sum(problem.stop(x.stop_id).demand[1] for x in r.visits),
                                len(r.visits),
                                v["cost_per_km_fen"],
                                v["fixed_cost_fen"],
                                v["needs_loader"],
                                v["crew_monthly_wages_fen"],
                            ),
                            rates,
                        )
                    )
                    overtime += max(0, (r.end - r.start) - STANDARD_DAY_S)
                s = summarise(costs)
                run.days.append(
                    {
                        "date": day.isoformat(),
                        "orders": len(orders),
                        "planned": len(served),
                        "held": len(built.held),
                        "carried": len(left),
                        "routes": s.routes,
                        "km": round(s.distance_m / 1000, 1),
                        "kg": s.delivered_kg,
                        "cost_fen": s.total_fen,
                        "cost_per_ton_fen": s.per_tonne_fen,
                        "overtime_s": overtime,
                    }
                )
    return _report(runs, first, last, fleets)


def _report(
    runs: dict[str, FleetRun], first: dt.date, last: dt.date, fleets: dict[str, str | list[str]]
) -> dict[str, Any]:
    out: dict[str, Any] = {"first_day": first.isoformat(), "last_day": last.isoformat(), "fleets": {}}
    for name, run in runs.items():
        cost = sum(d["cost_fen"] for d in run.days)
        kg = sum(d["kg"] for d in run.days)
        out["fleets"][name] = {
            "fleet": fleets[name],
            "cost_fen": cost,
            "delivered_kg": kg,
            "cost_per_ton_fen": None if kg == 0 else (cost * 1000 + kg // 2) // kg,
            "km": round(sum(d["km"] for d in run.days), 1),
            "routes": sum(d["routes"] for d in run.days),
            "late_orders": run.late_orders,
            "late_order_days": run.late_order_days,
            "unserved_orders": len(run.carried) + len(run.held),
            "unserved_detail": {
                "fleet_could_not_carry": len(run.carried),
                "held_below_minimum": len(run.held),
            },
            "overtime_hours": round(sum(d["overtime_s"] for d in run.days) / 3600, 1),
            "days": run.days,
        }
    return out


def verdict(report: dict[str, Any]) -> str:
    """One sentence on whether the brief's "the plan needs 3 vehicles" agrees with the numbers.

    Orders held below the minimum order are not a fleet matter and are left out:
    what counts is orders late or left behind because the fleet could not carry
    them, and overtime.
    """
    f = report["fleets"]
    if "today" not in f or "planned" not in f:
        return ""
    t, p = f["today"], f["planned"]

    def behind(x: dict[str, Any]) -> int:
        return int(x["late_orders"] + x["unserved_detail"]["fleet_could_not_carry"])

    def money(x: dict[str, Any]) -> str:
        return f"¥{(x['cost_per_ton_fen'] or 0) / 100:,.2f}/t"

    facts = (
        f"today's fleet: {t['late_orders']} orders late, {t['unserved_detail']['fleet_could_not_carry']} "
        f"left undelivered, {t['overtime_hours']} h overtime, {money(t)}; planned fleet: {p['late_orders']} "
        f"late, {p['unserved_detail']['fleet_could_not_carry']} undelivered, {p['overtime_hours']} h "
        f"overtime, {money(p)}"
    )
    if behind(t) > behind(p) or t["overtime_hours"] > p["overtime_hours"] + 1:
        return f"The numbers agree with the brief that a third vehicle is needed — {facts}."
    return f"The numbers do not show a need for a third vehicle — {facts}."


def chart(report: dict[str, Any], path: Path) -> Path:
    """A PNG: daily cost per tonne and orders carried over, per fleet."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(10, 6.5), sharex=True)
    names = list(report["fleets"])
    width = 0.8 / max(1, len(names))
    for i, name in enumerate(names):
        days = report["fleets"][name]["days"]
        xs = [k + i * width for k in range(len(days))]
        ax1.bar(xs, [(d["cost_per_ton_fen"] or 0) / 100 for d in days], width, label=name)
        ax2.bar(xs, [d["carried"] for d in days], width, label=name)
    labels = [d["date"][5:] for d in report["fleets"][names[0]]["days"]]
    ax2.set_xticks([k + width * (len(names) - 1) / 2 for k in range(len(labels))], labels, rotation=45)
    ax1.set_ylabel("cost per tonne (yuan)")
    ax2.set_ylabel("orders carried to next day")
    ax1.set_title(f"Fleet what-if {report['first_day']} – {report['last_day']}")
    ax1.legend()
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
