"""Register-wide operations: migrate, reset, load a scenario, summarise."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import migrate
from models.db import dispose_engines, session_scope
from models.enums import OPEN_ORDER_STATUSES, DepotKind, VehicleStatus
from models.orm import County, Customer, Depot, Order, Product, Township, Vehicle
from models.settings import Settings
from scenarios.loader import load_scenario, scenario_dir
from scenarios.model import Scenario


def db_upgrade(settings: Settings, revision: str = "head") -> str:
    """Apply migrations up to ``revision``; return the revision now current."""
    return migrate.upgrade(settings.effective_database_url, revision)


def db_reset(settings: Settings) -> str:
    """Drop everything (downgrade to base) and migrate to head again."""
    url = settings.effective_database_url
    dispose_engines()
    migrate.downgrade(url, "base")
    return migrate.upgrade(url, "head")


def scenario_load(
    settings: Settings, name: str | None = None, *, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Load a bundled (or given-folder) scenario into the database, in one transaction."""
    folder = scenario_dir(name)
    sc = Scenario.read(folder)
    with session_scope(settings) as session:
        counts = load_scenario(session, sc, progress=progress)
        roads = folder / "roads.npz"
        if roads.is_file():
            from services.network import register_scenario_network

            if progress:
                progress("road network")
            counts["road_network"] = register_scenario_network(session, settings, roads, sc.name)
    return {"scenario": sc.name, "folder": str(folder), "loaded": counts}


def summary(session: Session) -> dict[str, Any]:
    """Counts a newcomer wants first: the county, its register, open orders."""

    def count(model: Any, *where: Any) -> int:
        return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)

    county = session.scalars(select(County)).first()
    depots = dict(session.execute(select(Depot.kind, func.count()).group_by(Depot.kind)).all())
    fleet = dict(
        session.execute(
            select(Vehicle.status, func.count())
            .join(Depot, Vehicle.home_depot_id == Depot.id)
            .where(Depot.kind == DepotKind.CENTRE)
            .group_by(Vehicle.status)
        ).all()
    )
    return {
        "county": None
        if county is None
        else {
            "code": county.code,
            "name_zh": county.name_zh,
            "name_en": county.name_en,
            "today": county.today,
        },
        "townships": count(Township),
        "customers": count(Customer),
        "depots": {
            "centre": int(depots.get(DepotKind.CENTRE, 0)),
            "store": int(depots.get(DepotKind.STORE, 0)),
        },
        "vehicles": count(Vehicle, Vehicle.status != VehicleStatus.RETIRED),
        "centre_fleet": {
            "today": int(fleet.get(VehicleStatus.ACTIVE, 0)),
            "planned": int(fleet.get(VehicleStatus.ACTIVE, 0)) + int(fleet.get(VehicleStatus.PLANNED, 0)),
        },
        "products": count(Product),
        "orders": count(Order),
        "open_orders": count(Order, Order.status.in_(sorted(OPEN_ORDER_STATUSES))),
        "next_delivery_date": session.scalar(
            select(func.min(Order.delivery_date)).where(Order.status.in_(sorted(OPEN_ORDER_STATUSES)))
        ),
    }
