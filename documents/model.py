"""Plain data a route pack is printed from (built by ``services.printing``; no database here).

Money is integer fen, weight kg, time of day seconds since midnight. A stop's
amount is the sum of its lines' ``cases × price_fen``; the cash to collect is
that amount for cash-on-delivery customers and 0 for monthly accounts and for
replenishment (transfer) stops. The cover's totals are sums over the stops, so
they equal the sums of the notes by construction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

COD = "cod"
MONTHLY = "monthly"
DELIVERY = "delivery"
REPLENISHMENT = "replenishment"


@dataclass(frozen=True)
class NoteLine:
    """One product on a note: cases to deliver (planned), cases ordered, unit price in fen."""

    product_code: str
    name_zh: str
    name_en: str
    cases: int
    ordered_cases: int
    price_fen: int
    case_weight_kg: int = 0

    @property
    def amount_fen(self) -> int:
        return self.cases * self.price_fen

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name_zh


@dataclass(frozen=True)
class StopDoc:
    """A stop of a route with everything its delivery (or transfer) note prints."""

    seq: int
    stop_id: int
    stop_code: str
    kind: str
    note_number: str
    name: str
    address: str
    lat: float
    lon: float
    eta_s: int
    arrival_s: int
    kg: int
    cases: int
    lines: tuple[NoteLine, ...]
    windows: tuple[tuple[int, int], ...] = ()
    order_number: str | None = None
    customer_code: str | None = None
    township: str = ""
    payment_terms: str = MONTHLY
    receipt_number: str | None = None

    @property
    def is_delivery(self) -> bool:
        return self.kind == DELIVERY

    @property
    def is_cod(self) -> bool:
        return self.is_delivery and self.payment_terms == COD

    @property
    def amount_fen(self) -> int:
        """Goods value of the stop (transfers print no money: 0)."""
        return sum(ln.amount_fen for ln in self.lines) if self.is_delivery else 0

    @property
    def cash_due_fen(self) -> int:
        """Cash the driver collects here: the amount for COD customers, else 0."""
        return self.amount_fen if self.is_cod else 0

    @property
    def qr_payload(self) -> str:
        """What the note's QR code carries: ``DISPATCH-STOP:<stop id>:<note number>``."""
        return f"DISPATCH-STOP:{self.stop_id}:{self.note_number}"


@dataclass(frozen=True)
class RouteDoc:
    """One vehicle's route on one delivery day, ready to print."""

    route_id: int
    code: str
    delivery_date: dt.date
    plan_version: int
    plan_status: str
    vehicle: str
    vehicle_kind_zh: str
    vehicle_kind_en: str
    depot_code: str
    depot_name_zh: str
    depot_name_en: str
    depot_address: str
    depot_lat: float
    depot_lon: float
    issuer_zh: str
    issuer_en: str
    driver: str | None
    loader: str | None
    start_s: int
    end_s: int
    distance_m: int
    duration_s: int
    stops: tuple[StopDoc, ...]
    legs: tuple[tuple[tuple[float, float], ...], ...] = field(default=(), repr=False)
    reprint: bool = False  # printed before: every page says 重印 / reprint

    @property
    def cases(self) -> int:
        return sum(s.cases for s in self.stops)

    @property
    def kg(self) -> int:
        return sum(s.kg for s in self.stops)

    @property
    def amount_fen(self) -> int:
        return sum(s.amount_fen for s in self.stops)

    @property
    def cash_due_fen(self) -> int:
        return sum(s.cash_due_fen for s in self.stops)

    @property
    def cod_stops(self) -> int:
        return sum(1 for s in self.stops if s.is_cod)

    def loading_list(self) -> list[tuple[NoteLine, int]]:
        """(product, total cases) over the route, in product-code order."""
        totals: dict[str, int] = {}
        first: dict[str, NoteLine] = {}
        for s in self.stops:
            for ln in s.lines:
                totals[ln.product_code] = totals.get(ln.product_code, 0) + ln.cases
                first.setdefault(ln.product_code, ln)
        return [(first[c], totals[c]) for c in sorted(totals)]

    def loading_order(self) -> list[StopDoc]:
        """Stops in loading order: the last stop goes into the truck first."""
        return sorted(self.stops, key=lambda s: -s.seq)


__all__ = ["COD", "DELIVERY", "MONTHLY", "REPLENISHMENT", "NoteLine", "RouteDoc", "StopDoc"]
