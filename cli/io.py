"""`dispatch import …` and `dispatch export …`: CSV/XLSX in the documented layouts."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path

import typer

from cli.common import cli_errors, emit_json
from models.settings import get_settings


class Kind(StrEnum):
    customers = "customers"
    orders = "orders"


class Lang(StrEnum):
    zh = "zh"
    en = "en"


def register(app: typer.Typer) -> None:
    @app.command("import")
    def import_(
        kind: Kind = typer.Argument(..., help="customers or orders"),
        file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A .csv or .xlsx file."),
        update: bool = typer.Option(False, "--update", help="Customers: update codes already registered."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON (errors too, on stdout)."),
    ) -> None:
        """Import a file whole: any bad row rejects it, with every error listed; nothing is written."""
        from models.db import session_scope
        from models.errors import InputError
        from services.imports import import_customers, import_orders

        with cli_errors():
            try:
                with session_scope(get_settings()) as session:
                    if kind is Kind.customers:
                        result = import_customers(session, file, update=update)
                    else:
                        result = import_orders(session, file)
            except InputError as exc:
                if json_out:
                    emit_json({"ok": False, "errors": [e.as_dict() for e in exc.errors]})
                else:
                    for e in exc.errors:
                        typer.echo(f"  {e}", err=True)
                from cli.common import fail

                fail(f"{file.name}: {len(exc.errors)} error(s); nothing imported")
        if json_out:
            emit_json({"ok": True, **result})
        else:
            typer.echo(f"imported {file.name}: " + ", ".join(f"{k} {v}" for k, v in result.items()))

    @app.command("export")
    def export(
        kind: Kind = typer.Argument(..., help="customers or orders"),
        file: Path = typer.Argument(..., dir_okay=False, help="Output .csv or .xlsx."),
        lang: Lang = typer.Option(Lang.zh, "--lang", help="Header language."),
        date: str = typer.Option(None, "--date", help="Orders: only this delivery date (YYYY-MM-DD)."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Export in the same layout that import reads."""
        from models.db import session_scope
        from models.errors import InputError
        from services.exports import export_customers, export_orders

        with cli_errors():
            day = None
            if date:
                try:
                    day = dt.date.fromisoformat(date)
                except ValueError:
                    raise InputError.single("--date", "must be YYYY-MM-DD", value=date) from None
            with session_scope(get_settings()) as session:
                if kind is Kind.customers:
                    n = export_customers(session, file, lang=lang.value)
                else:
                    n = export_orders(session, file, lang=lang.value, delivery_date=day)
            if json_out:
                emit_json({"file": str(file), "rows": n})
            else:
                typer.echo(f"wrote {n} rows to {file}")
