"""The dispatch-day business rules, one small function each (pure).

* :func:`centre_minimum`, :func:`store_minimum`, :func:`store_territory`,
  :func:`centre_in_store_township` and :func:`stock_covers`: may this depot
  serve this order? Each returns ``None`` when the rule is met and otherwise
  the reason in a dispatcher's words.
* :func:`eligibility` applies them all to one order and every depot, honours a
  dispatcher's pin, and says why an order that no depot may serve is held.
* :func:`hold_is_overdue`: a hold older than one delivery cycle is flagged.

Territory (the brief's 一公里, "the last kilometre from store to shop"): a
township store serves the customers of **its own township**; the centre serves
the townships without a store, and in a store's township only fixed-cycle
orders of at least ``large_order_cases`` (where the joint routing finds it
cheaper) or orders the store cannot serve (its stock, its optional maximum
distance). A store may have an optional maximum distance (``radius_m``, off
by default), measured as straight-line (geodesic) metres.

Units: cases, metres, days.
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


LARGE_ORDER_CASES = 10
"""Default: in a store's township the centre may take fixed-cycle orders of at least this many cases."""


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
    fixed_cycle: bool = True  # on the half-monthly cycle (not a 24-hour customer)


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


def store_territory(order: OrderFacts, depot: DepotRule) -> str | None:
    """A store serves the customers of its own township (within its maximum distance, when one is set)."""
    if order.township != depot.township:
        return "serves only its own township"
    if depot.radius_m is None:
        return None
    d = metres_between(order.lat, order.lon, depot.lat, depot.lon)
    if d > depot.radius_m:
        return f"serves only within {_n(depot.radius_m)} m (customer is {_n(d)} m away)"
    return None


store_radius = store_territory  # the earlier name


def in_territory(depot: DepotRule, township: str, lat: float, lon: float) -> bool:
    """Whether a customer (its township and location) is in store ``depot``'s territory."""
    return store_territory(OrderFacts("", "", township, lat, lon, 0), depot) is None


def centre_in_store_township(
    order: OrderFacts, store_may_serve: bool, large_order_cases: int = LARGE_ORDER_CASES
) -> str | None:
    """In a store's township the centre takes only large fixed-cycle orders, or what the store cannot.

    ``store_may_serve``: whether the township's store passes every other rule
    for this order (territory, minimum, stock).
    """
    if not store_may_serve:
        return None
    if order.fixed_cycle and order.cases >= large_order_cases:
        return None
    return (
        f"the township store serves it (the centre takes only fixed-cycle orders of at least "
        f"{large_order_cases} cases here)"
    )


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
    large_order_cases: int = LARGE_ORDER_CASES,
) -> Eligibility:
    """Which depots may serve ``order``.

    Parameters
    ----------
    stock
        Free stock per depot code and product code (cases); a depot missing
        from it is not checked.
    pin
        A depot code the dispatcher pinned: only that depot is considered,
        and the territory rule gives way (the dispatcher overrides), but its
        other rules still apply unless ``released``.
    released
        The dispatcher released a held order with a note (or it was rationed
        in emergency mode): the minimum-order rules are waived (territory and
        stock still apply).
    large_order_cases
        In a township with a store, the centre may take fixed-cycle orders of
        at least this many cases (otherwise only what the store cannot serve).
    """
    refused: dict[str, str] = {}
    ok: list[str] = []
    candidates = [d for d in depots if pin is None or d.code == pin]
    if pin is not None and not candidates:
        return Eligibility(order.number, (), {pin: f"pinned to unknown depot {pin}"}, pin)
    store_ok = False
    for d in (d for d in depots if d.kind == "store" and d.township == order.township):
        free = None if stock is None else stock.get(d.code)
        rules = [None if released else store_minimum(order, d), store_territory(order, d)]
        if not any(rules) and stock_covers(order, d, free) is None:
            store_ok = True
    for d in candidates:
        free = None if stock is None else stock.get(d.code)
        short = stock_covers(order, d, free)
        if d.kind == "centre":
            minimum = None if released else centre_minimum(order, d)
            territory = (
                None if pin is not None else centre_in_store_township(order, store_ok, large_order_cases)
            )
            parts = [p for p in (minimum, None if short is None else f"centre {short}", territory) if p]
            if territory and len(parts) > 1:
                parts.remove(territory)  # the order fails the centre's own rules anyway
        else:
            rules = [None if released else store_minimum(order, d), store_territory(order, d), short]
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
