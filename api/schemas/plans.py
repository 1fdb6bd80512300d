"""Plan jobs, plan versions, routes and stops, consolidations."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Timestamp, example
from models.accounts import JobState
from models.planning import PlanStatus, StopKind


class PlanJobCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"date": "2026-12-01", "time_limit_s": 30, "fleet": "today"}]},
    )

    date: dt.date | None = Field(default=None, description="Delivery day; default the next one with orders.")
    time_limit_s: int = Field(default=30, ge=1, le=600, description="Solver time limit (s).")
    solution_limit: int | None = Field(
        default=None, ge=1, le=100_000, description="Stop after this many improving solutions."
    )
    fleet: Literal["today", "planned"] = "today"


class PlanJobPublic(BaseModel):
    model_config = example(
        {
            "id": "6f1c3a52-1d7e-4c1e-9d0a-2b9f0e8c7a11",
            "date": "2026-12-01",
            "state": "succeeded",
            "progress": 100,
            "message": "done",
            "executor": "process",
            "cancel_requested": False,
            "plan_id": 3,
            "created_by": "user:dispatch",
            "created_at": "2026-11-30T08:00:00Z",
            "started_at": "2026-11-30T08:00:01Z",
            "finished_at": "2026-11-30T08:00:33Z",
            "params": {"time_limit_s": 30, "fleet": "today"},
            "result": {
                "plan_id": 3,
                "date": "2026-12-01",
                "version": 1,
                "orders": 60,
                "planned": 42,
                "held": [],
                "unassigned": [],
                "routes": 9,
                "km": 312.4,
                "cost_per_ton_fen": 5210,
                "feasible": True,
            },
        }
    )

    id: str
    date: dt.date | None
    state: JobState
    progress: int = Field(ge=0, le=100)
    message: str
    executor: str
    cancel_requested: bool
    plan_id: int | None
    created_by: str
    created_at: Timestamp
    started_at: Timestamp | None
    finished_at: Timestamp | None
    params: dict[str, Any]
    result: dict[str, Any] | None = Field(description="The plan summary, when the job succeeded.")


class PlanVersionPublic(BaseModel):
    model_config = example(
        {
            "id": 3,
            "date": "2026-12-01",
            "version": 1,
            "status": "draft",
            "fleet": "today",
            "feasible": True,
            "routes": 9,
            "distance_m": 312400,
            "cost_fen": 215000,
            "delivered_kg": 41200,
            "created_by": "user:dispatch",
            "created_at": "2026-11-30T08:00:33Z",
            "job_id": None,
        }
    )

    id: int
    date: dt.date
    version: int
    status: PlanStatus
    fleet: str
    feasible: bool
    routes: int
    distance_m: int
    cost_fen: int
    delivered_kg: int
    created_by: str
    created_at: Timestamp
    job_id: str | None


class StopCustomer(BaseModel):
    code: str
    name: str
    contact_name: str | None
    phone: str | None
    address: str | None


class StopPublic(BaseModel):
    id: int
    code: str
    seq: int
    kind: StopKind
    order: str | None = Field(description="Dispatch order number (deliveries).")
    customer: StopCustomer | None
    store: str | None = Field(description="Depot code (replenishments).")
    arrival_s: int
    service_start_s: int
    departure_s: int
    kg: int
    cases: int
    lines: list[dict[str, Any]] | None


_ROUTE_EXAMPLE: dict[str, Any] = {
    "id": 1,
    "code": "20261201-V1-R01",
    "plan_id": 3,
    "date": "2026-12-01",
    "plan_status": "draft",
    "number": 1,
    "vehicle": "湘X·A5001",
    "depot": "DC",
    "driver": "E001",
    "loader": "E002",
    "start_s": 25200,
    "end_s": 52000,
    "distance_m": 88000,
    "duration_s": 26800,
    "load_kg": 4200,
    "load_cases": 210,
    "cost_fen": 61000,
    "stops_count": 11,
}


class RoutePublic(BaseModel):
    model_config = example(_ROUTE_EXAMPLE)

    id: int
    code: str
    plan_id: int
    date: dt.date
    plan_status: PlanStatus
    number: int
    vehicle: str
    depot: str
    driver: str | None
    loader: str | None
    start_s: int
    end_s: int
    distance_m: int
    duration_s: int
    load_kg: int
    load_cases: int
    cost_fen: int
    stops_count: int


class RouteDetail(RoutePublic):
    model_config = example(
        {
            **_ROUTE_EXAMPLE,
            "stops_count": 1,
            "stops": [
                {
                    "id": 1,
                    "code": "20261201-V1-R01-01",
                    "seq": 1,
                    "kind": "delivery",
                    "order": "CO202612010001",
                    "customer": {
                        "code": "4399010000016",
                        "name": "蔡记酒家",
                        "contact_name": None,
                        "phone": None,
                        "address": None,
                    },
                    "store": None,
                    "arrival_s": 27000,
                    "service_start_s": 28800,
                    "departure_s": 29400,
                    "kg": 120,
                    "cases": 6,
                    "lines": [{"product": "S001", "cases": 6}],
                }
            ],
        }
    )

    stops: list[StopPublic]


class ConsolidationPublic(BaseModel):
    model_config = example(
        {
            "id": 1,
            "date": "2026-12-01",
            "cut_off_at": "2026-11-30T08:00:00Z",
            "created_at": "2026-11-30T08:00:05Z",
            "actor": "user:dispatch",
            "summary": {"dispatch_orders": 60, "held": 13},
        }
    )

    id: int
    date: dt.date
    cut_off_at: Timestamp
    created_at: Timestamp
    actor: str
    summary: dict[str, Any] | None
