"""`dispatch print`: route packs (PDF), offline map sheets and the overview map of a day's plan."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.common import cli_errors, emit_json, fail
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    @app.command("print")
    def print_cmd(
        out: Path = typer.Option(..., "--out", help="Folder to write the PDFs and HTML maps into."),
        date: str = typer.Option(
            None, "--date", help="Delivery day YYYY-MM-DD (default: the latest plan's day)."
        ),
        route: str = typer.Option(None, "--route", help="Only this route: its id, code or vehicle plate."),
        lang: str = typer.Option("zh", "--lang", help="zh (default) or en."),
        json_out: bool = typer.Option(False, "--json", help="Print one JSON object."),
    ) -> None:
        """Write each route's pack (PDF) and map sheet (HTML, works offline) and the day's overview map."""
        from cli.common import parse_date
        from documents.fonts import FontMissing
        from services.printing import print_day

        with cli_errors():
            try:
                result = print_day(get_settings(), date=parse_date(date), route=route, lang=lang, out=out)
            except FontMissing as exc:
                fail(str(exc))
            if json_out:
                emit_json(result)
                return
            typer.echo(f"plan {result['date']} v{result['version']} ({result['status']}) → {result['dir']}")
            for r in result["routes"]:
                notes = r["notes"]
                span = f"{notes[0]} … {notes[-1]}" if notes else "no stops"
                typer.echo(f"  {r['route']} {r['vehicle']} {r['stops']} stops, notes {span}")
                typer.echo(f"    {r['pdf']}")
                typer.echo(f"    {r['map']}")
            typer.echo(f"  overview {result['overview']}")
