"""Cash missing at handover has a home: suspense, then charge / write-off / repay (or income / return)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from typer.testing import CliRunner

from cli.main import app
from ledger.cash import record_handover
from ledger.orm import CashDecision, Posting
from ledger.outcomes import record_outcome
from ledger.postings import balance, balances, check_ledger
from ledger.reconcile import reconcile
from ledger.shortfalls import (
    cash_differences,
    charge_shortfall,
    overage_to_income,
    record_staff_repayment,
    return_overage,
    write_off_shortfall,
)
from ledger.xlsx import write_reconciliation
from models.db import dispose_engines, session_scope
from models.errors import Conflict, InputError
from models.migrate import downgrade, head_revision, upgrade
from models.settings import Settings, get_settings
from tests.conftest import set_product_clock
from tests.ledger_fixtures import DAY, MiniPlan, full_outcome, ledger_plan, sqlite_plan  # noqa: F401

LedgerPlan = tuple[Settings, MiniPlan]
NEXT = DAY + dt.timedelta(days=1)


@pytest.fixture(autouse=True)
def next_morning(monkeypatch: pytest.MonkeyPatch, product_clock: dt.datetime) -> None:
    """Finance decides the morning after the delivery day (the product clock; the CLI inherits it)."""
    set_product_clock(monkeypatch, dt.datetime.combine(NEXT, dt.time(9), product_clock.tzinfo))


def _collect(settings: Settings, mini: MiniPlan) -> int:
    """E001 delivers two cash-on-delivery stops in full; returns the cash he holds."""
    centre = sorted(mini.routes)[0]
    cod = [st for st in mini.routes[centre] if mini.terms[st] == "cod"][:2]
    with session_scope(settings) as s:
        for st in cod:
            record_outcome(s, full_outcome(mini, st), idempotency_key=st, actor="t")
    return sum(mini.due(st) for st in cod)


def _handover(settings: Settings, counted: int, key: str = "eod-E001") -> dict[str, Any]:
    with session_scope(settings) as s:
        return record_handover(
            s,
            {"staff": "E001", "on_date": DAY, "counted_fen": counted, "notes_returned": 2},
            idempotency_key=key,
            actor="clerk",
        )


def _books_balance(s: Any) -> None:
    audit = check_ledger(s)
    assert audit["balanced"] and audit["total_fen"] == 0, audit
    assert sum(balances(s).values()) == 0


def test_a_shortfall_at_handover_waits_on_the_suspense_account(ledger_plan: LedgerPlan) -> None:  # noqa: F811
    settings, mini = ledger_plan
    held = _collect(settings, mini)
    r = _handover(settings, held - 5000)
    assert (r["difference_fen"], r["difference_account"]) == (-5000, "cash_diff:staff:E001")
    with session_scope(settings) as s:
        assert balance(s, "cash:staff:E001") == 0
        assert balance(s, "cash_diff:staff:E001") == 5000
        assert balance(s, "cash:centre") == held - 5000
        [d] = cash_differences(s)
        assert (d["id"], d["kind"], d["difference_fen"], d["pending_fen"], d["state"]) == (
            f"{DAY}/E001",
            "short",
            -5000,
            5000,
            "pending",
        )
        _books_balance(s)
    # the same handover again is a replay: no second difference
    assert _handover(settings, held - 5000)["replayed"]
    with session_scope(settings) as s:
        assert balance(s, "cash_diff:staff:E001") == 5000
    # he finds the money: a second handover that day nets the difference out
    _handover(settings, 5000, key="eod-E001-b")
    with session_scope(settings) as s:
        assert balance(s, "cash:staff:E001") == 0 and balance(s, "cash_diff:staff:E001") == 0
        [d] = cash_differences(s, staff="E001", day=DAY)
        assert (d["difference_fen"], d["pending_fen"], d["state"]) == (0, 0, "settled")
        assert cash_differences(s, pending_only=True) == []
        _books_balance(s)


def test_charge_write_off_and_repay_with_reasons_once_each(ledger_plan: LedgerPlan) -> None:  # noqa: F811
    settings, mini = ledger_plan
    held = _collect(settings, mini)
    _handover(settings, held - 5000)
    decision = {"staff": "E001", "on_date": DAY, "decided_on": NEXT}
    with session_scope(settings) as s:
        for reason in ("", "   "):
            with pytest.raises(InputError, match="reason"):
                charge_shortfall(s, {**decision, "reason": reason}, idempotency_key="c0", actor="wei")
        with pytest.raises(InputError, match="reason"):
            write_off_shortfall(s, decision, idempotency_key="w0", actor="wei")
        with pytest.raises(InputError, match="actor"):
            charge_shortfall(s, {**decision, "reason": "x"}, idempotency_key="c0", actor=" ")
        with pytest.raises(InputError, match="still pending"):
            charge_shortfall(
                s, {**decision, "amount_fen": 5001, "reason": "x"}, idempotency_key="c0", actor="wei"
            )
        with pytest.raises(InputError, match="no cash over"):  # a shortfall is not other income
            overage_to_income(s, {**decision, "reason": "x"}, idempotency_key="i0", actor="wei")
        with pytest.raises(InputError, match="no cash short"):  # no handover that day
            charge_shortfall(
                s, {**decision, "on_date": NEXT, "reason": "x"}, idempotency_key="c0", actor="wei"
            )
        assert s.scalar(select(func.count()).select_from(CashDecision)) == 0
    charge = {**decision, "amount_fen": 3000, "reason": "counted short twice; driver accepts"}
    with session_scope(settings) as s:
        c = charge_shortfall(s, charge, idempotency_key="charge-E001", actor="wei")
        assert (c["action"], c["amount_fen"], c["by"], c["decided_on"], c["replayed"]) == (
            "charge",
            3000,
            "wei",
            NEXT.isoformat(),
            False,
        )
        assert c["difference"]["state"] == "pending" and c["difference"]["pending_fen"] == 2000
        w = write_off_shortfall(
            s, {**decision, "reason": "coins lost in the cab"}, idempotency_key="wo-E001", actor="wei"
        )
        assert w["amount_fen"] == 2000 and w["difference"]["state"] == "charged"
    with session_scope(settings) as s:
        postings = s.scalar(select(func.count()).select_from(Posting))
        again = charge_shortfall(s, charge, idempotency_key="charge-E001", actor="wei")
        assert again["replayed"] and again["id"] == c["id"]
        with pytest.raises(Conflict):
            charge_shortfall(s, {**charge, "reason": "other"}, idempotency_key="charge-E001", actor="wei")
        assert s.scalar(select(func.count()).select_from(Posting)) == postings
        assert balance(s, "cash_diff:staff:E001") == 0
        assert balance(s, "receivable:staff:E001") == 3000
        assert balance(s, "expense:cash_write_off") == 2000
        _books_balance(s)
    pay = {"staff": "E001", "on_date": NEXT, "amount_fen": 1000}
    with session_scope(settings) as s:
        centre = balance(s, "cash:centre")
        with pytest.raises(InputError, match="owes 3000"):
            record_staff_repayment(s, {**pay, "amount_fen": 3001}, idempotency_key="p0", actor="wei")
        p1 = record_staff_repayment(s, pay, idempotency_key="repay-1", actor="wei")
        assert (p1["owes_fen"], p1["depot"]) == (2000, "DC")
        assert record_staff_repayment(s, pay, idempotency_key="repay-1", actor="wei")["replayed"]
        assert cash_differences(s, staff="E001")[0]["state"] == "charged"
        record_staff_repayment(s, {**pay, "amount_fen": 2000}, idempotency_key="repay-2", actor="wei")
    with session_scope(settings) as s:
        [d] = cash_differences(s, staff="E001")
        assert (d["charged_fen"], d["written_off_fen"], d["repaid_fen"], d["state"]) == (
            3000,
            2000,
            3000,
            "repaid",
        )
        assert [x["action"] for x in d["decisions"]] == ["charge", "write_off"]
        assert d["decisions"][0]["reason"] == "counted short twice; driver accepts"
        assert balance(s, "receivable:staff:E001") == 0 and balance(s, "cash:centre") == centre + 3000
        _books_balance(s)
        # the decisions are history: the database refuses to change them
        with pytest.raises(DBAPIError, match="append-only"), s.begin_nested():
            s.execute(text("UPDATE cash_decisions SET reason = 'x'"))


def test_an_overage_becomes_other_income_or_is_returned(ledger_plan: LedgerPlan) -> None:  # noqa: F811
    settings, mini = ledger_plan
    held = _collect(settings, mini)
    r = _handover(settings, held + 2000)
    assert r["difference_fen"] == 2000
    decision = {"staff": "E001", "on_date": DAY}
    with session_scope(settings) as s:
        assert balance(s, "cash:staff:E001") == 0 and balance(s, "cash_diff:staff:E001") == -2000
        with pytest.raises(InputError, match="no cash short"):
            write_off_shortfall(s, {**decision, "reason": "x"}, idempotency_key="w", actor="f")
        i = overage_to_income(
            s,
            {**decision, "amount_fen": 500, "reason": "no customer claims it"},
            idempotency_key="i",
            actor="f",
        )
        assert i["decided_on"] == NEXT.isoformat()  # today, by the product clock
        centre = balance(s, "cash:centre")
        ret = return_overage(
            s, {**decision, "reason": "driver's own money"}, idempotency_key="ret", actor="f"
        )
        assert (ret["amount_fen"], ret["depot"], ret["difference"]["state"]) == (1500, "DC", "returned")
        assert balance(s, "revenue:other_income") == -500
        assert balance(s, "cash:centre") == centre - 1500
        assert balance(s, "cash_diff:staff:E001") == 0
        assert balance(s, "revenue:sales") == -held  # the goods' revenue is untouched
        _books_balance(s)


def test_reconciliation_shows_each_drivers_difference_and_its_state(
    ledger_plan: LedgerPlan,  # noqa: F811
    tmp_path: Path,
) -> None:
    settings, mini = ledger_plan
    held = _collect(settings, mini)
    _handover(settings, held - 5000)
    with session_scope(settings) as s:
        rec = reconcile(s, DAY)
    e001 = next(d for d in rec["drivers"] if d["staff"] == "E001")
    # the existing keys are unchanged ...
    assert e001["difference_fen"] == -5000 and e001["cash_on_hand_fen"] == 0
    flag = next(f for f in rec["flags"] if f["kind"] == "cash_short" and f.get("driver") == "E001")
    assert flag["amount_fen"] == 5000 and rec["cash_difference_fen"] == -5000
    # ... and the difference has a state
    assert (e001["cash_difference"]["state"], e001["cash_difference"]["pending_fen"]) == ("pending", 5000)
    assert [d["id"] for d in rec["pending_cash_differences"]] == [f"{DAY}/E001"]
    assert [d["staff"] for d in rec["cash_differences"]] == ["E001"]
    with session_scope(settings) as s:
        charge_shortfall(
            s, {"staff": "E001", "on_date": DAY, "reason": "agreed"}, idempotency_key="c", actor="f"
        )
        rec = reconcile(s, DAY)
    e001 = next(d for d in rec["drivers"] if d["staff"] == "E001")
    assert (e001["cash_difference"]["state"], e001["owes_fen"]) == ("charged", 5000)
    assert rec["pending_cash_differences"] == [] and rec["ledger"]["balanced"]
    with session_scope(settings) as s:
        record_staff_repayment(
            s, {"staff": "E001", "on_date": NEXT, "amount_fen": 5000}, idempotency_key="p", actor="f"
        )
        rec = reconcile(s, DAY)
    e001 = next(d for d in rec["drivers"] if d["staff"] == "E001")
    assert (e001["cash_difference"]["state"], e001["owes_fen"]) == ("repaid", 0)
    sheet = load_workbook(write_reconciliation(rec, tmp_path / "r.xlsx"))["Cash differences 现金差异"]
    header, row = [c.value for c in sheet[1]], [c.value for c in sheet[2]]
    assert dict(zip(header, row, strict=True))["state"] == "repaid"


def test_finance_shortfall_commands(sqlite_plan: Any, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    settings, mini = sqlite_plan(centre_stops=4, store_stops=2)
    held = _collect(settings, mini)
    _handover(settings, held - 5000)
    monkeypatch.setenv("DISPATCH_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DISPATCH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    runner = CliRunner()

    def run(*args: str, code: int = 0) -> Any:
        r = runner.invoke(app, list(args))
        assert r.exit_code == code, (args, r.stdout, r.stderr)
        return r

    try:
        [d] = json.loads(run("finance", "shortfall", "list", "--json").stdout)
        assert (d["staff"], d["state"], d["pending_fen"]) == ("E001", "pending", 5000)
        err = run("finance", "shortfall", "charge", "E001", "--reason", "  ", code=1).stderr
        assert err.startswith("error: ") and err.count("\n") == 1 and "reason" in err, err
        run("finance", "shortfall", "charge", "E001", code=2)  # --reason is required
        args = ("finance", "shortfall", "charge", "E001", "--amount", "30.00", "--reason", "agreed", "--json")
        first = json.loads(run(*args).stdout)
        assert (first["amount_fen"], first["date"], first["replayed"]) == (3000, DAY.isoformat(), False)
        assert json.loads(run(*args).stdout)["replayed"]  # the same command twice records once
        out = run("finance", "shortfall", "write-off", "E001", "--date", str(DAY), "--reason", "lost").stdout
        assert "write_off ¥20.00" in out and "charged" in out
        assert "still owes ¥0.00" in run("finance", "shortfall", "repay", "E001", "--amount", "30.00").stdout
        assert json.loads(run(*args).stdout)["replayed"]  # nothing pending now: still a replay, not an error
        [d] = json.loads(run("finance", "shortfall", "list", "--all", "--json").stdout)
        assert (d["state"], d["charged_fen"], d["written_off_fen"], d["repaid_fen"]) == (
            "repaid",
            3000,
            2000,
            3000,
        )
        assert "no cash differences pending" in run("finance", "shortfall", "list").stdout
        assert "[repaid]" in run("finance", "shortfall", "list", "--all").stdout
    finally:
        get_settings.cache_clear()


def test_migration_0006_keeps_ledger_history_and_will_not_drop_it(ledger_plan: LedgerPlan) -> None:  # noqa: F811
    settings, mini = ledger_plan
    url = settings.effective_database_url
    held = _collect(settings, mini)
    _handover(settings, held)  # no difference: nothing only 0006 can express
    with session_scope(settings) as s:
        before = balances(s)
        postings = s.scalar(select(func.count()).select_from(Posting))
    dispose_engines()
    assert downgrade(url, "0005") == "0005"  # SQLite: the ledger tables are rebuilt, with rows
    assert upgrade(url) == head_revision()
    dispose_engines()
    with session_scope(settings) as s:
        assert balances(s) == before and s.scalar(select(func.count()).select_from(Posting)) == postings
        _books_balance(s)
    for stmt in ("UPDATE ledger_postings SET memo = 'x'", "DELETE FROM ledger_accounts"):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(settings) as s:
            s.execute(text(stmt))
    _handover(settings, 0, key="eod-E001-again")  # held 0, counted 0: nothing
    with session_scope(settings) as s:
        record_outcome(s, full_outcome(mini, _cod(mini, 2)), idempotency_key="third", actor="t")
    _handover(settings, 1, key="short-again")
    dispose_engines()
    with pytest.raises(RuntimeError, match="cannot downgrade"):
        downgrade(url, "0005")
    dispose_engines()
    with session_scope(settings) as s:
        assert s.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
        assert balance(s, "cash_diff:staff:E001") == mini.due(_cod(mini, 2)) - 1


def _cod(mini: MiniPlan, i: int) -> str:
    centre = sorted(mini.routes)[0]
    return [st for st in mini.routes[centre] if mini.terms[st] == "cod"][i]
