"""Cash after the round: handovers, store day reports, store remittances, monthly-account payments.

The bodies are the ledger's input models (``ledger.schemas``) as JSON; money is
a strict integer of fen. The store of a day report comes from the path.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from api.schemas.common import STRICT_IN, Cases, Fen, PositiveFen, Timestamp, example

IN = STRICT_IN


class HandoverCreate(BaseModel):
    """End of day: the cash (and signed notes) a driver or store staff member hands over, as counted."""

    model_config = ConfigDict(
        **IN,
        json_schema_extra={
            "examples": [
                {
                    "staff": "E001",
                    "on_date": "2026-12-01",
                    "counted_fen": 1831000,
                    "denominations": {"10000": 183, "1000": 1},
                    "notes_returned": 36,
                }
            ]
        },
    )

    staff: str = Field(min_length=1, max_length=16, description="Staff code of who hands over.")
    on_date: dt.date
    counted_fen: Fen
    denominations: dict[str, StrictInt] | None = Field(
        default=None, description="Count per denomination in fen, e.g. {'10000': 3, '500': 1}."
    )
    notes_returned: Cases = 0
    to: str | None = Field(
        default=None,
        max_length=16,
        description="Depot code; default: the staff member's store, else the centre.",
    )
    note: str = Field(default="", max_length=500)


class HandoverPublic(BaseModel):
    model_config = example(
        {
            "id": 4,
            "staff": "E001",
            "name": "孙娜德",
            "date": "2026-12-01",
            "to": "DC",
            "counted_fen": 1831000,
            "denominations": {"10000": 183, "1000": 1},
            "notes_returned": 36,
            "held_before_fen": 1831000,
            "difference_fen": 0,
            "replayed": False,
        }
    )

    id: int
    staff: str
    name: str
    date: dt.date
    to: str | None
    counted_fen: int
    denominations: dict[str, int] | None
    notes_returned: int
    held_before_fen: int = Field(description="What the ledger said the staff member held just before.")
    difference_fen: int = Field(description="counted − held before (negative: cash short).")
    replayed: bool


class HandoverRecord(BaseModel):
    model_config = example(
        {
            "id": 4,
            "staff": "E001",
            "date": "2026-12-01",
            "to": "DC",
            "counted_fen": 1831000,
            "denominations": None,
            "notes_returned": 36,
            "note": "",
            "recorded_by": "user:desk",
            "recorded_at": "2026-12-01T10:05:00Z",
        }
    )

    id: int
    staff: str
    date: dt.date
    to: str | None
    counted_fen: int
    denominations: dict[str, Any] | None
    notes_returned: int
    note: str
    recorded_by: str
    recorded_at: Timestamp


class StoreReportCreate(BaseModel):
    """A store's report of its day to the service centre (the latest one of a day counts)."""

    model_config = ConfigDict(
        **IN,
        json_schema_extra={
            "examples": [{"on_date": "2026-12-01", "stops": 2, "delivered_cases": 11, "cash_fen": 85600}]
        },
    )

    on_date: dt.date
    stops: Cases
    delivered_cases: Cases
    cash_fen: Fen
    note: str = Field(default="", max_length=500)


class StoreReportPublic(BaseModel):
    model_config = example(
        {
            "id": 2,
            "store": "S06",
            "date": "2026-12-01",
            "stops": 2,
            "delivered_cases": 11,
            "cash_fen": 85600,
            "replayed": False,
        }
    )

    id: int
    store: str
    date: dt.date
    stops: int
    delivered_cases: int
    cash_fen: int
    replayed: bool


class RemittanceCreate(BaseModel):
    """A store paying its collected cash in to the centre."""

    model_config = ConfigDict(
        **IN, json_schema_extra={"examples": [{"store": "S06", "on_date": "2026-12-01", "amount_fen": 85600}]}
    )

    store: str = Field(min_length=1, max_length=16, description="Depot code of the store.")
    on_date: dt.date
    amount_fen: PositiveFen
    note: str = Field(default="", max_length=500)


class RemittancePublic(BaseModel):
    model_config = example(
        {
            "posting": "4c2d9e8f-1b3a-4c5d-8e7f-6a5b4c3d2e1f",
            "store": "S06",
            "date": "2026-12-01",
            "amount_fen": 85600,
            "store_cash_fen": 0,
            "replayed": False,
        }
    )

    posting: str
    store: str
    date: dt.date
    amount_fen: int
    store_cash_fen: int = Field(description="Cash the ledger says the store still holds.")
    replayed: bool


class PaymentCreate(BaseModel):
    """A monthly-account customer's payment into the bank."""

    model_config = ConfigDict(
        **IN,
        json_schema_extra={
            "examples": [
                {
                    "customer": "4399010000059",
                    "on_date": "2026-12-20",
                    "amount_fen": 642600,
                    "reference": "BK-8812",
                }
            ]
        },
    )

    customer: str = Field(min_length=1, max_length=13, description="Unified customer code.")
    on_date: dt.date
    amount_fen: PositiveFen
    reference: str = Field(default="", max_length=64, description="Bank reference.")


class PaymentPublic(BaseModel):
    model_config = example(
        {
            "posting": "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
            "customer": "4399010000059",
            "date": "2026-12-20",
            "amount_fen": 642600,
            "receivable_fen": 0,
            "replayed": False,
        }
    )

    posting: str
    customer: str
    date: dt.date
    amount_fen: int
    receivable_fen: int = Field(description="What the customer still owes after the payment.")
    replayed: bool
