"""Load a scenario into the database, in one transaction.

Codes in the scenario file become ids here; a scenario loads only into an
empty register (use a fresh database, or ``dispatch db reset``), so nothing
already stored is mixed with it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from models.errors import Conflict, InputError
from models.orm import (
    County,
    Customer,
    Depot,
    DepotStock,
    Order,
    OrderEvent,
    OrderLine,
    Product,
    Staff,
    Township,
    Vehicle,
    VehicleTownship,
)
from scenarios.model import SCENARIO_FILE, Scenario

DATA_DIR = Path(__file__).with_name("data")
DEFAULT_SCENARIO = "qingshan"

Progress = Callable[[str], None]


def scenario_dir(name_or_path: str | None) -> Path:
    """Resolve a bundled scenario name or a folder holding ``scenario.json``."""
    name = name_or_path or DEFAULT_SCENARIO
    as_path = Path(name)
    if (as_path / SCENARIO_FILE).is_file():
        return as_path
    bundled = DATA_DIR / name
    if (bundled / SCENARIO_FILE).is_file():
        return bundled
    known = sorted(p.name for p in DATA_DIR.iterdir() if (p / SCENARIO_FILE).is_file())
    raise InputError.single("scenario", f"no such scenario; bundled: {', '.join(known)}", value=name)


def bundled_scenarios() -> list[str]:
    return sorted(p.name for p in DATA_DIR.iterdir() if (p / SCENARIO_FILE).is_file())


def load_scenario(session: Session, sc: Scenario, *, progress: Progress | None = None) -> dict[str, int]:
    """Insert ``sc`` into an empty register; return counts per table.

    Raises :class:`Conflict` when the register already holds a county. The
    caller owns the transaction (``session_scope``): on any error nothing stays.
    """
    say = progress or (lambda _msg: None)
    if session.scalar(select(func.count()).select_from(County)):
        existing = session.scalar(select(County.name_en))
        raise Conflict(
            f"the database already holds {existing}; load a scenario into a fresh database "
            "(set DISPATCH_DATABASE_URL, or run `dispatch db reset --yes`)"
        )
    c = sc.county
    session.add(
        County(
            code=c.code, name_zh=c.name_zh, name_en=c.name_en, scenario=sc.name, seed=sc.seed, today=c.today
        )
    )
    say("townships")
    t_ids = _insert(
        session,
        Township,
        [
            dict(
                code=t.code,
                number=t.number,
                name_zh=t.name_zh,
                name_en=t.name_en,
                lat=t.lat,
                lon=t.lon,
                is_county_town=t.is_county_town,
            )
            for t in sc.townships
        ],
        "code",
    )
    say("products")
    p_ids = _insert(
        session,
        Product,
        [
            dict(
                code=p.code,
                name_zh=p.name_zh,
                name_en=p.name_en,
                category=p.category,
                bags_per_case=p.bags_per_case,
                case_weight_kg=p.case_weight_kg,
                price_fen=p.price_fen,
                active=True,
            )
            for p in sc.products
        ],
        "code",
    )
    say("depots")
    d_ids = _insert(
        session,
        Depot,
        [
            dict(
                code=d.code,
                kind=d.kind,
                name_zh=d.name_zh,
                name_en=d.name_en,
                township_id=t_ids[d.township],
                address=d.address,
                lat=d.lat,
                lon=d.lon,
                opens_s=d.opens_s,
                closes_s=d.closes_s,
                min_order_cases=d.min_order_cases,
                service_radius_m=d.service_radius_m,
                safety_stock_kg=d.safety_stock_kg,
            )
            for d in sc.depots
        ],
        "code",
    )
    stock = [
        dict(
            depot_id=d_ids[d.code],
            product_id=p_ids[s.product],
            on_hand_cases=s.on_hand_cases,
            reserved_cases=0,
            safety_cases=s.safety_cases,
        )
        for d in sc.depots
        for s in d.stock
    ]
    if stock:
        session.execute(insert(DepotStock), stock)
    say("staff")
    s_ids = _insert(
        session,
        Staff,
        [
            dict(
                code=s.code,
                name=s.name,
                role=s.role,
                depot_id=d_ids[s.depot] if s.depot else None,
                monthly_wage_fen=s.monthly_wage_fen,
                phone=s.phone,
                active=True,
            )
            for s in sc.staff
        ],
        "code",
    )
    say("vehicles")
    v_ids = _insert(
        session,
        Vehicle,
        [
            dict(
                plate=v.plate,
                kind=v.kind,
                status=v.status,
                home_depot_id=d_ids[v.home_depot],
                capacity_kg=v.capacity_kg,
                capacity_cases=v.capacity_cases,
                allowed_area=v.allowed_area,
                speed_profile=v.speed_profile,
                shift_start_s=v.shift_start_s,
                shift_end_s=v.shift_end_s,
                max_route_s=v.max_route_s,
                max_route_m=v.max_route_m,
                cost_per_km_fen=v.cost_per_km_fen,
                fixed_cost_fen=v.fixed_cost_fen,
                needs_loader=v.needs_loader,
                driver_id=s_ids[v.driver] if v.driver else None,
                loader_id=s_ids[v.loader] if v.loader else None,
            )
            for v in sc.vehicles
        ],
        "plate",
    )
    vt = [dict(vehicle_id=v_ids[v.plate], township_id=t_ids[t]) for v in sc.vehicles for t in v.townships]
    if vt:
        session.execute(insert(VehicleTownship), vt)
    say("customers")
    c_ids = _insert(
        session,
        Customer,
        [
            dict(
                code=x.code,
                name=x.name,
                type=x.type,
                township_id=t_ids[x.township],
                village=x.village,
                lat=x.lat,
                lon=x.lon,
                address=x.address,
                contact_name=x.contact_name,
                phone=x.phone,
                cycle_days=x.cycle_days,
                cycle_offset=x.cycle_offset,
                service_24h=x.service_24h,
                payment_terms=x.payment_terms,
                credit_limit_fen=x.credit_limit_fen,
                manager_id=s_ids[x.manager] if x.manager else None,
                recv_open_s=x.recv_open_s,
                recv_close_s=x.recv_close_s,
                recv2_open_s=x.recv2_open_s,
                recv2_close_s=x.recv2_close_s,
                status=x.status,
                created_at=_loaded_at(sc),
            )
            for x in sc.customers
        ],
        "code",
    )
    say("orders")
    prices = {p.code: p.price_fen for p in sc.products}
    o_ids = _insert(
        session,
        Order,
        [
            dict(
                number=o.number,
                customer_id=c_ids[o.customer],
                channel=o.channel,
                received_at=o.received_at,
                delivery_date=o.delivery_date,
                status=o.status,
                external_ref=o.external_ref,
                reported_by_depot_id=d_ids[o.reported_by] if o.reported_by else None,
                note=o.note,
                created_at=o.received_at,
            )
            for o in sc.orders
        ],
        "number",
    )
    session.execute(
        insert(OrderLine),
        [
            dict(
                order_id=o_ids[o.number],
                product_id=p_ids[ln.product],
                cases=ln.cases,
                price_fen=prices[ln.product],
            )
            for o in sc.orders
            for ln in o.lines
        ],
    )
    session.execute(
        insert(OrderEvent),
        [
            dict(
                order_id=o_ids[o.number],
                at=o.received_at,
                from_status=None,
                to_status=o.status,
                reason=f"loaded from scenario {sc.name}",
                actor="scenario",
            )
            for o in sc.orders
        ],
    )
    session.flush()
    return {
        "townships": len(t_ids),
        "depots": len(d_ids),
        "products": len(p_ids),
        "staff": len(s_ids),
        "vehicles": len(v_ids),
        "customers": len(c_ids),
        "orders": len(o_ids),
    }


def _loaded_at(sc: Scenario) -> dt.datetime:
    first = min((o.received_at for o in sc.orders), default=None)
    base = first or dt.datetime.combine(sc.county.today, dt.time(0), tzinfo=dt.UTC)
    return base - dt.timedelta(days=365)


def _insert(session: Session, model: Any, rows: list[dict[str, object]], key: str) -> dict[str, int]:
    """Insert ``rows`` and return {key value: id}."""
    if not rows:
        return {}
    session.execute(insert(model), rows)
    col = getattr(model, key)
    # The register was empty before the load, so every row of the table is ours.
    found: dict[Any, Any] = dict(session.execute(select(col, model.id)).all())
    return {str(k): int(v) for k, v in found.items()}
