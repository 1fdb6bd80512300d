"""`dispatch receipts …`: numbered cash-receipt books."""

from __future__ import annotations

import typer

from cli.common import cli_errors, emit_json, parse_date
from cli.ledger_args import ACTOR
from models import clock
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    receipts = typer.Typer(
        help="Numbered cash-receipt books.",
        no_args_is_help=True,
    )
    app.add_typer(receipts, name="receipts")

    @receipts.command("issue")
    def receipts_issue(
        staff: str = typer.Option(None, "--staff", help="Staff code (driver / store staff)."),
        store: str = typer.Option(None, "--store", help="Or a store code."),
        first: int = typer.Option(..., "--first", min=1),
        last: int = typer.Option(..., "--last", min=1),
        date: str = typer.Option(None, "--date", help="Issued on (default today)."),
        note: str = typer.Option("", "--note"),
        actor: str = typer.Option(ACTOR, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Issue a numbered receipt book to a driver or a store."""
        from ledger.receipts import issue_book
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            b = issue_book(
                s,
                staff_code=staff,
                store_code=store,
                first=first,
                last=last,
                on_date=parse_date(date) or clock.today(),
                actor=actor,
                note=note,
            )
            emit_json(b) if json_out else typer.echo(
                f"book {b['id']} ({b['first']}–{b['last']}) issued to {b['holder']}"
            )

    @receipts.command("list")
    def receipts_list(
        holder: str = typer.Option(None, "--holder", help="Staff or store code."),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Receipt books with numbers assigned, used, voided and left."""
        from ledger.receipts import list_books
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            books = list_books(s, holder=holder)
        if json_out:
            emit_json(books)
            return
        for b in books:
            typer.echo(
                f"book {b['id']:>3} {b['holder']:<6} {b['first']}–{b['last']} issued {b['issued_on']}: "
                f"{b['assigned']} assigned, {b['used']} used, {b['voided']} void, {b['remaining']} left"
            )

    @receipts.command("void")
    def receipts_void(
        number: str = typer.Argument(...),
        reason: str = typer.Option(..., "--reason"),
        date: str = typer.Option(None, "--date"),
        actor: str = typer.Option(ACTOR, "--actor"),
    ) -> None:
        """Record a spoilt or cancelled receipt (so it is not reported as a gap)."""
        from ledger.receipts import void_receipt
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            day = parse_date(date) or clock.today()
            r = void_receipt(s, number, reason=reason, on_date=day, actor=actor)
            typer.echo(f"receipt {r['number']} void" + (" (already)" if r["replayed"] else ""))
