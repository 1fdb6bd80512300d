"""A process writing outcomes is killed with SIGKILL at random moments, again and again.

Afterwards every outcome whose commit was acknowledged is there, and none is
half-written: each outcome has exactly its postings (delivery, cash, and the
reversals of the version it corrects), every posting balances, no entry is
orphaned, and every stock movement an outcome lists exists. SQLite runs in
WAL mode with ``synchronous=FULL`` (models/db.py); PostgreSQL with its defaults
(``fsync=on``, ``synchronous_commit=on``).
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledger.orm import Posting, PostingKind, StopOutcome
from ledger.postings import check_ledger
from models.db import session_scope
from models.planning import StockMovement
from models.settings import Settings
from tests.ledger_fixtures import make_plan

ROOT = Path(__file__).resolve().parents[1]
KILLS = 10
pytestmark = pytest.mark.xdist_group("ledger_kill")
FIGURES: dict[str, dict[str, int]] = {}


def _writer(url: str, day: str) -> subprocess.Popen[str]:
    code = f"from tests.ledger_fixtures import kill_writer; kill_writer({url!r}, {day!r})"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        bufsize=1,
    )


def _run_once(url: str, day: str, rng: random.Random, acked: list[str]) -> bool:
    """Start a writer, let it write for a random moment after its first commit, SIGKILL it. True when done."""
    p = _writer(url, day)
    lines: list[str] = []
    first = threading.Event()

    def read() -> None:
        assert p.stdout is not None
        for line in p.stdout:
            lines.append(line.strip())
            first.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    first.wait(timeout=60)
    time.sleep(rng.uniform(0.0, 0.35))
    p.send_signal(signal.SIGKILL)
    p.wait(timeout=30)
    reader.join(timeout=30)
    acked += [ln.split(" ", 1)[1] for ln in lines if ln.startswith("ACK ")]
    return "DONE" in lines


def test_acknowledged_outcomes_survive_sigkill_and_none_is_half_written(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        mini = make_plan(s, centre_stops=250, store_stops=0)
    url = county_settings.effective_database_url
    rng = random.Random(20261201)
    acked: list[str] = []
    kills = 0
    for _ in range(KILLS):
        kills += 1
        if _run_once(url, mini.day.isoformat(), rng, acked):
            break
    with session_scope(county_settings) as s:
        keys = set(s.scalars(select(StopOutcome.idempotency_key)))
        lost = [k for k in acked if k not in keys]
        assert not lost, f"acknowledged but lost: {lost[:5]}"
        audit = check_ledger(s)
        assert audit["balanced"], audit
        movements = set(s.scalars(select(StockMovement.id)))
        outcomes = list(s.scalars(select(StopOutcome).order_by(StopOutcome.id)))
        for o in outcomes:
            kinds = [k.value for k in s.scalars(select(Posting.kind).where(Posting.outcome_id == o.id))]
            expected = ["cash_collected", "delivery"]
            if o.supersedes_id is not None:
                prev = s.scalar(
                    select(func.count())
                    .select_from(Posting)
                    .where(Posting.outcome_id == o.supersedes_id, Posting.kind != PostingKind.REVERSAL)
                )
                expected += ["reversal"] * int(prev or 0)
            assert sorted(kinds) == sorted(expected), (o.idempotency_key, kinds)
            assert set(o.stock_movement_ids or []) <= movements
        FIGURES[url.split(":")[0]] = {
            "kills": kills,
            "acknowledged": len(acked),
            "outcomes": len(outcomes),
            "postings": audit["postings"],
            "entries": audit["entries"],
            "lost": len(lost),
        }
    print(f"\nSIGKILL figures {FIGURES}")
    assert kills >= 5 and len(acked) >= 10  # the test really killed writers in the middle of their work
