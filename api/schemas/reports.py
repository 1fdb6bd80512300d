"""Manager's reports: cost per tonne, case and stop; vehicle use (fen, kg, metres, seconds)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import example
from models.enums import VehicleKind, VehicleStatus
from models.planning import PlanStatus

_SUMMARY = {
    "routes": 9,
    "total_fen": 215000,
    "delivered_kg": 41200,
    "delivered_cases": 2060,
    "stops": 45,
    "distance_m": 312400,
    "per_tonne_fen": 5218,
    "per_case_fen": 104,
    "per_stop_fen": 4778,
    "crew_fen": 33846,
    "loader_fen": 9600,
    "vehicle_fen": 160554,
    "store_fee_fen": 11000,
    "basis": "delivered",
    "stops_recorded": 45,
    "customer_stops": 44,
    "planned_kg": 41350,
    "planned_cases": 2068,
    "transfer_kg": 2000,
    "transfer_cases": 100,
    "transfer_stops": 1,
}


class PlanDay(BaseModel):
    date: dt.date
    plan_id: int
    version: int
    status: PlanStatus


Basis = Literal["planned", "delivered", "mixed"]
_BASIS = (
    "What the quantities count: `delivered` (every stop has a recorded outcome), `planned` (none has), "
    "`mixed` (some have)."
)


class CostSummaryPublic(BaseModel):
    """Costs and quantities of some routes. Customer deliveries and centre-to-store transfers are
    counted apart; cost per tonne and per case are over customer deliveries only."""

    routes: int
    total_fen: int = Field(description="Every cost of the routes (transfer work included).")
    delivered_kg: int = Field(description="Customer deliveries: delivered where recorded, else planned.")
    delivered_cases: int = Field(description="Customer deliveries, cases (same basis).")
    stops: int = Field(description="Every stop, transfers included.")
    distance_m: int
    per_tonne_fen: int | None = Field(
        description="Cost per customer tonne: total_fen ÷ delivered_kg (transfers excluded); "
        "null without a customer tonne."
    )
    per_case_fen: int | None = Field(description="Cost per customer case (transfers excluded).")
    per_stop_fen: int | None = Field(description="Cost per stop, transfers included.")
    crew_fen: int
    loader_fen: int
    vehicle_fen: int
    store_fee_fen: int = Field(description="Per tonne the store delivered (follows the delivered tonnes).")
    basis: Basis = Field(description=_BASIS)
    stops_recorded: int = Field(description="Stops counted on their recorded outcome.")
    customer_stops: int
    planned_kg: int = Field(description="Customer deliveries as planned.")
    planned_cases: int
    transfer_kg: int = Field(description="Centre-to-store transfers (replenishment), same basis; apart.")
    transfer_cases: int
    transfer_stops: int


class DepotCost(CostSummaryPublic):
    depot: str
    kind: str


class DayCost(CostSummaryPublic):
    date: dt.date
    plan_id: int
    version: int
    status: PlanStatus
    depots: list[DepotCost]


class RouteCostPublic(CostSummaryPublic):
    date: dt.date
    route: str
    vehicle: str
    depot: str
    depot_kind: str


class CostReport(BaseModel):
    model_config = example(
        {
            "date_from": "2026-12-01",
            "date_to": "2026-12-31",
            "plans": [{"date": "2026-12-01", "plan_id": 3, "version": 1, "status": "confirmed"}],
            "total": _SUMMARY,
            "centre": _SUMMARY,
            "stores": _SUMMARY | {"routes": 0, "total_fen": 0, "per_tonne_fen": None},
            "depots": [_SUMMARY | {"depot": "DC", "kind": "centre"}],
            "days": [
                _SUMMARY
                | {"date": "2026-12-01", "plan_id": 3, "version": 1, "status": "confirmed", "depots": []}
            ],
            "routes": [],
            "basis": "delivered",
        }
    )

    date_from: dt.date
    date_to: dt.date
    plans: list[PlanDay] = Field(description="The plan counted for each planned day.")
    basis: Basis = Field(description=_BASIS)
    total: CostSummaryPublic
    centre: CostSummaryPublic
    stores: CostSummaryPublic
    depots: list[DepotCost] = Field(description="Per depot over the whole range.")
    days: list[DayCost] = Field(description="Per planned day, with its depots.")
    routes: list[RouteCostPublic]


class VehicleUse(BaseModel):
    vehicle: str = Field(description="Plate.")
    kind: VehicleKind
    status: VehicleStatus
    home_depot: str
    capacity_kg: int
    capacity_cases: int
    shift_s: int = Field(description="Length of the vehicle's shift.")
    days_used: int
    days_pct: float | None = Field(description="Days used of the planned days, %.")
    routes: int
    distance_m: int
    load_kg: int
    load_pct: float | None = Field(description="Load against capacity over its routes, %.")
    load_cases: int
    cases_pct: float | None
    duration_s: int
    shift_pct: float | None = Field(description="Route time against shift time on the days used, %.")


class FleetUse(BaseModel):
    vehicles: int
    used: int
    routes: int
    distance_m: int
    load_kg: int
    load_pct: float | None
    duration_s: int
    shift_pct: float | None


class UtilisationReport(BaseModel):
    model_config = example(
        {
            "date_from": "2026-12-01",
            "date_to": "2026-12-31",
            "days": 31,
            "days_planned": 1,
            "plans": [{"date": "2026-12-01", "plan_id": 3, "version": 1, "status": "confirmed"}],
            "vehicles": [
                {
                    "vehicle": "湘X·A5001",
                    "kind": "box_truck_5t",
                    "status": "active",
                    "home_depot": "DC",
                    "capacity_kg": 5000,
                    "capacity_cases": 250,
                    "shift_s": 36000,
                    "days_used": 1,
                    "days_pct": 100.0,
                    "routes": 2,
                    "distance_m": 176000,
                    "load_kg": 8400,
                    "load_pct": 84.0,
                    "load_cases": 420,
                    "cases_pct": 84.0,
                    "duration_s": 30600,
                    "shift_pct": 85.0,
                }
            ],
            "fleet": {
                "vehicles": 6,
                "used": 3,
                "routes": 9,
                "distance_m": 312400,
                "load_kg": 41200,
                "load_pct": 71.2,
                "duration_s": 86400,
                "shift_pct": 80.0,
            },
        }
    )

    date_from: dt.date
    date_to: dt.date
    days: int = Field(description="Calendar days in the range.")
    days_planned: int
    plans: list[PlanDay]
    vehicles: list[VehicleUse]
    fleet: FleetUse


class StockLine(BaseModel):
    product: str
    on_hand: int
    reserved: int
    free: int
    safety: int
    cases_per_day: float = Field(description="Average cases ordered per day over the window.")
    days_of_cover: float | None = Field(description="free ÷ cases_per_day; null when nothing was ordered.")
    below_safety: bool
    low: bool = Field(description="Under 3 days of cover.")


class DepotCover(BaseModel):
    depot: str
    name: str
    kind: str
    customers: int = Field(description="Customers whose orders count as this depot's demand.")
    products: list[StockLine]


class StockReport(BaseModel):
    model_config = example(
        {
            "as_of": "2026-11-30",
            "days": 30,
            "first": "2026-11-01",
            "depots": [
                {
                    "depot": "S01",
                    "name": "青石镇门店",
                    "kind": "store",
                    "customers": 24,
                    "products": [
                        {"product": "S001", "on_hand": 91, "reserved": 0, "free": 91, "safety": 180,
                         "cases_per_day": 9.13, "days_of_cover": 10.0, "below_safety": True, "low": False}
                    ],
                }
            ],
        }
    )

    as_of: dt.date
    days: int
    first: dt.date
    depots: list[DepotCover]
