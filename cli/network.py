"""`dispatch network import|info` and `dispatch matrix`: the road network and a day's matrices."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from cli.common import cli_errors, emit_json, fail
from models.settings import get_settings


def _km_line(by_class: dict[str, float]) -> str:
    return ", ".join(f"{k} {v:,.1f}" for k, v in sorted(by_class.items(), key=lambda kv: -kv[1]))


def register(app: typer.Typer) -> None:
    net = typer.Typer(
        help="The road network: import OpenStreetMap, show what is loaded.", no_args_is_help=True
    )
    app.add_typer(net, name="network")

    @net.command("import")
    def import_(
        file: Path = typer.Argument(..., help="An OpenStreetMap extract (.osm.pbf)."),
        name: str = typer.Option(None, help="Name to register (default: the file's name)."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Import the drivable roads of FILE, store the graph and make it the active network."""
        from rich.console import Console

        from services.network import import_network

        with cli_errors():
            if json_out:
                emit_json(import_network(get_settings(), file, name=name))
                return
            with Console(stderr=True).status("importing") as status:
                row = import_network(get_settings(), file, name=name, progress=lambda m: status.update(m))
            st = row["stats"]
            typer.echo(
                f"imported {row['name']} (version {row['version']}): {st['nodes']} nodes, "
                f"{st['edges']} edges, {st['road_km']:,.1f} road km; now active"
            )
            if st.get("attribution"):
                typer.echo(f"data {st['attribution']}")

    @net.command("info")
    def info(json_out: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
        """The active network: nodes, edges, road km by class, profiles."""
        from models.db import session_scope
        from services.network import network_info

        with cli_errors():
            settings = get_settings()
            with session_scope(settings) as session:
                d = network_info(session, settings)
            if json_out:
                emit_json(d)
                return
            if d["active"] is None:
                typer.echo(d["note"])
                return
            a = d["active"]
            typer.echo(f"{a['name']} ({a['source']}, version {a['version']})")
            typer.echo(f"nodes {d['nodes']}, edges {d['edges']}, road km {d['road_km']:,.1f}")
            typer.echo(f"by class: {_km_line(d['road_km_by_class'])}")
            typer.echo(f"profiles: {', '.join(d['profiles'])}")
            if d.get("attribution"):
                typer.echo(f"data {d['attribution']}")

    @app.command("matrix")
    def matrix(
        date: str = typer.Option(..., "--date", help="Delivery date, YYYY-MM-DD."),
        profile: str = typer.Option(None, "--profile", help="truck, van or ev (default: all)."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Distance/time matrices between the depots and the day's customers (cached)."""
        from services.network import day_matrices

        try:
            day = dt.date.fromisoformat(date)
        except ValueError:
            fail(f"--date: not a date (YYYY-MM-DD): {date!r}")
        with cli_errors():
            if json_out:
                points, results = day_matrices(get_settings(), day, profile=profile)
            else:
                from rich.console import Console

                with Console(stderr=True).status(f"matrices for {day}"):
                    points, results = day_matrices(get_settings(), day, profile=profile)
            out: dict[str, Any] = {
                "date": day.isoformat(),
                "size": len(points),
                "seconds": round(sum(r.seconds for r in results.values()), 3),
                "cache_hit": all(r.cache_hit for r in results.values()),
                "approximate": any(r.approximate for r in results.values()),
                "profiles": {n: r.as_dict() for n, r in results.items()},
            }
            if json_out:
                emit_json(out)
                return
            typer.echo(f"{day}: {len(points)} points (depots and customers with orders)")
            for n, r in results.items():
                mark = "approximate" if r.approximate else "road network"
                hit = "cached" if r.cache_hit else "computed"
                typer.echo(f"  {n}: {r.size}×{r.size} {mark}, {hit} in {r.seconds:.2f} s")
                for w in r.warnings[:5]:
                    typer.echo(f"    warning: {w}")
                if len(r.warnings) > 5:
                    typer.echo(f"    … and {len(r.warnings) - 5} more warnings")
                if r.note:
                    typer.echo(f"    {r.note}")
