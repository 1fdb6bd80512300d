"""The product's one clock: every "now", "today" and local calendar day comes from here.

Product code never calls ``datetime.now()`` or ``date.today()`` itself; it asks
:func:`now`, :func:`today` or :func:`local_day`. That makes time injectable:

* ``DISPATCH_CLOCK`` (environment) moves the clock of a whole process tree —
  the CLI, the API, plan-job workers — consistently:

  - ``2026-12-05T16:30:00+08:00`` freezes it at that instant;
  - ``2026-12-05T16:30:00+08:00@1764571200`` lets it tick: at real epoch second
    1764571200 it reads 16:30, ten real seconds later 16:30:10 (every process
    given the same value agrees on the time).

* :func:`set_clock` does the same inside one process (tests use the
  ``product_clock`` fixture, which sets both); time-machine also works, since
  the real time is read through :meth:`datetime.datetime.now`.

The local time zone is the installation's ``DISPATCH_TIMEZONE`` setting
(``Asia/Shanghai`` by default) — the one place it is read.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from functools import lru_cache
from zoneinfo import ZoneInfo

from models.settings import get_settings

ENV = "DISPATCH_CLOCK"
DEFAULT_ZONE = "Asia/Shanghai"

_override: str | None = None


class ClockError(ValueError):
    """``DISPATCH_CLOCK`` holds something that is not an instant."""


@lru_cache(maxsize=32)
def _parse(spec: str) -> tuple[dt.datetime, float | None]:
    text, _, anchor = spec.strip().partition("@")
    try:
        at = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ClockError(
            f"{ENV} must be an ISO instant such as 2026-12-05T16:30:00+08:00 (got {spec!r})"
        ) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=zone())
    try:
        return at.astimezone(dt.UTC), float(anchor) if anchor else None
    except ValueError:
        raise ClockError(f"{ENV}: the part after @ must be epoch seconds (got {anchor!r})") from None


def _spec() -> str | None:
    return _override if _override is not None else os.environ.get(ENV) or None


def real_now() -> dt.datetime:
    """The machine's time (UTC, aware); only :func:`now` and the clock's setters use it."""
    return dt.datetime.now(dt.UTC)


def now() -> dt.datetime:
    """The current instant, timezone-aware (UTC)."""
    spec = _spec()
    if spec is None:
        return real_now()
    at, anchor = _parse(spec)
    if anchor is None:
        return at
    return at + dt.timedelta(seconds=time.time() - anchor)


def spec_for(at: dt.datetime, *, ticking: bool = True) -> str:
    """The ``DISPATCH_CLOCK`` value that makes the clock read ``at`` now (ticking on from there)."""
    if at.tzinfo is None:
        raise ClockError("the clock needs a timezone-aware instant")
    iso = at.isoformat()
    return f"{iso}@{time.time():.6f}" if ticking else iso


def set_clock(at: dt.datetime | None, *, ticking: bool = True) -> str | None:
    """Set this process's clock to ``at`` (``None``: back to the environment / real time).

    Returns the spec, which a caller may also put into ``DISPATCH_CLOCK`` for
    child processes.
    """
    global _override
    _override = None if at is None else spec_for(at, ticking=ticking)
    return _override


@lru_cache(maxsize=8)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def zone_name() -> str:
    """The installation's time zone name: the ``timezone`` setting (``DISPATCH_TIMEZONE``)."""
    return get_settings().timezone or DEFAULT_ZONE


def zone() -> dt.tzinfo:
    """The installation's time zone."""
    return _zone(zone_name())


def local_now() -> dt.datetime:
    """Now, in the installation's time zone."""
    return now().astimezone(zone())


def today() -> dt.date:
    """Today's date in the installation's time zone."""
    return local_now().date()


def local_day(at: dt.datetime) -> dt.date:
    """The local calendar day of an instant (a naive instant is taken as UTC)."""
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at.astimezone(zone()).date()


def local_time(day: dt.date, seconds: int = 0) -> dt.datetime:
    """The aware instant ``seconds`` after local midnight of ``day``."""
    return dt.datetime.combine(day, dt.time(0), zone()) + dt.timedelta(seconds=seconds)


def at_local(day: dt.date, hh: int, mm: int = 0) -> dt.datetime:
    """The aware instant ``hh:mm`` local time on ``day``."""
    return dt.datetime.combine(day, dt.time(hh, mm), zone())


__all__ = [
    "ENV",
    "ClockError",
    "at_local",
    "local_day",
    "local_now",
    "local_time",
    "now",
    "set_clock",
    "spec_for",
    "today",
    "zone",
    "zone_name",
]
