"""`dispatch handover …`: end of day, drivers' cash and notes, store reports and remittances."""

from __future__ import annotations

import typer

from cli.common import cli_errors, emit_json, fail, parse_date
from cli.ledger_args import ACTOR, day_or_latest, fen_arg, yuan
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    handover = typer.Typer(
        help="End of day: drivers' cash and notes, store reports and remittances.", no_args_is_help=True
    )
    app.add_typer(handover, name="handover")

    @handover.command("record")
    def handover_record(
        staff: str = typer.Option(..., "--staff", help="Driver or store staff code, e.g. E001."),
        counted: str = typer.Option(None, "--counted", help="Cash counted, yuan."),
        counted_fen: int = typer.Option(None, "--counted-fen", min=0, help="Cash counted, fen."),
        denominations: str = typer.Option(
            None, "--denominations", help="Notes and coins in yuan: 100=3,50=1,0.5=2."
        ),
        notes: int = typer.Option(0, "--notes", min=0, help="Signed notes handed back."),
        to: str = typer.Option(None, "--to", help="Depot code (default: their store, else the centre)."),
        date: str = typer.Option(None, "--date", help="Day (default: the latest planned day)."),
        note: str = typer.Option("", "--note"),
        key: str = typer.Option(None, "--key"),
        actor: str = typer.Option(ACTOR, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Record a driver's end-of-day handover; prints the difference to what the ledger says they hold."""
        from ledger.cash import record_handover
        from ledger.entry import parse_pairs
        from models.db import session_scope

        amount = fen_arg(counted, counted_fen, "counted")
        if amount is None:
            fail("give --counted (yuan) or --counted-fen")
        denoms = None
        if denominations:
            from documents.money import parse_yuan

            try:
                denoms = {
                    str(parse_yuan(k)): int(v)
                    for k, v in parse_pairs(denominations, "--denominations").items()
                }
            except ValueError as exc:
                fail(f"--denominations: {exc}")
        with cli_errors(), session_scope(get_settings()) as s:
            day = day_or_latest(s, parse_date(date))
            data = {
                "staff": staff,
                "on_date": day.isoformat(),
                "counted_fen": amount,
                "denominations": denoms,
                "notes_returned": notes,
                "to": to,
                "note": note,
            }
            r = record_handover(s, data, idempotency_key=key or f"cli:handover:{day}:{staff}", actor=actor)
            if json_out:
                emit_json(r)
                return
            diff = r["difference_fen"]
            verdict = (
                "balances"
                if diff == 0
                else (f"SHORT by {yuan(-diff)}" if diff < 0 else f"OVER by {yuan(diff)}")
            )
            typer.echo(
                f"handover {r['staff']} → {r['to']} {r['date']}: counted {yuan(r['counted_fen'])}, "
                f"held {yuan(r['held_before_fen'])}: {verdict}; {r['notes_returned']} notes"
                + (" (replay)" if r["replayed"] else "")
            )
            if r["difference_account"]:
                typer.echo(
                    f"  moved to {r['difference_account']}, pending a finance decision "
                    "(dispatch finance shortfall list)"
                )

    @handover.command("store-report")
    def store_report(
        store: str = typer.Option(..., "--store"),
        stops: int = typer.Option(..., "--stops", min=0),
        cases: int = typer.Option(..., "--cases", min=0),
        cash: str = typer.Option(None, "--cash"),
        cash_fen: int = typer.Option(None, "--cash-fen", min=0),
        date: str = typer.Option(None, "--date"),
        note: str = typer.Option("", "--note"),
        key: str = typer.Option(None, "--key"),
        actor: str = typer.Option(ACTOR, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """A store reports its day to the service centre: stops served, cases delivered, cash collected."""
        from ledger.cash import record_store_report
        from models.db import session_scope

        amount = fen_arg(cash, cash_fen, "cash")
        with cli_errors(), session_scope(get_settings()) as s:
            day = day_or_latest(s, parse_date(date))
            data = {
                "store": store,
                "on_date": day.isoformat(),
                "stops": stops,
                "delivered_cases": cases,
                "cash_fen": amount or 0,
                "note": note,
            }
            r = record_store_report(
                s,
                data,
                idempotency_key=key or f"cli:report:{day}:{store}:{stops}:{cases}:{amount}",
                actor=actor,
            )
            emit_json(r) if json_out else typer.echo(
                f"store {r['store']} reported {r['date']}: {r['stops']} stops, "
                f"{r['delivered_cases']} cases, {yuan(r['cash_fen'])}"
            )

    @handover.command("remit")
    def remit(
        store: str = typer.Option(..., "--store"),
        amount: str = typer.Option(None, "--amount"),
        amount_fen: int = typer.Option(None, "--amount-fen", min=1),
        date: str = typer.Option(None, "--date"),
        note: str = typer.Option("", "--note"),
        key: str = typer.Option(None, "--key"),
        actor: str = typer.Option(ACTOR, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """A store pays its collected cash in to the centre."""
        from ledger.cash import record_remittance
        from models.db import session_scope

        fen = fen_arg(amount, amount_fen, "amount")
        if not fen:
            fail("give --amount (yuan) or --amount-fen")
        with cli_errors(), session_scope(get_settings()) as s:
            day = day_or_latest(s, parse_date(date))
            r = record_remittance(
                s,
                {"store": store, "on_date": day.isoformat(), "amount_fen": fen, "note": note},
                idempotency_key=key or f"cli:remit:{day}:{store}:{fen}",
                actor=actor,
            )
            emit_json(r) if json_out else typer.echo(
                f"{r['store']} remitted {yuan(r['amount_fen'])} on {r['date']}; "
                f"store cash now {yuan(r['store_cash_fen'])}"
            )
