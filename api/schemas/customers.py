"""Customers: the register. Contact name, phone and address are personal data."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import Timestamp, example
from models.enums import CustomerStatus, CustomerType, PaymentTerms

_EXAMPLE = {
    "id": 1,
    "code": "4399010000016",
    "name": "蔡记酒家",
    "type": "restaurant",
    "township": "T00",
    "village": "",
    "lat": 28.45674,
    "lon": 112.312616,
    "cycle_days": 15,
    "service_24h": False,
    "payment_terms": "cod",
    "credit_limit_fen": 150000,
    "recv_open_s": 28800,
    "recv_close_s": 41400,
    "status": "active",
    "created_at": "2026-11-01T00:00:00Z",
    "personal_visible": True,
    "contact_name": "韦卫凤",
    "phone": "17362833125",
    "address": "青山县城关镇新华路202号",
}


class CustomerPublic(BaseModel):
    model_config = example(
        _EXAMPLE, _EXAMPLE | {"personal_visible": False, "contact_name": None, "phone": None, "address": None}
    )

    id: int
    code: str
    name: str
    type: CustomerType
    township: str
    village: str
    lat: float
    lon: float
    cycle_days: int
    service_24h: bool
    payment_terms: PaymentTerms
    credit_limit_fen: int
    recv_open_s: int
    recv_close_s: int
    status: CustomerStatus
    created_at: Timestamp
    personal_visible: bool = Field(description="Whether the caller may see the contact data below.")
    contact_name: str | None = Field(description="Personal data: null when the caller may not see it.")
    phone: str | None = Field(description="Personal data: null when the caller may not see it.")
    address: str | None = Field(description="Personal data: null when the caller may not see it.")


class CustomerCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "4399010009994",
                    "name": "新华便利店",
                    "type": "grocery",
                    "township": "T00",
                    "lat": 28.46,
                    "lon": 112.32,
                    "address": "城关镇新华路1号",
                    "contact_name": "李明",
                    "phone": "13800000000",
                    "payment_terms": "cod",
                }
            ]
        },
    )

    code: str = Field(min_length=13, max_length=13, description="Unified customer code (with check digit).")
    name: str = Field(min_length=1, max_length=100)
    type: CustomerType
    township: str = Field(max_length=16, description="Township code.")
    village: str = Field(default="", max_length=64)
    lat: float = Field(ge=18.0, le=54.0)
    lon: float = Field(ge=73.0, le=135.5)
    address: str = Field(default="", max_length=200)
    contact_name: str = Field(default="", max_length=64)
    phone: str = Field(default="", max_length=32)
    cycle_days: int = Field(default=15, ge=1, le=366)
    service_24h: bool = False
    payment_terms: PaymentTerms = PaymentTerms.CASH_ON_DELIVERY
    credit_limit_fen: int = Field(default=0, ge=0, le=10**12)
    recv_open_s: int = Field(default=8 * 3600, ge=0, lt=86400)
    recv_close_s: int = Field(default=18 * 3600, gt=0, le=86400)


class CustomerUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"phone": "13900000000", "status": "suspended"}]}
    )

    name: str | None = Field(default=None, min_length=1, max_length=100)
    address: str | None = Field(default=None, max_length=200)
    contact_name: str | None = Field(default=None, max_length=64)
    phone: str | None = Field(default=None, max_length=32)
    cycle_days: int | None = Field(default=None, ge=1, le=366)
    service_24h: bool | None = None
    payment_terms: PaymentTerms | None = None
    credit_limit_fen: int | None = Field(default=None, ge=0, le=10**12)
    status: CustomerStatus | None = None


class ImportResult(BaseModel):
    model_config = example({"created": 12, "updated": 0, "rows": 12})

    created: int = 0
    updated: int = 0
    rows: int = 0
    lines: int | None = None
