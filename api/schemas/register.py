"""Townships, depots and stock, products, vehicles, staff."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import example
from models.enums import AllowedArea, DepotKind, ProductCategory, StaffRole, VehicleKind, VehicleStatus


class TownshipPublic(BaseModel):
    model_config = example(
        {
            "id": 1,
            "code": "T00",
            "number": 0,
            "name_zh": "城关镇",
            "name_en": "Chengguan",
            "lat": 28.462,
            "lon": 112.318,
            "is_county_town": True,
        }
    )

    id: int
    code: str
    number: int
    name_zh: str
    name_en: str
    lat: float
    lon: float
    is_county_town: bool


class DepotPublic(BaseModel):
    model_config = example(
        {
            "id": 1,
            "code": "DC",
            "kind": "centre",
            "name_zh": "青山县盐业配送中心",
            "name_en": "Qingshan Salt Distribution Centre",
            "township": "T00",
            "address": "城关镇工业路8号",
            "lat": 28.4539,
            "lon": 112.3017,
            "opens_s": 23400,
            "closes_s": 68400,
            "min_order_cases": 5,
            "service_radius_m": None,
            "safety_stock_kg": 0,
        }
    )

    id: int
    code: str
    kind: DepotKind
    name_zh: str
    name_en: str
    township: str
    address: str
    lat: float
    lon: float
    opens_s: int
    closes_s: int
    min_order_cases: int
    service_radius_m: int | None
    safety_stock_kg: int


class StockPublic(BaseModel):
    model_config = example(
        {
            "depot": "S01",
            "product": "S001",
            "on_hand_cases": 400,
            "reserved_cases": 20,
            "safety_cases": 100,
            "free_cases": 380,
        }
    )

    depot: str
    product: str
    on_hand_cases: int
    reserved_cases: int
    safety_cases: int
    free_cases: int


class StockMovementCreate(BaseModel):
    """A receipt (goods in) or a counted adjustment; stock rows are changed only by movements."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "product": "S001",
                    "on_hand_delta": 200,
                    "reason": "receipt",
                    "note": "salt factory delivery",
                }
            ]
        },
    )

    product: str = Field(max_length=16)
    on_hand_delta: int = Field(ge=-1_000_000, le=1_000_000, description="Cases; negative for a loss.")
    reason: Literal["receipt", "adjust"]
    note: str = Field(default="", max_length=500)


class ProductPublic(BaseModel):
    model_config = example(
        {
            "id": 1,
            "code": "S001",
            "name_zh": "加碘精制盐 500g",
            "name_en": "Iodised table salt 500 g",
            "category": "salt",
            "bags_per_case": 40,
            "case_weight_kg": 20,
            "price_fen": 8000,
            "active": True,
        }
    )

    id: int
    code: str
    name_zh: str
    name_en: str
    category: ProductCategory
    bags_per_case: int
    case_weight_kg: int
    price_fen: int
    active: bool


class ProductCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "code": "N009",
                    "name_zh": "白砂糖 1kg",
                    "name_en": "White sugar 1 kg",
                    "category": "non_salt",
                    "bags_per_case": 20,
                    "case_weight_kg": 20,
                    "price_fen": 16000,
                }
            ]
        },
    )

    code: str = Field(min_length=1, max_length=16, pattern=r"^[A-Za-z0-9_-]+$")
    name_zh: str = Field(min_length=1, max_length=64)
    name_en: str = Field(min_length=1, max_length=64)
    category: ProductCategory
    bags_per_case: int = Field(gt=0, le=10_000)
    case_weight_kg: int = Field(gt=0, le=1_000)
    price_fen: int = Field(ge=0, le=10**10)


class ProductUpdate(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [{"price_fen": 8200}]})

    name_zh: str | None = Field(default=None, min_length=1, max_length=64)
    name_en: str | None = Field(default=None, min_length=1, max_length=64)
    price_fen: int | None = Field(default=None, ge=0, le=10**10)
    active: bool | None = None


class VehiclePublic(BaseModel):
    model_config = example(
        {
            "id": 1,
            "plate": "湘X·A5001",
            "kind": "box_truck_5t",
            "status": "active",
            "home_depot": "DC",
            "capacity_kg": 5000,
            "capacity_cases": 250,
            "allowed_area": "any",
            "shift_start_s": 25200,
            "shift_end_s": 61200,
            "cost_per_km_fen": 180,
            "fixed_cost_fen": 9000,
            "driver": "E001",
            "loader": "E002",
        }
    )

    id: int
    plate: str
    kind: VehicleKind
    status: VehicleStatus
    home_depot: str
    capacity_kg: int
    capacity_cases: int
    allowed_area: AllowedArea
    shift_start_s: int
    shift_end_s: int
    cost_per_km_fen: int
    fixed_cost_fen: int
    driver: str | None
    loader: str | None


class VehicleUpdate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"status": "active", "driver": "E001"}]}
    )

    status: VehicleStatus | None = None
    driver: str | None = Field(default=None, max_length=16, description="Staff code.")
    loader: str | None = Field(default=None, max_length=16, description="Staff code.")


class StaffPublic(BaseModel):
    model_config = example(
        {
            "id": 1,
            "code": "E001",
            "name": "孙娜德",
            "role": "driver",
            "depot": "DC",
            "monthly_wage_fen": 230000,
            "phone": None,
            "active": True,
        }
    )

    id: int
    code: str
    name: str
    role: StaffRole
    depot: str | None
    monthly_wage_fen: int
    phone: str | None = Field(description="Only for admin, dispatcher and the person themself.")
    active: bool
