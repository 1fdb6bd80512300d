"""The scenario file: plain records that reference each other by user codes.

A scenario is what the generator writes and the loader reads: the county,
its townships and villages, depots with stock, products, vehicles, staff,
customers and order history. It is stored as JSON, one record per line so
that a diff of a regenerated scenario is readable.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

SCENARIO_FILE = "scenario.json"
ROADS_FILE = "roads.npz"


@dataclass(frozen=True)
class CountyRec:
    code: str
    name_zh: str
    name_en: str
    lat: float
    lon: float
    today: dt.date


@dataclass(frozen=True)
class TownshipRec:
    code: str
    number: int
    name_zh: str
    name_en: str
    lat: float
    lon: float
    is_county_town: bool


@dataclass(frozen=True)
class VillageRec:
    code: str
    township: str
    name_zh: str
    name_en: str
    lat: float
    lon: float


@dataclass(frozen=True)
class StockRec:
    product: str
    on_hand_cases: int
    safety_cases: int


@dataclass(frozen=True)
class DepotRec:
    code: str
    kind: str
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
    stock: tuple[StockRec, ...] = ()


@dataclass(frozen=True)
class ProductRec:
    code: str
    name_zh: str
    name_en: str
    category: str
    bags_per_case: int
    case_weight_kg: int
    price_fen: int


@dataclass(frozen=True)
class StaffRec:
    code: str
    name: str
    role: str
    depot: str | None
    monthly_wage_fen: int
    phone: str | None


@dataclass(frozen=True)
class VehicleRec:
    plate: str
    kind: str
    status: str
    home_depot: str
    capacity_kg: int
    capacity_cases: int
    allowed_area: str
    townships: tuple[str, ...]
    speed_profile: str
    shift_start_s: int
    shift_end_s: int
    max_route_s: int
    max_route_m: int | None
    cost_per_km_fen: int
    fixed_cost_fen: int
    needs_loader: bool
    driver: str | None
    loader: str | None


@dataclass(frozen=True)
class CustomerRec:
    code: str
    name: str
    type: str
    township: str
    village: str
    lat: float
    lon: float
    address: str
    contact_name: str
    phone: str
    cycle_days: int
    cycle_offset: int | None
    service_24h: bool
    payment_terms: str
    credit_limit_fen: int
    manager: str | None
    recv_open_s: int
    recv_close_s: int
    recv2_open_s: int | None
    recv2_close_s: int | None
    status: str = "active"


@dataclass(frozen=True)
class LineRec:
    product: str
    cases: int


@dataclass(frozen=True)
class OrderRec:
    number: str
    customer: str
    channel: str
    received_at: dt.datetime
    delivery_date: dt.date
    status: str
    external_ref: str | None
    reported_by: str | None
    lines: tuple[LineRec, ...]
    note: str = ""


@dataclass
class Scenario:
    """A whole scenario; ``name`` is the folder name under ``scenarios/data``."""

    name: str
    seed: int
    county: CountyRec
    townships: list[TownshipRec] = field(default_factory=list)
    villages: list[VillageRec] = field(default_factory=list)
    depots: list[DepotRec] = field(default_factory=list)
    products: list[ProductRec] = field(default_factory=list)
    staff: list[StaffRec] = field(default_factory=list)
    vehicles: list[VehicleRec] = field(default_factory=list)
    customers: list[CustomerRec] = field(default_factory=list)
    orders: list[OrderRec] = field(default_factory=list)

    SECTIONS = (
        ("townships", TownshipRec),
        ("villages", VillageRec),
        ("depots", DepotRec),
        ("products", ProductRec),
        ("staff", StaffRec),
        ("vehicles", VehicleRec),
        ("customers", CustomerRec),
        ("orders", OrderRec),
    )

    # ---- JSON -------------------------------------------------------------
    def to_json(self) -> str:
        """Deterministic JSON text: header fields, then one record per line."""
        parts = [
            "{",
            f'"name": {_dump(self.name)},',
            f'"seed": {self.seed},',
            f'"county": {_dump(_plain(self.county))},',
        ]
        for i, (section, _cls) in enumerate(self.SECTIONS):
            records = getattr(self, section)
            body = ",\n".join(_dump(_plain(r)) for r in records)
            comma = "," if i < len(self.SECTIONS) - 1 else ""
            parts.append(f'"{section}": [\n{body}\n]{comma}')
        parts.append("}")
        return "\n".join(parts) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Scenario:
        raw = json.loads(text)
        sc = cls(name=raw["name"], seed=raw["seed"], county=_build(CountyRec, raw["county"]))
        for section, rec_cls in cls.SECTIONS:
            setattr(sc, section, [_build(rec_cls, r) for r in raw.get(section, [])])
        return sc

    def write(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / SCENARIO_FILE
        path.write_text(self.to_json(), encoding="utf-8")
        return path

    @classmethod
    def read(cls, folder: Path) -> Scenario:
        return cls.from_json((folder / SCENARIO_FILE).read_text(encoding="utf-8"))


def _dump(obj: Any) -> str:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def _plain(rec: Any) -> Any:
    if dataclasses.is_dataclass(rec) and not isinstance(rec, type):
        return {f.name: _plain(getattr(rec, f.name)) for f in dataclasses.fields(rec)}
    if isinstance(rec, tuple | list):
        return [_plain(x) for x in rec]
    if isinstance(rec, dt.datetime | dt.date):
        return rec.isoformat()
    return rec


T = TypeVar("T")

_NESTED: dict[tuple[type, str], type] = {
    (DepotRec, "stock"): StockRec,
    (OrderRec, "lines"): LineRec,
}


def _build(cls: type[T], raw: dict[str, Any]) -> T:
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):  # type: ignore[arg-type]
        if f.name not in raw:
            continue
        v = raw[f.name]
        nested = _NESTED.get((cls, f.name))
        if nested is not None:
            v = tuple(_build(nested, x) for x in v)
        elif f.name == "townships" and isinstance(v, list):
            v = tuple(v)
        elif f.type in ("dt.date",) and isinstance(v, str):
            v = dt.date.fromisoformat(v)
        elif f.type in ("dt.datetime",) and isinstance(v, str):
            v = dt.datetime.fromisoformat(v)
        kwargs[f.name] = v
    return cls(**kwargs)
