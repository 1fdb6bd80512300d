"""`dispatch finance shortfall …`: cash differences at handover and finance's decisions on them.

A shortfall (or an overage) at a handover waits on the staff member's suspense
account ``cash_diff:staff:<code>`` until finance decides, always with a reason:
``charge`` it to the staff member or ``write-off`` (a shortfall), ``income`` or
``return`` (an overage); ``repay`` records the staff member paying a charged
shortfall back in cash. See :mod:`ledger.shortfalls`.
"""

from __future__ import annotations

from typing import Any

import typer

from cli.common import cli_errors, emit_json, fail, parse_date
from cli.ledger_args import fen_arg, yuan
from models import clock
from models.settings import get_settings

FINANCE = "finance"


def _line(d: dict[str, Any]) -> str:
    done = [
        f"{label} {yuan(d[f'{name}_fen'])}"
        for name, label in (
            ("charged", "charged"),
            ("repaid", "repaid"),
            ("written_off", "written off"),
            ("other_income", "other income"),
            ("returned", "returned"),
        )
        if d[f"{name}_fen"]
    ]
    pending = f"pending {yuan(d['pending_fen'])}" if d["pending_fen"] else ""
    return (
        f"{d['date']} {d['staff']} {d['name']:<6} {d['kind']:<5} {yuan(d['amount_fen']):>10}  "
        f"[{d['state']}] " + ", ".join(x for x in [pending, *done] if x)
    )


def _decided_days(session: Any, prefix: str, tail: str) -> list[str]:
    """Days of decisions recorded under a command's default key (``prefix<day>tail``)."""
    from sqlalchemy import select

    from ledger.orm import CashDecision

    col = CashDecision.idempotency_key
    keys = session.scalars(select(col).where(col.startswith(prefix, autoescape=True)))
    return sorted({k[len(prefix) : -len(tail)] for k in keys if k.endswith(tail)})


def register(finance: typer.Typer) -> None:
    shortfall = typer.Typer(
        help="Cash short or over at handover: list them; charge, write off, keep, return; repayments.",
        no_args_is_help=True,
    )
    finance.add_typer(shortfall, name="shortfall")

    @shortfall.command("list")
    def list_cmd(
        staff: str = typer.Option(None, "--staff", help="One staff member, e.g. E003."),
        date: str = typer.Option(None, "--date", help="One handover day (YYYY-MM-DD)."),
        all_: bool = typer.Option(False, "--all", help="Decided ones too (default: pending only)."),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Cash differences per staff member and handover day, with finance's decisions and their state."""
        from ledger.shortfalls import cash_differences
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            rows = cash_differences(s, staff=staff, day=parse_date(date), pending_only=not all_)
        if json_out:
            emit_json(rows)
            return
        if not rows:
            typer.echo("no cash differences" + ("" if all_ else " pending a decision"))
        for d in rows:
            typer.echo(_line(d))
            for x in d["decisions"]:
                typer.echo(
                    f"    {x['decided_on']} {x['action']:<12} {yuan(x['amount_fen']):>10} "
                    f"by {x['by']}: {x['reason']}"
                )

    def decide(
        action: str,
        staff: str,
        date: str | None,
        reason: str,
        amount: str | None,
        amount_fen: int | None,
        on: str | None,
        to: str | None,
        key: str | None,
        actor: str,
        json_out: bool,
    ) -> None:
        from ledger import shortfalls
        from models.db import session_scope

        fen = fen_arg(amount, amount_fen, "amount")
        if fen == 0:
            fail("--amount must be more than zero")
        fn = {
            "charge": shortfalls.charge_shortfall,
            "write-off": shortfalls.write_off_shortfall,
            "income": shortfalls.overage_to_income,
            "return": shortfalls.return_overage,
        }[action]
        want = "short" if action in ("charge", "write-off") else "over"
        tail = f":{fen or 'all'}"
        with cli_errors(), session_scope(get_settings()) as s:
            day = parse_date(date)
            if day is None:  # the staff member's one pending difference of that kind
                days = sorted(
                    d["date"]
                    for d in shortfalls.cash_differences(s, staff=staff, pending_only=True)
                    if d["pending_kind"] == want
                )
                if not days and key is None:  # the same command again: answer it as a replay
                    days = _decided_days(s, f"cli:shortfall:{action}:{staff}:", tail)
                if len(days) != 1:
                    fail(
                        f"give --date: {staff} has "
                        + (f"cash {want} pending on {', '.join(days)}" if days else f"no cash {want} pending")
                    )
                day = parse_date(days[0])
            assert day is not None
            data = {
                "staff": staff,
                "on_date": day.isoformat(),
                "amount_fen": fen,
                "reason": reason,
                "decided_on": on,
                "to": to,
            }
            r = fn(
                s,
                data,
                idempotency_key=key or f"cli:shortfall:{action}:{staff}:{day}{tail}",
                actor=actor,
            )
        if json_out:
            emit_json(r)
            return
        typer.echo(
            f"{r['staff']} {r['date']}: {r['action']} {yuan(r['amount_fen'])} ({r['reason']})"
            + (f" at {r['depot']}" if r["depot"] else "")
            + (" (replay)" if r["replayed"] else f"; now {r['difference']['state']}")
        )

    def _options(action: str, what: str) -> Any:
        def command(
            staff: str = typer.Argument(..., help="Staff code, e.g. E003."),
            reason: str = typer.Option(..., "--reason", help="Why (required)."),
            date: str = typer.Option(
                None, "--date", help=f"Handover day of the {what} (default: their only pending one)."
            ),
            amount: str = typer.Option(None, "--amount", help="Yuan (default: all still pending)."),
            amount_fen: int = typer.Option(None, "--amount-fen", min=1),
            on: str = typer.Option(None, "--on", help="Date of the decision (default: today)."),
            key: str = typer.Option(None, "--key"),
            actor: str = typer.Option(FINANCE, "--actor"),
            json_out: bool = typer.Option(False, "--json"),
        ) -> None:
            decide(action, staff, date, reason, amount, amount_fen, on, None, key, actor, json_out)

        return command

    shortfall.command("charge", help="Charge a cash shortfall to the staff member (they owe it).")(
        _options("charge", "shortfall")
    )
    shortfall.command("write-off", help="Write a cash shortfall off as the company's loss.")(
        _options("write-off", "shortfall")
    )
    shortfall.command("income", help="Keep a cash overage as other income.")(_options("income", "overage"))

    @shortfall.command("return")
    def return_cmd(
        staff: str = typer.Argument(..., help="Staff code, e.g. E003."),
        reason: str = typer.Option(..., "--reason", help="Why, and to whom (required)."),
        date: str = typer.Option(
            None, "--date", help="Handover day of the overage (default: their only one)."
        ),
        amount: str = typer.Option(None, "--amount", help="Yuan (default: all still pending)."),
        amount_fen: int = typer.Option(None, "--amount-fen", min=1),
        to: str = typer.Option(None, "--to", help="Depot paying it out (default: where it was handed in)."),
        on: str = typer.Option(None, "--on", help="Date of the decision (default: today)."),
        key: str = typer.Option(None, "--key"),
        actor: str = typer.Option(FINANCE, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Pay a cash overage back out (to the staff member or the customer who overpaid)."""
        decide("return", staff, date, reason, amount, amount_fen, on, to, key, actor, json_out)

    @shortfall.command("repay")
    def repay_cmd(
        staff: str = typer.Argument(..., help="Staff code, e.g. E003."),
        amount: str = typer.Option(None, "--amount", help="Yuan."),
        amount_fen: int = typer.Option(None, "--amount-fen", min=1),
        date: str = typer.Option(None, "--date", help="Day paid (default: today)."),
        to: str = typer.Option(None, "--to", help="Depot receiving the cash (default: the centre)."),
        reason: str = typer.Option("repaid in cash", "--reason"),
        key: str = typer.Option(None, "--key"),
        actor: str = typer.Option(FINANCE, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """A staff member pays a charged shortfall back in cash (the oldest ones first)."""
        from ledger.shortfalls import record_staff_repayment
        from models.db import session_scope

        fen = fen_arg(amount, amount_fen, "amount")
        if not fen:
            fail("give --amount (yuan) or --amount-fen")
        day = parse_date(date) or clock.today()
        with cli_errors(), session_scope(get_settings()) as s:
            r = record_staff_repayment(
                s,
                {"staff": staff, "on_date": day.isoformat(), "amount_fen": fen, "to": to, "reason": reason},
                idempotency_key=key or f"cli:repay:{staff}:{day}:{fen}",
                actor=actor,
            )
        if json_out:
            emit_json(r)
            return
        typer.echo(
            f"{r['staff']} repaid {yuan(r['amount_fen'])} at {r['depot']} on {r['decided_on']}"
            + (" (replay)" if r["replayed"] else f"; still owes {yuan(r['owes_fen'])}")
        )


__all__ = ["register"]
