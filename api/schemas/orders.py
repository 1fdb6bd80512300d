"""Orders: what customers asked for, from the four channels."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Timestamp, example
from models.enums import Channel, OrderStatus


class OrderLineIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    product: str = Field(max_length=16, description="Product code.")
    cases: int = Field(gt=0, le=100_000)


class OrderCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "customer": "4399010000016",
                    "channel": "inbound_call",
                    "delivery_date": "2026-12-01",
                    "lines": [{"product": "S001", "cases": 6}],
                    "external_ref": "CALL-20261130-0042",
                    "note": "back door",
                }
            ]
        },
    )

    customer: str = Field(max_length=13, description="Unified customer code.")
    channel: Channel
    delivery_date: dt.date
    lines: list[OrderLineIn] = Field(min_length=1, max_length=100)
    external_ref: str | None = Field(default=None, min_length=1, max_length=64)
    note: str = Field(default="", max_length=500)


class OrderLinePublic(BaseModel):
    product: str
    cases: int
    price_fen: int


class OrderPublic(BaseModel):
    model_config = example(
        {
            "id": 1,
            "number": "DO202611300001",
            "customer": "4399010000016",
            "customer_name": "蔡记酒家",
            "channel": "inbound_call",
            "received_at": "2026-11-30T02:00:00Z",
            "delivery_date": "2026-12-01",
            "status": "received",
            "hold_reason": None,
            "external_ref": "CALL-20261130-0042",
            "reported_by": None,
            "note": "",
            "total_cases": 6,
            "value_fen": 48000,
            "lines": [{"product": "S001", "cases": 6, "price_fen": 8000}],
        }
    )

    id: int
    number: str
    customer: str
    customer_name: str
    channel: Channel
    received_at: Timestamp
    delivery_date: dt.date
    status: OrderStatus
    hold_reason: str | None
    external_ref: str | None
    reported_by: str | None = Field(description="Depot code of the store that reported it.")
    note: str
    total_cases: int
    value_fen: int
    lines: list[OrderLinePublic]
