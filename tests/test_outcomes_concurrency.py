"""50 threads on separate connections: the same outcome → one ledger effect; 50 different → all present."""

from __future__ import annotations

import functools
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ledger.orm import Entry, Posting, StopOutcome
from ledger.outcomes import record_outcome
from ledger.postings import balance, check_ledger
from models.db import make_engine, session_scope
from models.planning import PlanStop
from models.settings import Settings
from tests.ledger_fixtures import MiniPlan, full_outcome, make_plan

N = 50
pytestmark = pytest.mark.xdist_group("ledger_concurrency")  # one 50-connection test at a time


def _hammer(url: str, jobs: list[Callable[[Session], Any]]) -> tuple[list[Any], list[BaseException]]:
    """Run each job in its own thread, own connection and own transaction, all released at once."""
    engine = make_engine(url, poolclass=NullPool)
    gate = threading.Barrier(len(jobs))
    results: list[Any] = [None] * len(jobs)
    errors: list[BaseException] = []

    def run(i: int, job: Callable[[Session], Any]) -> None:
        try:
            gate.wait(timeout=60)
            with Session(engine) as s:
                results[i] = job(s)
                s.commit()
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(i, j)) for i, j in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    engine.dispose()
    return results, errors


def _record(s: Session, *, mini: MiniPlan, stop: str) -> Any:
    return record_outcome(s, full_outcome(mini, stop), idempotency_key=f"k-{stop}", actor="d")


def test_fifty_identical_submissions_have_exactly_one_effect(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        mini = make_plan(s, centre_stops=2, store_stops=0)
    stop = mini.stops[0]
    data = full_outcome(mini, stop)
    results, errors = _hammer(
        county_settings.effective_database_url,
        [
            lambda s: record_outcome(s, data, idempotency_key="phone-retry-1", actor="driver")
            for _ in range(N)
        ],
    )
    assert not errors, errors[:3]
    assert len({r.outcome_id for r in results}) == 1
    assert sum(1 for r in results if not r.replayed) == 1 and sum(1 for r in results if r.replayed) == N - 1
    with session_scope(county_settings) as s:
        assert s.scalar(select(func.count()).select_from(StopOutcome)) == 1
        postings = s.scalar(select(func.count()).select_from(Posting))
        entries = s.scalar(select(func.count()).select_from(Entry))
        expected = 2 if mini.terms[stop] == "cod" else 1
        assert (postings, entries) == (expected, 2 * expected)
        assert balance(s, "revenue:sales") == -mini.due(stop)
        assert check_ledger(s)["balanced"]


def test_fifty_different_outcomes_at_once_are_all_recorded(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        mini = make_plan(s, centre_stops=40, store_stops=10)
    stops = mini.stops
    assert len(stops) == N
    results, errors = _hammer(
        county_settings.effective_database_url,
        [functools.partial(_record, mini=mini, stop=st) for st in stops],
    )
    assert not errors, errors[:3]
    assert sorted(r.stop for r in results) == sorted(stops) and not any(r.replayed for r in results)
    with session_scope(county_settings) as s:
        recorded = set(s.scalars(select(PlanStop.code).join(StopOutcome, StopOutcome.stop_id == PlanStop.id)))
        assert recorded == set(stops)
        assert balance(s, "revenue:sales") == -sum(mini.due(st) for st in stops)
        cod = sum(1 for st in stops if mini.terms[st] == "cod")
        audit = check_ledger(s)
        assert audit["balanced"] and audit["postings"] == N + cod and audit["entries"] == 2 * (N + cod)
