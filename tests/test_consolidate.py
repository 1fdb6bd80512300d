"""Consolidation merges per customer and flags cross-channel duplicates."""

from __future__ import annotations

import datetime as dt

import pytest

from optimizer.consolidate import SourceOrder, consolidate

T0 = dt.datetime(2026, 11, 30, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


# date-sensitive: run at the scenario's delivery day and months later (tests/conftest.py)
pytestmark = pytest.mark.clock_dates


def o(number: str, customer: str, channel: str, minutes: int, **lines: int) -> SourceOrder:
    return SourceOrder(number, customer, channel, T0 + dt.timedelta(minutes=minutes), lines)


def test_lines_are_summed_per_product_and_sources_kept_in_order() -> None:
    out = consolidate(
        [
            o("B", "C1", "visit", 30, S001=3, N001=1),
            o("A", "C1", "visit", 0, S001=2),
            o("X", "C2", "inbound_call", 5, S002=5),
        ]
    )
    assert [c.customer for c in out] == ["C1", "C2"]
    c1 = out[0]
    assert c1.sources == ("A", "B") and c1.lines == {"N001": 1, "S001": 5} and c1.cases == 6
    assert c1.duplicates == ()  # same channel twice is a repeat order, not a duplicate


def test_same_product_from_two_channels_within_the_window_is_flagged() -> None:
    out = consolidate([o("A", "C1", "visit", 0, S001=5), o("B", "C1", "inbound_call", 90, S001=5, N001=2)])
    (flag,) = out[0].duplicates
    assert flag.product == "S001" and flag.orders == ("A", "B") and flag.minutes_apart == 90
    assert "likely duplicate" in flag.text()
    assert out[0].lines == {"N001": 2, "S001": 10}  # flagged, never dropped


def test_outside_the_window_is_not_flagged() -> None:
    out = consolidate(
        [o("A", "C1", "visit", 0, S001=5), o("B", "C1", "inbound_call", 25 * 60, S001=5)],
        duplicate_window=dt.timedelta(hours=24),
    )
    assert out[0].duplicates == ()
