"""Reconciliation, flags, receivables ageing (money integer fen). See ``docs/ledger.md`` for every field."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import example

FLAG_EXAMPLE: dict[str, Any] = {
    "id": "2026-12-01/cash_short/E003",
    "kind": "cash_short",
    "route": None,
    "stop": None,
    "amount_fen": 5000,
    "status": "open",
    "detail": "handed over ¥1,976.00 of ¥2,026.00 collected",
    "comment": None,
    "by": None,
    "at": None,
    "driver": "E003",
}


class FlagPublic(BaseModel):
    """One difference found by the reconciliation; ``id`` = ``<date>/<kind>/<subject>``."""

    model_config = ConfigDict(extra="allow", json_schema_extra={"examples": [FLAG_EXAMPLE]})

    id: str
    kind: str
    route: str | None
    stop: str | None
    amount_fen: int
    status: Literal["open", "explained", "resolved"]
    detail: str = ""
    comment: str | None = None
    by: str | None = None
    at: str | None = None
    driver: str | None = None
    customer: str | None = None
    store: str | None = None


class FlagEvent(BaseModel):
    status: str
    comment: str
    by: str
    at: str


class FlagDetail(BaseModel):
    model_config = example(
        FLAG_EXAMPLE
        | {
            "current": True,
            "history": [
                {
                    "status": "explained",
                    "comment": "E003 paid the 50 yuan in",
                    "by": "user:finance",
                    "at": "2026-12-02T01:00:00+00:00",
                }
            ],
        }
    )

    id: str
    kind: str
    route: str | None
    stop: str | None
    amount_fen: int
    status: str
    detail: str = ""
    driver: str | None = None
    customer: str | None = None
    store: str | None = None
    current: bool = Field(description="False when the difference is no longer found (cleared).")
    history: list[FlagEvent]


class FlagStatusUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"status": "explained", "comment": "E003 paid the 50 yuan in"}]},
    )

    status: Literal["open", "explained", "resolved"]
    comment: str = Field(min_length=1, max_length=500, description="Why (kept with the flag's history).")


class PlanRef(BaseModel):
    id: int
    version: int
    status: str


class LedgerAudit(BaseModel):
    balanced: bool
    postings: int
    entries: int
    total_fen: int


class ReconciliationPublic(BaseModel):
    """The next-morning check of a day: cash due = collected = handed over, and every difference flagged."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "date": "2026-12-01",
                    "plan": {"id": 3, "version": 1, "status": "confirmed"},
                    "stops": 45,
                    "deliveries": 45,
                    "with_outcome": 45,
                    "outcome_missing": 0,
                    "signed": 44,
                    "delivered": 42,
                    "short": 2,
                    "refused": 1,
                    "ordered_cases": 412,
                    "planned_cases": 412,
                    "delivered_cases": 398,
                    "planned_fen": 2862000,
                    "billed_fen": 2761800,
                    "due_fen": 2119200,
                    "on_account_fen": 642600,
                    "collected_fen": 2119200,
                    "handed_over_fen": 2114200,
                    "cash_difference_fen": -5000,
                    "flag_counts": {"cash_short": 1, "missing_signature": 1},
                    "open_flags": 2,
                    "flags": [FLAG_EXAMPLE],
                    "cleared_flags": [],
                    "routes": [],
                    "drivers": [],
                    "stores": [],
                    "customers": [],
                    "stop_details": [],
                    "ledger": {"balanced": True, "postings": 92, "entries": 184, "total_fen": 0},
                }
            ]
        },
    )

    date: dt.date
    plan: PlanRef
    stops: int
    deliveries: int
    with_outcome: int
    outcome_missing: int
    signed: int
    delivered: int
    short: int
    refused: int
    ordered_cases: int
    planned_cases: int
    delivered_cases: int
    planned_fen: int
    billed_fen: int
    due_fen: int
    on_account_fen: int
    collected_fen: int
    handed_over_fen: int
    cash_difference_fen: int = Field(description="handed_over_fen − collected_fen.")
    flag_counts: dict[str, int]
    open_flags: int
    flags: list[FlagPublic]
    cleared_flags: list[dict[str, Any]]
    routes: list[dict[str, Any]] = Field(
        description="Per route: stops, cases, billed, due, collected, handed over."
    )
    drivers: list[dict[str, Any]] = Field(description="Per driver, with handover, notes and cash still held.")
    stores: list[dict[str, Any]] = Field(description="Per store: handed in, remitted, its report.")
    customers: list[dict[str, Any]] = Field(description="Per customer, with the receivable balance.")
    stop_details: list[dict[str, Any]] = Field(description="One line per stop.")
    ledger: LedgerAudit


class AgeingRow(BaseModel):
    customer: str
    name: str
    terms: str
    credit_limit_fen: int
    balance_fen: int
    credit_fen: int = Field(description="Payments not yet allocated to a delivery.")
    buckets: dict[str, int] = Field(description="Open amounts by age in days: 0_30, 31_60, 61_90, over_90.")
    oldest_days: int
    over_limit: bool


class AgeingPublic(BaseModel):
    model_config = example(
        {
            "as_of": "2026-12-31",
            "customers": [
                {
                    "customer": "4399010000059",
                    "name": "惠民超市(城关镇店)",
                    "terms": "monthly",
                    "credit_limit_fen": 2000000,
                    "balance_fen": 57600,
                    "credit_fen": 0,
                    "buckets": {"0_30": 57600, "31_60": 0, "61_90": 0, "over_90": 0},
                    "oldest_days": 30,
                    "over_limit": False,
                }
            ],
            "totals": {"0_30": 57600, "31_60": 0, "61_90": 0, "over_90": 0},
            "balance_fen": 57600,
        }
    )

    as_of: dt.date
    customers: list[AgeingRow]
    totals: dict[str, int]
    balance_fen: int
