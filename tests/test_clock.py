"""The product's one clock: frozen, ticking, shared with child processes, moved by time-machine."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import time
from zoneinfo import ZoneInfo

import pytest
import time_machine

from models import clock
from models.settings import Settings
from services.consolidation import cut_off_at

BJ = ZoneInfo("Asia/Shanghai")


def test_a_frozen_clock_reads_the_same_instant_in_local_time(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "2026-12-05T16:30:00+08:00")
    clock.set_clock(None)
    assert clock.now() == dt.datetime(2026, 12, 5, 8, 30, tzinfo=dt.UTC)
    assert clock.today() == dt.date(2026, 12, 5)
    time.sleep(0.01)
    assert clock.now() == dt.datetime(2026, 12, 5, 8, 30, tzinfo=dt.UTC)


def test_a_ticking_clock_moves_on_from_its_instant() -> None:
    start = dt.datetime(2027, 1, 31, 23, 59, 59, tzinfo=BJ)
    clock.set_clock(start)
    a = clock.now()
    time.sleep(0.05)
    b = clock.now()
    assert dt.timedelta(0) <= a - start < dt.timedelta(seconds=1) and b > a


def test_local_days_turn_at_local_midnight_not_utc() -> None:
    clock.set_clock(dt.datetime(2026, 12, 1, 23, 30, tzinfo=BJ), ticking=False)
    assert clock.today() == dt.date(2026, 12, 1)
    assert clock.local_day(dt.datetime(2026, 12, 1, 16, 30, tzinfo=dt.UTC)) == dt.date(2026, 12, 2)
    assert clock.local_time(dt.date(2026, 12, 2), 3600) == dt.datetime(2026, 12, 2, 1, tzinfo=BJ)


def test_child_processes_read_the_same_clock(monkeypatch: pytest.MonkeyPatch) -> None:
    spec = clock.spec_for(dt.datetime(2026, 12, 6, 9, 0, tzinfo=BJ))
    monkeypatch.setenv(clock.ENV, spec)
    clock.set_clock(None)
    here = clock.now()
    out = subprocess.run(
        [sys.executable, "-c", "from models import clock; print(clock.now().isoformat())"],
        capture_output=True,
        text=True,
        check=True,
        env=dict(os.environ),
        cwd=os.getcwd(),
    ).stdout.strip()
    there = dt.datetime.fromisoformat(out)
    assert dt.timedelta(0) <= there - here < dt.timedelta(seconds=30)
    assert there.astimezone(BJ).date() == dt.date(2026, 12, 6)


def test_a_bad_clock_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(clock.ENV, "next tuesday")
    clock.set_clock(None)
    with pytest.raises(clock.ClockError, match="DISPATCH_CLOCK"):
        clock.now()


def test_time_machine_moves_the_real_clock_underneath(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(clock.ENV, raising=False)
    clock.set_clock(None)
    with time_machine.travel(dt.datetime(2031, 2, 3, 10, 0, tzinfo=BJ), tick=False):
        assert clock.today() == dt.date(2031, 2, 3)
        assert cut_off_at(Settings(), dt.date(2031, 2, 4)) == dt.datetime(2031, 2, 3, 16, 0, tzinfo=BJ)


def test_the_suite_never_reads_the_real_date() -> None:
    """The autouse fixture sets the product clock for every test (CLOCK_DATES)."""
    assert os.environ.get(clock.ENV)
    assert clock.today() in (dt.date(2026, 12, 1), dt.date(2027, 4, 15))
