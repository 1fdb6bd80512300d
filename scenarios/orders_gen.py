"""Order history for a generated county: half-monthly cycles, 24-hour customers, four channels.

Orders received on day ``d`` before the cut-off are for delivery on ``d + 1``;
later ones for ``d + 2``. Orders whose delivery day has passed are history
(``settled``, or ``delivered`` for the last two days); orders for a day after
``today`` are open (``received``). A few likely duplicates (the same customer
and product from two channels on the same day) are planted in the open orders,
as happens when a customer calls in after the customer manager's visit.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from models.calendar import CYCLE_EPOCH as EPOCH
from models.clock import DEFAULT_ZONE  # day 0 of every half-month cycle
from scenarios.model import CustomerRec, LineRec, OrderRec, Scenario

CUT_OFF_S = 16 * 3600
TZ = ZoneInfo(DEFAULT_ZONE)  # the bundled counties are Chinese: their orders are in China time

_CASES: dict[str, tuple[list[int], list[int]]] = {
    "grocery": ([2, 3, 4, 5, 6, 8, 10], [5, 9, 12, 28, 22, 15, 9]),
    "restaurant": ([2, 3, 4, 5, 6, 8], [6, 12, 16, 28, 22, 16]),
    "institution": ([4, 5, 6, 8, 10, 12, 15], [8, 16, 20, 22, 16, 10, 8]),
    "county_supermarket": ([6, 8, 10, 12, 15, 20], [10, 16, 20, 22, 18, 14]),
    "market_town_supermarket": ([5, 6, 8, 10, 12, 15], [10, 16, 22, 22, 18, 12]),
    "food_processor": ([6, 8, 10, 15, 20], [15, 25, 25, 20, 15]),
}
_DAILY_24H = {"county_supermarket": 0.33, "market_town_supermarket": 0.25}


def _lines(rng: random.Random, ctype: str, total: int) -> tuple[LineRec, ...]:
    """Split ``total`` cases over products the way such a shop buys."""
    if ctype == "food_processor":
        mix = {"S005": 0.7, "S001": 0.2, "N001": 0.1}
    elif ctype in ("county_supermarket", "market_town_supermarket"):
        mix = {
            "S001": 0.45,
            "S002": 0.12,
            "S003": 0.12,
            "S004": 0.06,
            "N001": 0.08,
            "N002": 0.06,
            "N003": 0.05,
            "N004": 0.06,
        }
    elif ctype == "restaurant":
        mix = {"S001": 0.7, "N001": 0.12, "N003": 0.1, "N002": 0.08}
    elif ctype == "institution":
        mix = {"S001": 0.75, "S002": 0.1, "N001": 0.08, "N004": 0.07}
    else:
        mix = {"S001": 0.72, "S002": 0.08, "S004": 0.06, "N001": 0.06, "N004": 0.04, "N003": 0.04}
    codes = list(mix)
    n_products = 1 if total <= 3 else min(len(codes), rng.choice([1, 2, 2, 3, 3, 4]))
    chosen = ["S001" if "S001" in mix else codes[0]]
    while len(chosen) < n_products:
        c = rng.choices(codes, weights=[mix[c] for c in codes])[0]
        if c not in chosen:
            chosen.append(c)
    counts = {c: 1 for c in chosen}
    for _ in range(total - len(chosen)):
        c = rng.choices(chosen, weights=[mix[c] for c in chosen])[0]
        counts[c] += 1
    return tuple(LineRec(c, counts[c]) for c in sorted(counts))


def generate_orders(sc: Scenario, *, seed: int, history_days: int, today: dt.date) -> None:
    """Append the order history to ``sc.orders`` (deterministic for ``seed``)."""
    rng = random.Random(seed * 7919 + 1)
    stores = {d.township: d.code for d in sc.depots if d.kind == "store"}
    managers = sorted({c.manager for c in sc.customers if c.manager})
    seq: dict[dt.date, int] = {}
    first = today - dt.timedelta(days=history_days - 1)
    duplicates_planted = 0
    for day_no in range(history_days):
        day = first + dt.timedelta(days=day_no)
        cycle_day = (day - EPOCH).days % 15
        for c in sc.customers:
            if c.status != "active":
                continue
            if not orders_today(rng, c, cycle_day):
                continue
            order = order_for(rng, c, day, seq, stores, managers)
            sc.orders.append(order)
            if day == today and duplicates_planted < 3 and not c.service_24h and rng.random() < 0.12:
                dup = order_for(
                    rng,
                    c,
                    day,
                    seq,
                    stores,
                    managers,
                    channel="inbound_call",
                    lines=(order.lines[0],),
                    delivery=order.delivery_date,
                )
                sc.orders.append(dup)
                duplicates_planted += 1
    for i, o in enumerate(sc.orders):
        if o.delivery_date <= today:
            status = "delivered" if o.delivery_date >= today - dt.timedelta(days=1) else "settled"
            sc.orders[i] = OrderRec(
                o.number,
                o.customer,
                o.channel,
                o.received_at,
                o.delivery_date,
                status,
                o.external_ref,
                o.reported_by,
                o.lines,
                o.note,
            )


def orders_today(rng: random.Random, c: CustomerRec, cycle_day: int) -> bool:
    """Whether customer ``c`` orders on a day at position ``cycle_day`` of the half-month cycle."""
    if c.service_24h:
        return rng.random() < _DAILY_24H[c.type]
    return (c.cycle_offset == cycle_day and rng.random() < 0.8) or rng.random() < 0.004


def order_for(
    rng: random.Random,
    c: CustomerRec,
    day: dt.date,
    seq: dict[dt.date, int],
    stores: dict[str, str],
    managers: list[str],
    *,
    channel: str | None = None,
    lines: tuple[LineRec, ...] | None = None,
    delivery: dt.date | None = None,
) -> OrderRec:
    store = stores.get(c.township)
    if channel is None:
        options = ["visit", "outbound_call", "inbound_call"] + (["store_report"] * 2 if store else [])
        weights = [30, 25, 20] + ([15, 15] if store else [])
        channel = rng.choices(options, weights=weights)[0]
    """One order of ``c`` received on ``day`` (4 % after the 16:00 cut-off, due the day after next)."""
    late = rng.random() < 0.04
    secs = rng.randint(16 * 3600 + 60, 19 * 3600) if late else rng.randint(8 * 3600, CUT_OFF_S - 600)
    received = dt.datetime.combine(day, dt.time(0, 0), tzinfo=TZ) + dt.timedelta(seconds=secs)
    if delivery is None:
        delivery = day + dt.timedelta(days=2 if late else 1)
    seq[day] = seq.get(day, 0) + 1
    number = f"DO{day:%Y%m%d}{seq[day]:04d}"
    if channel == "visit":
        ref = f"VIS-{c.manager or managers[0]}-{day:%Y%m%d}-{seq[day]:04d}"
    elif channel == "store_report":
        ref = f"SR-{store}-{day:%Y%m%d}-{seq[day]:04d}"
    else:
        ref = f"CALL-{day:%Y%m%d}-{seq[day]:04d}"
    if lines is None:
        sizes, weights = _CASES[c.type]
        total = rng.choices(sizes, weights=weights)[0]
        lines = _lines(rng, c.type, total)
    return OrderRec(
        number,
        c.code,
        channel,
        received,
        delivery,
        "received",
        ref,
        store if channel == "store_report" else None,
        lines,
    )
