"""Stateful property test: random outcomes, corrections, replays, handovers, remittances and payments.

After every step: each balance equals the sum of its entries and the model's
expectation, all accounts sum to zero, every posting balances, and no stop's
goods or cash are counted twice (SQLite; one fresh county per example).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule, run_state_machine_as_test
from sqlalchemy import select

from ledger.cash import record_handover, record_payment, record_remittance
from ledger.orm import Entry, LedgerAccount, Posting, PostingKind, StopOutcome
from ledger.outcomes import correct_outcome, record_outcome
from ledger.postings import balances, check_ledger
from ledger.reconcile import reconcile
from ledger.schemas import LineIn, OutcomeIn
from models.db import dispose_engines, session_scope
from models.errors import Conflict
from models.planning import PlanStop
from models.settings import Settings
from tests.ledger_fixtures import CST, MiniPlan, sqlite_plan  # noqa: F401

DAY = dt.date(2026, 12, 2)
STOPS_SEEN: list[int] = []
ENTRIES_CHECKED: list[int] = []


def _outcome(mini: MiniPlan, stop: str, fractions: list[int], cash_delta: int, signed: bool) -> OutcomeIn:
    lines = []
    for ln, f in zip(mini.lines[stop], fractions + [4] * 4, strict=False):
        n = ln["cases"] * f // 4
        lines.append(
            LineIn(product=ln["product"], delivered_cases=n, shortfall=None if n == ln["cases"] else "short")
        )
    billed = sum(li.delivered_cases * ln["price_fen"] for li, ln in zip(lines, mini.lines[stop], strict=True))
    kind = mini.terms[stop]
    cash = max(0, billed + cash_delta) if kind == "cod" else 0
    return OutcomeIn(
        stop=stop,
        lines=lines,
        signed=signed,
        signer_name="店主" if signed else None,
        not_signed_reason=None if signed else "shop closed",
        occurred_at=dt.datetime(2026, 12, 2, 10, tzinfo=CST),
        cash_collected_fen=cash,
        payment_method=None if kind == "replenishment" else kind,
    )  # type: ignore[arg-type]


def test_ledger_stays_balanced_under_random_operations(sqlite_plan: Callable[..., Any]) -> None:  # noqa: F811
    class LedgerMachine(RuleBasedStateMachine):
        @initialize()
        def setup(self) -> None:
            dispose_engines()
            self.settings: Settings
            self.settings, self.mini = sqlite_plan(centre_stops=4, store_stops=2, replenish=True)
            self.expected: dict[str, int] = defaultdict(int)
            self.current: dict[str, tuple[int, int, str]] = {}  # stop → (billed, cash, key)
            self.sent: dict[str, OutcomeIn] = {}
            self.n = 0
            self.route_of = {stop: r for r, stops in self.mini.routes.items() for stop in stops}

        def _holder(self, stop: str) -> str:
            return f"cash:staff:{self.mini.drivers[self.route_of[stop]]}"

        def _apply(self, stop: str, billed: int, cash: int, sign: int) -> None:
            if self.mini.terms[stop] == "replenishment":
                return
            recv = f"receivable:{self.mini.customers[stop]}"
            self.expected[recv] += sign * (billed - cash)
            self.expected["revenue:sales"] -= sign * billed
            self.expected[self._holder(stop)] += sign * cash

        @rule(
            i=st.integers(0, 100),
            fr=st.lists(st.integers(0, 4), min_size=2, max_size=2),
            delta=st.sampled_from([0, 0, 0, -100, 250]),
            signed=st.booleans(),
        )
        def record(self, i: int, fr: list[int], delta: int, signed: bool) -> None:
            stop = self.mini.stops[i % len(self.mini.stops)]
            data = _outcome(self.mini, stop, fr, delta, signed)
            key = f"r-{stop}"
            with session_scope(self.settings) as s:
                if stop in self.current:
                    with pytest.raises(Conflict):
                        record_outcome(s, data, idempotency_key=f"other-{self.n}", actor="t")
                    return
                r = record_outcome(s, data, idempotency_key=key, actor="t")
            self._apply(stop, r.billed_fen, r.cash_collected_fen, +1)
            self.current[stop] = (r.billed_fen, r.cash_collected_fen, key)
            self.sent[key] = data

        @rule(
            i=st.integers(0, 100),
            fr=st.lists(st.integers(0, 4), min_size=2, max_size=2),
            delta=st.sampled_from([0, -50, 300]),
        )
        def correct(self, i: int, fr: list[int], delta: int) -> None:
            stop = self.mini.stops[i % len(self.mini.stops)]
            self.n += 1
            data = _outcome(self.mini, stop, fr, delta, True)
            key = f"c-{self.n}"
            with session_scope(self.settings) as s:
                if stop not in self.current:
                    with pytest.raises(Conflict):
                        correct_outcome(s, data, reason="recount", idempotency_key=key, actor="t")
                    return
                r = correct_outcome(s, data, reason="recount", idempotency_key=key, actor="t")
            old = self.current[stop]
            self._apply(stop, old[0], old[1], -1)
            self._apply(stop, r.billed_fen, r.cash_collected_fen, +1)
            self.current[stop] = (r.billed_fen, r.cash_collected_fen, key)

        @rule(i=st.integers(0, 100))
        def replay_first_write(self, i: int) -> None:
            keys = sorted(self.sent)
            if not keys:
                return
            key = keys[i % len(keys)]
            with session_scope(self.settings) as s:
                r = record_outcome(s, self.sent[key], idempotency_key=key, actor="retry")
            assert r.replayed

        @rule(route=st.integers(0, 1), amount=st.integers(0, 200_000))
        def handover(self, route: int, amount: int) -> None:
            code = sorted(self.mini.routes)[route]
            staff = self.mini.drivers[code]
            self.n += 1
            with session_scope(self.settings) as s:
                r = record_handover(
                    s,
                    {"staff": staff, "on_date": DAY, "counted_fen": amount},
                    idempotency_key=f"h-{self.n}",
                    actor="t",
                )
            self.expected["cash:centre" if r["to"] == "DC" else f"cash:store:{r['to']}"] += amount
            # what the driver held beyond the count moves to their suspense account (short +, over −)
            held = self.expected.pop(f"cash:staff:{staff}", 0)
            self.expected[f"cash_diff:staff:{staff}"] += held - amount

        @rule(amount=st.integers(1, 100_000))
        def remittance(self, amount: int) -> None:
            self.n += 1
            with session_scope(self.settings) as s:
                record_remittance(
                    s,
                    {"store": "S06", "on_date": DAY, "amount_fen": amount},
                    idempotency_key=f"m-{self.n}",
                    actor="t",
                )
            self.expected["cash:store:S06"] -= amount
            self.expected["cash:centre"] += amount

        @rule(i=st.integers(0, 100), amount=st.integers(1, 100_000))
        def payment(self, i: int, amount: int) -> None:
            customers = sorted(set(self.mini.customers.values()))
            c = customers[i % len(customers)]
            self.n += 1
            with session_scope(self.settings) as s:
                record_payment(
                    s,
                    {"customer": c, "on_date": DAY, "amount_fen": amount},
                    idempotency_key=f"p-{self.n}",
                    actor="t",
                )
            self.expected[f"receivable:{c}"] -= amount
            self.expected["bank:centre"] += amount

        @invariant()
        def books_balance(self) -> None:
            if not hasattr(self, "settings"):
                return
            with session_scope(self.settings) as s:
                got = balances(s)
                by_hand: dict[str, int] = defaultdict(int)
                rows = s.execute(
                    select(LedgerAccount.code, Entry.amount_fen).join(
                        Entry, Entry.account_id == LedgerAccount.id
                    )
                ).all()
                for code, amount in rows:
                    by_hand[code] += int(amount)
                ENTRIES_CHECKED.append(len(rows))
                assert got == dict(by_hand)  # every balance is the sum of its entries
                assert sum(got.values()) == 0  # all accounts together sum to zero
                assert {k: v for k, v in got.items() if v} == {k: v for k, v in self.expected.items() if v}
                audit = check_ledger(s)
                assert audit["balanced"], audit
                # no double counting: per stop, the live (unreversed) postings are one delivery and ≤ one cash
                reversed_ids = set(
                    s.scalars(
                        select(Posting.reverses_posting_id).where(Posting.reverses_posting_id.is_not(None))
                    )
                )
                live: dict[str, list[str]] = defaultdict(list)
                for code, pid, kind in s.execute(
                    select(PlanStop.code, Posting.id, Posting.kind)
                    .join(StopOutcome, StopOutcome.stop_id == PlanStop.id)
                    .join(Posting, Posting.outcome_id == StopOutcome.id)
                ):
                    if kind != PostingKind.REVERSAL and pid not in reversed_ids:
                        live[code].append(kind.value)
                for stop, kinds in live.items():
                    assert kinds.count("delivery") <= 1 and kinds.count("cash_collected") <= 1, (stop, kinds)
                rec = reconcile(s, DAY)
                assert rec["billed_fen"] == sum(b for b, _, _ in self.current.values())
                assert rec["collected_fen"] == sum(c for _, c, _ in self.current.values())
            STOPS_SEEN.append(len(self.current))

    run_state_machine_as_test(
        LedgerMachine,
        settings=settings(
            max_examples=10,
            stateful_step_count=12,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    assert sum(ENTRIES_CHECKED) > 0
    print(
        f"\nproperty figures: {len(ENTRIES_CHECKED)} invariant checks, "
        f"{sum(ENTRIES_CHECKED)} entries summed, up to {max(STOPS_SEEN, default=0)} stops with outcomes"
    )
