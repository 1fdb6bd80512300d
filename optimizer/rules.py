"""The dispatch-day business rules, one small function each (pure).

* :func:`centre_minimum`, :func:`store_minimum`, :func:`store_radius` and
  :func:`stock_covers`: may this depot serve this order? Each returns ``None``
  when the rule is met and otherwise the reason in a dispatcher's words.
* :func:`eligibility` applies them all to one order and every depot, honours a
  dispatcher's pin, and says why an order that no depot may serve is held.
* :func:`hold_is_overdue`: a hold older than one delivery cycle is flagged.

Units: cases, metres, days. Distances between an order and a store are
straight-line (geodesic) metres, as the brief's "within about 1 km" means.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

EARTH_RADIUS_M = 6_371_008.8


@dataclass(frozen=True)
class DepotRule:
    """What the rules need to know about a depot."""

    code: str
    kind: str  # "centre" | "store"
    name: str
    township: str
    lat: float
    lon: float
    min_order_cases: int
    radius_m: int | None = None


@dataclass(frozen=True)
class OrderFacts:
    """What the rules need to know about a consolidated order."""

    number: str
    customer: str
    township: str
    lat: float
    lon: float
    cases: int
    lines: Mapping[str, int] = field(default_factory=dict)  # product code -> cases


@dataclass(frozen=True)
class Eligibility:
    """The depots that may serve an order, and why the others may not."""

    order: str
    depots: tuple[str, ...]
    refused: Mapping[str, str]
    pinned: str | None = None

    @property
    def held(self) -> bool:
        return not self.depots

    def hold_reason(self) -> str:
        """One line: why no depot may serve the order (e.g. for a 4-case order)."""
        return "; ".join(self.refused.values())


def metres_between(lat1: float, lon1: float, lat2: float, lon2: float) -> int:
    """Great-circle distance in whole metres (haversine on the mean Earth radius)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a))))


def _n(value: int) -> str:
    return f"{value:,}"


def centre_minimum(order: OrderFacts, depot: DepotRule) -> str | None:
    """A centre delivery needs at least the centre's minimum (5 cases by default)."""
    if order.cases < depot.min_order_cases:
        return f"{order.cases} cases: centre minimum {depot.min_order_cases}"
    return None


def store_minimum(order: OrderFacts, depot: DepotRule) -> str | None:
    """A store delivery needs at least that store's minimum (2–5 cases)."""
    if order.cases < depot.min_order_cases:
        return f"minimum {depot.min_order_cases}"
    return None


def store_radius(order: OrderFacts, depot: DepotRule) -> str | None:
    """A store serves only its own township, within its radius (1,000 m by default)."""
    if order.township != depot.township:
        return "serves only its own township"
    if depot.radius_m is None:
        return None
    d = metres_between(order.lat, order.lon, depot.lat, depot.lon)
    if d > depot.radius_m:
        return f"serves only within {_n(depot.radius_m)} m (customer is {_n(d)} m away)"
    return None


def stock_covers(order: OrderFacts, depot: DepotRule, available: Mapping[str, int] | None) -> str | None:
    """The depot's free stock (on hand minus reserved) covers every line of the order."""
    if available is None:
        return None
    short = [
        f"{product} {cases - available.get(product, 0)} short"
        for product, cases in sorted(order.lines.items())
        if cases > available.get(product, 0)
    ]
    if short:
        return f"stock does not cover it ({', '.join(short)})"
    return None


def eligibility(
    order: OrderFacts,
    depots: Sequence[DepotRule],
    *,
    stock: Mapping[str, Mapping[str, int]] | None = None,
    pin: str | None = None,
    released: bool = False,
) -> Eligibility:
    """Which depots may serve ``order``.

    Parameters
    ----------
    stock
        Free stock per depot code and product code (cases); a depot missing
        from it is not checked.
    pin
        A depot code the dispatcher pinned: only that depot is considered,
        but its rules still apply unless ``released``.
    released
        The dispatcher released a held order with a note: the minimum-order
        rules are waived (radius, township and stock still apply).
    """
    refused: dict[str, str] = {}
    ok: list[str] = []
    candidates = [d for d in depots if pin is None or d.code == pin]
    if pin is not None and not candidates:
        return Eligibility(order.number, (), {pin: f"pinned to unknown depot {pin}"}, pin)
    for d in candidates:
        free = None if stock is None else stock.get(d.code)
        short = stock_covers(order, d, free)
        if d.kind == "centre":
            minimum = None if released else centre_minimum(order, d)
            parts = [p for p in (minimum, None if short is None else f"centre {short}") if p]
        else:
            rules = [None if released else store_minimum(order, d), store_radius(order, d), short]
            failed = [p for p in rules if p]
            parts = [f"store {d.name} " + ", ".join(failed)] if failed else []
        if not parts:
            ok.append(d.code)
        elif d.kind == "centre" or d.township == order.township or pin is not None:
            refused[d.code] = "; ".join(parts)
    return Eligibility(order.number, tuple(ok), refused, pin)


def hold_is_overdue(held_since: dt.date, today: dt.date, cycle_days: int) -> bool:
    """A hold older than one delivery cycle (half a month by default) is flagged."""
    return (today - held_since).days > cycle_days
