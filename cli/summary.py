"""`dispatch summary`: what is in the database."""

from __future__ import annotations

import typer

from cli.common import cli_errors, emit_json
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    @app.command("summary")
    def summary(json_out: bool = typer.Option(False, "--json", help="Print one JSON object.")) -> None:
        """Counts of townships, customers, depots, vehicles, products and open orders."""
        from models.db import session_scope
        from services.register import summary as build

        with cli_errors():
            with session_scope(get_settings()) as session:
                s = build(session)
            if json_out:
                emit_json(s)
                return
            county = s["county"]
            head = (
                f"{county['name_zh']} {county['name_en']} ({county['code']})"
                if county
                else "no county loaded"
            )
            typer.echo(head)
            typer.echo(
                f"townships {s['townships']}, customers {s['customers']}, "
                f"depots: centre {s['depots']['centre']} + stores {s['depots']['store']}, "
                f"vehicles {s['vehicles']} (centre fleet today {s['centre_fleet']['today']}, "
                f"planned {s['centre_fleet']['planned']}), products {s['products']}"
            )
            typer.echo(
                f"orders {s['orders']}, open {s['open_orders']}, next delivery day {s['next_delivery_date']}"
            )
