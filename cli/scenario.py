"""`dispatch scenario …`: load the bundled county or generate larger ones."""

from __future__ import annotations

from pathlib import Path

import typer

from cli.common import cli_errors, emit_json
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    sc = typer.Typer(help="The bundled county scenario and its generator.", no_args_is_help=True)
    app.add_typer(sc, name="scenario")

    @sc.command("load")
    def load(
        name: str = typer.Argument(None, help="Bundled scenario name or a folder (default: qingshan)."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Load a scenario into an empty database, in one transaction."""
        from rich.console import Console

        from services.register import scenario_load

        with cli_errors():
            console = Console(stderr=True)
            if json_out:
                result = scenario_load(get_settings(), name)
                emit_json(result)
                return
            with console.status("loading") as status:
                result = scenario_load(get_settings(), name, progress=lambda m: status.update(f"loading {m}"))
            counts = ", ".join(f"{k} {v}" for k, v in result["loaded"].items())
            typer.echo(f"loaded scenario {result['scenario']}: {counts}")

    @sc.command("generate")
    def generate(
        seed: int = typer.Option(7, help="Random seed: the same seed gives the same county."),
        customers: int = typer.Option(800, min=10, help="Number of customers."),
        townships: int = typer.Option(11, min=2, max=99, help="Townships, the county town included."),
        days: int = typer.Option(30, min=1, max=366, help="Days of order history."),
        name: str = typer.Option(None, help="Scenario name (default: county-<seed>-<customers>)."),
        out: Path = typer.Option(None, help="Folder to write (default: <data dir>/scenarios/<name>)."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Generate a county (roads included) into a folder that `scenario load` accepts."""
        from services.scenarios import generate_scenario

        with cli_errors():
            result = generate_scenario(
                get_settings(),
                seed=seed,
                customers=customers,
                townships=townships,
                history_days=days,
                name=name,
                out=out,
            )
            if json_out:
                emit_json(result)
            else:
                typer.echo(
                    f"generated {result['name']} in {result['folder']}: "
                    f"{result['townships']} townships, {result['customers']} customers, "
                    f"{result['orders']} orders; load it with `dispatch scenario load {result['folder']}`"
                )

    @sc.command("list")
    def list_() -> None:
        """List the bundled scenarios."""
        from scenarios.loader import bundled_scenarios

        for n in bundled_scenarios():
            typer.echo(n)
