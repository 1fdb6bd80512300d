"""The delivery calendar: which day of a customer's cycle a date is."""

from __future__ import annotations

import datetime as dt

CYCLE_EPOCH = dt.date(2026, 1, 1)
"""Day 0 of every delivery cycle; ``Customer.cycle_offset`` counts from here."""


def cycle_day(date: dt.date, cycle_days: int) -> int:
    """The position of ``date`` in a cycle of ``cycle_days`` (0 … cycle_days − 1)."""
    return (date - CYCLE_EPOCH).days % cycle_days


def offset_for(date: dt.date, cycle_days: int) -> int:
    """The ``cycle_offset`` that makes a customer due on ``date``."""
    return cycle_day(date, cycle_days)
