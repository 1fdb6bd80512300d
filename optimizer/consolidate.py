"""Cut-off consolidation (pure): merge a day's orders per customer, flag likely duplicates.

Orders from the four channels for the same customer and delivery day become
one consolidated order whose lines are summed per product; the source orders
are kept. A *likely duplicate* is the same customer and product ordered
through two different channels within a window (24 h by default): typically
the customer calls in after the customer manager's visit. It is flagged for
the dispatcher, never dropped silently.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DUPLICATE_WINDOW = dt.timedelta(hours=24)


@dataclass(frozen=True)
class SourceOrder:
    """One received order: ``lines`` maps product code to cases."""

    number: str
    customer: str
    channel: str
    received_at: dt.datetime
    lines: Mapping[str, int]


@dataclass(frozen=True)
class DuplicateFlag:
    """Two orders of one customer for the same product from different channels."""

    product: str
    orders: tuple[str, str]
    channels: tuple[str, str]
    minutes_apart: int

    def text(self) -> str:
        a, b = self.orders
        return (
            f"likely duplicate: {self.product} in {a} ({self.channels[0]}) and {b} ({self.channels[1]}), "
            f"{self.minutes_apart} min apart"
        )


@dataclass(frozen=True)
class Consolidated:
    """A customer's consolidated order: summed lines, its sources, duplicate flags."""

    customer: str
    sources: tuple[str, ...]
    lines: Mapping[str, int]
    duplicates: tuple[DuplicateFlag, ...]

    @property
    def cases(self) -> int:
        return sum(self.lines.values())


def consolidate(
    orders: Iterable[SourceOrder], *, duplicate_window: dt.timedelta = DUPLICATE_WINDOW
) -> list[Consolidated]:
    """Merge ``orders`` per customer; sources in received order; result sorted by customer code."""
    by_customer: dict[str, list[SourceOrder]] = defaultdict(list)
    for o in orders:
        by_customer[o.customer].append(o)
    out = []
    for customer in sorted(by_customer):
        group = sorted(by_customer[customer], key=lambda o: (o.received_at, o.number))
        lines: dict[str, int] = defaultdict(int)
        for o in group:
            for product, cases in o.lines.items():
                lines[product] += cases
        out.append(
            Consolidated(
                customer=customer,
                sources=tuple(o.number for o in group),
                lines=dict(sorted(lines.items())),
                duplicates=tuple(find_duplicates(group, window=duplicate_window)),
            )
        )
    return out


def find_duplicates(group: list[SourceOrder], *, window: dt.timedelta) -> list[DuplicateFlag]:
    """Pairs of one customer's orders with a common product, different channels, within ``window``."""
    flags = []
    for i, a in enumerate(group):
        for b in group[i + 1 :]:
            if a.channel == b.channel:
                continue
            gap = abs(b.received_at - a.received_at)
            if gap > window:
                continue
            for product in sorted(set(a.lines) & set(b.lines)):
                flags.append(
                    DuplicateFlag(
                        product, (a.number, b.number), (a.channel, b.channel), int(gap.total_seconds() // 60)
                    )
                )
    return flags
