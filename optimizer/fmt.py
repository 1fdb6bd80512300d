"""Formatting for dispatcher-facing text: clock times, durations, quantities."""

from __future__ import annotations

from optimizer.problem import DAY, TimeWindow


def clock(t: int) -> str:
    """Seconds since midnight as ``HH:MM`` (``+1d`` appended past midnight)."""
    days, rest = divmod(int(t), DAY)
    hh, mm = divmod(rest // 60, 60)
    text = f"{hh:02d}:{mm:02d}"
    return text if days == 0 else f"{text}+{days}d"


def window(w: TimeWindow) -> str:
    """A window as ``08:00–09:00``."""
    return f"{clock(w.start)}–{clock(w.end)}"


def duration(seconds: int) -> str:
    """A duration as ``H:MM`` (e.g. ``9:30``)."""
    minutes = int(seconds) // 60
    return f"{minutes // 60}:{minutes % 60:02d}"


def quantity(value: int, unit: str) -> str:
    """An amount with thousands separators and its unit, e.g. ``5,200 kg``."""
    return f"{int(value):,} {unit}"


def km(metres: int) -> str:
    """Metres as kilometres with one decimal, e.g. ``182.5 km``."""
    return f"{metres / 1000:,.1f} km"


def fen(amount: int) -> str:
    """Fen as yuan with two decimals, e.g. ``12.50 yuan``."""
    return f"{amount / 100:,.2f} yuan"
