"""Stops and their outcomes: the JSON contract of the ledger's ``OutcomeIn`` (``ledger.schemas``).

Money is a strict integer of fen (``640.0`` is refused, never rounded), images
are base64 (PNG, JPEG, GIF or WebP, at most 5 MB), times carry their offset.
The stop comes from the path, not the body.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool

from api.schemas.common import STRICT_IN, Cases, Fen, Timestamp, example
from models.enums import PaymentTerms
from models.planning import PlanStatus, StopKind

MAX_IMAGE = 5 * 1024 * 1024
Image = Annotated[
    bytes,
    Field(max_length=MAX_IMAGE, description="Base64 of a PNG, JPEG, GIF or WebP image (at most 5 MB)."),
]
IN = STRICT_IN

OUTCOME_EXAMPLE: dict[str, Any] = {
    "lines": [
        {"product": "S001", "delivered_cases": 6},
        {"product": "N001", "delivered_cases": 1, "shortfall": "damaged", "reason": "bags split"},
    ],
    "signed": True,
    "signer_name": "张三",
    "occurred_at": "2026-12-01T10:42:00+08:00",
    "lat": 28.4625,
    "lon": 112.317,
    "payment_method": "cod",
    "cash_collected_fen": 48000,
    "receipt_number": "00001005",
    "note": "",
}


class OutcomeLineIn(BaseModel):
    """One product line as delivered; a shortfall says why cases were not."""

    model_config = IN

    product: str = Field(min_length=1, max_length=16, description="Product code.")
    delivered_cases: Cases
    shortfall: Literal["short", "refused", "damaged"] | None = None
    reason: str = Field(default="", max_length=200)


class OutcomeCreate(BaseModel):
    """What happened at the stop, as the signed delivery note says (every planned line, 0 if none)."""

    model_config = ConfigDict(**IN, json_schema_extra={"examples": [OUTCOME_EXAMPLE]})

    lines: list[OutcomeLineIn] = Field(min_length=1, max_length=50)
    signed: StrictBool
    signer_name: str | None = Field(default=None, max_length=64, description="Required when signed.")
    not_signed_reason: str | None = Field(
        default=None, max_length=200, description="Required when not signed."
    )
    signature: Image | None = None
    photo: Image | None = None
    occurred_at: AwareDatetime
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    payment_method: Literal["cod", "monthly"] | None = Field(
        default=None, description="Default: the customer's payment terms."
    )
    cash_collected_fen: Fen = 0
    receipt_number: str | None = Field(default=None, max_length=32)
    note: str = Field(default="", max_length=500)


class OutcomeCorrection(OutcomeCreate):
    """A new version of the stop's outcome; the previous one's postings and stock moves are reversed."""

    model_config = ConfigDict(
        **IN, json_schema_extra={"examples": [OUTCOME_EXAMPLE | {"reason": "miscounted: 7 cases, not 6"}]}
    )

    reason: str = Field(min_length=1, max_length=200, description="Why the outcome is corrected.")


class OutcomeResultPublic(BaseModel):
    model_config = example(
        {
            "outcome_id": 17,
            "stop": "20261201-V1-R01-03",
            "version": 1,
            "status": "delivered",
            "billed_fen": 48000,
            "cash_collected_fen": 48000,
            "postings": ["0b6f1c9e-8a7d-4f7e-9a57-5d1c2e3f4a5b", "4c2d9e8f-1b3a-4c5d-8e7f-6a5b4c3d2e1f"],
            "replayed": False,
        }
    )

    outcome_id: int
    stop: str
    version: int = Field(description="1 for the first outcome; each correction adds one.")
    status: Literal["delivered", "short", "refused"]
    billed_fen: int
    cash_collected_fen: int
    postings: list[str] = Field(description="Ids of the ledger postings this version wrote.")
    replayed: bool = Field(description="True when the ledger had already recorded this very write.")


class PostingRef(BaseModel):
    id: str
    kind: str
    reverses: str | None


class OutcomeVersion(BaseModel):
    model_config = example(
        {
            "id": 17,
            "version": 1,
            "status": "delivered",
            "lines": [
                {
                    "product": "S001",
                    "ordered_cases": 6,
                    "planned_cases": 6,
                    "delivered_cases": 6,
                    "price_fen": 8000,
                    "shortfall": None,
                    "reason": "",
                }
            ],
            "signed": True,
            "signer_name": "张三",
            "not_signed_reason": None,
            "has_signature_image": True,
            "has_photo": False,
            "occurred_at": "2026-12-01T02:42:00+00:00",
            "lat": 28.4625,
            "lon": 112.317,
            "payment_method": "cod",
            "billed_fen": 48000,
            "cash_collected_fen": 48000,
            "receipt_number": "00001005",
            "correction_reason": None,
            "recorded_by": "user:wang.driver",
            "recorded_at": "2026-12-01T02:42:05+00:00",
            "postings": [
                {"id": "0b6f1c9e-8a7d-4f7e-9a57-5d1c2e3f4a5b", "kind": "delivery", "reverses": None}
            ],
        }
    )

    id: int
    version: int
    status: str
    lines: list[dict[str, Any]]
    signed: bool
    signer_name: str | None
    not_signed_reason: str | None
    has_signature_image: bool
    has_photo: bool
    occurred_at: str
    lat: float | None
    lon: float | None
    payment_method: str | None
    billed_fen: int
    cash_collected_fen: int
    receipt_number: str | None
    correction_reason: str | None
    recorded_by: str
    recorded_at: str
    postings: list[PostingRef]


class StopLine(BaseModel):
    product: str
    cases: int = Field(description="Cases loaded for this stop.")
    ordered_cases: int | None = None
    price_fen: int | None = Field(default=None, description="Unit price (deliveries).")


class StopCustomerDetail(BaseModel):
    code: str
    name: str
    address: str = Field(description="The delivery address (printed on the note and the map sheet).")
    payment_terms: PaymentTerms
    contact_name: str | None = Field(description="Personal data: null when the caller may not see it.")
    phone: str | None = Field(description="Personal data: null when the caller may not see it.")


class CurrentOutcome(BaseModel):
    version: int
    status: str
    signed: bool
    billed_fen: int
    cash_collected_fen: int
    recorded_at: Timestamp


class StopDetail(BaseModel):
    model_config = example(
        {
            "id": 3,
            "code": "20261201-V1-R01-03",
            "route": "20261201-V1-R01",
            "date": "2026-12-01",
            "plan_status": "confirmed",
            "seq": 3,
            "kind": "delivery",
            "order": "CO202612010003",
            "customer": {
                "code": "4399010000016",
                "name": "蔡记酒家",
                "address": "青山县城关镇新华路202号",
                "payment_terms": "cod",
                "contact_name": "韦卫凤",
                "phone": "17362833125",
            },
            "store": None,
            "arrival_s": 34200,
            "service_start_s": 34200,
            "departure_s": 34800,
            "kg": 120,
            "cases": 6,
            "lines": [{"product": "S001", "cases": 6, "ordered_cases": 6, "price_fen": 8000}],
            "value_fen": 48000,
            "cash_due_fen": 48000,
            "note_number": "DN20261201-0003",
            "receipt_number": "00001005",
            "personal_visible": True,
            "outcome": None,
        }
    )

    id: int
    code: str
    route: str
    date: dt.date
    plan_status: PlanStatus
    seq: int
    kind: StopKind
    order: str | None = Field(description="Dispatch order number (deliveries).")
    customer: StopCustomerDetail | None
    store: str | None = Field(description="Depot code (replenishments).")
    arrival_s: int
    service_start_s: int
    departure_s: int
    kg: int
    cases: int
    lines: list[StopLine]
    value_fen: int = Field(description="Goods loaded × price.")
    cash_due_fen: int = Field(description="To collect on the spot (cash-on-delivery customers), else 0.")
    note_number: str | None = Field(description="Delivery-note number, once the route has been printed.")
    receipt_number: str | None = Field(description="Cash receipt number printed on the note, if any.")
    personal_visible: bool = Field(description="Whether the contact name and phone are shown.")
    outcome: CurrentOutcome | None = Field(description="The current outcome version, if any.")
