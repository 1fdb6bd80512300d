"""`dispatch whatif`, `dispatch horizon`, `dispatch holds`: the dispatcher's planning views."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import typer

from cli.common import cli_errors, emit_json, parse_date
from cli.plan import parse_fleet
from models import clock
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    _register_reports(app)

    @app.command("whatif")
    def whatif(
        days: int = typer.Option(15, "--days", min=1, max=60, help="Days of scenario orders to replay."),
        fleet: list[str] = typer.Option(
            None,
            "--fleet",
            help="today, planned or a file of plates; repeat to compare (default: today and planned).",
        ),
        last_day: str = typer.Option(
            None, "--last-day", help="Last day replayed (default: the latest delivered)."
        ),
        time_limit: float = typer.Option(
            5.0, "--time-limit", min=0.5, help="Solver seconds per day and fleet."
        ),
        out: Path = typer.Option(None, "--out", help="Folder for the chart (default: <data dir>/whatif)."),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Plan the same days with each fleet: cost per ton, km, late or unserved orders, overtime."""
        from rich.console import Console

        from services.whatif import chart, run_whatif, verdict

        with cli_errors():
            names = fleet or ["today", "planned"]
            fleets = {(n if n in ("today", "planned") else Path(n).stem): parse_fleet(n) for n in names}
            settings = get_settings()
            console = Console(stderr=True)
            with console.status("what-if") as status:
                report = run_whatif(
                    settings,
                    days=days,
                    fleets=fleets,
                    last_day=parse_date(last_day),
                    time_limit_s=time_limit,
                    progress=lambda m: status.update(f"planning {m}"),
                )
            folder = out or settings.data_dir / "whatif"
            png = chart(report, folder / f"whatif-{report['first_day']}-{report['last_day']}.png")
            report["chart"] = str(png)
            report["verdict"] = verdict(report)
            if json_out:
                emit_json(report)
                return
            typer.echo(f"what-if {report['first_day']} – {report['last_day']} ({days} days)")
            typer.echo(
                f"{'fleet':<10}{'cost/t':>10}{'km':>9}{'routes':>8}{'late':>6}{'unserved':>10}"
                f"{'overtime h':>12}"
            )
            for name, f in report["fleets"].items():
                typer.echo(
                    f"{name:<10}{(f['cost_per_ton_fen'] or 0) / 100:>10.2f}{f['km']:>9.1f}{f['routes']:>8}"
                    f"{f['late_orders']:>6}{f['unserved_orders']:>10}{f['overtime_hours']:>12.1f}"
                )
            if report["verdict"]:
                typer.echo(report["verdict"])
            typer.echo(f"chart: {png}")

    @app.command("horizon")
    def horizon(
        days: int = typer.Option(15, "--days", min=1, max=60, help="Cycle length (days)."),
        fleet: str = typer.Option("today", "--fleet", help="today or planned."),
        start: str = typer.Option(
            None, "--start", help="First day (default: the day after the last delivery)."
        ),
        apply: bool = typer.Option(False, "--apply", help="Write the days to the customers' cycle offsets."),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Spread the half-monthly visits: which day each village is served, load against fleet capacity."""
        from services.horizon import cycle_plan

        with cli_errors():
            r = cycle_plan(get_settings(), days=days, fleet=fleet, start=parse_date(start), apply=apply)
            if json_out:
                emit_json(r)
                return
            typer.echo(
                f"horizon from {r['start']}, fleet {fleet} ({r['capacity_kg_per_day']:,} kg/day)"
                + (" — applied to customers" if r["applied"] else "")
            )
            for row in r["rows"]:
                towns = ", ".join(f"{t}:{n}" for t, n in sorted(row["stops_by_township"].items()))
                flag = " OVERLOADED" if row["overloaded"] else ""
                typer.echo(
                    f"{row['date']}  {row['load_kg']:>6,} kg {row['utilisation_pct']:>5.1f}%  "
                    f"{row['stops']:>3} stops  {towns}{flag}"
                )

    @app.command("holds")
    def holds(
        today: str = typer.Option(None, "--today", help="Date to age holds against (default: today)."),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Held orders, with their reasons; those older than one delivery cycle are flagged."""
        from services.holds import list_holds

        with cli_errors():
            r = list_holds(get_settings(), today=parse_date(today) or clock.today())
            if json_out:
                emit_json(r)
                return
            for h in r:
                flag = " OVERDUE" if h["overdue"] else ""
                typer.echo(
                    f"{h['order']} {h['customer']} held since {h['held_since']} ({h['days']} d){flag}: "
                    f"{h['reason']}"
                )


def _register_reports(app: typer.Typer) -> None:
    report = typer.Typer(help="Manager's reports over stored plans.", no_args_is_help=True)
    app.add_typer(report, name="report")

    def _range(first: str | None, last: str | None) -> tuple[dt.date, dt.date]:
        end = parse_date(last) or clock.today()
        return parse_date(first) or end - dt.timedelta(days=29), end

    @report.command("costs")
    def costs(
        first: str = typer.Option(None, "--from", help="First day (default: 30 days before --to)."),
        last: str = typer.Option(None, "--to", help="Last day (default: today)."),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Cost per customer tonne, case and stop (transfers apart), per day, depot and route; yuan table
        (--json: integer fen)."""
        from models.db import session_scope
        from services.reports import check_range, cost_report

        with cli_errors():
            a, b = _range(first, last)
            check_range(a, b)
            with session_scope(get_settings()) as s:
                r = cost_report(s, a, b)
            if json_out:
                emit_json(r)
                return
            from cli.report_tables import cost_lines

            typer.echo("\n".join(cost_lines(r)))

    @report.command("stock")
    def stock(
        as_of: str = typer.Option(None, "--as-of", help="Last day of demand (default: latest order day)."),
        days: int = typer.Option(30, "--days", help="Days of orders the average is taken over."),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Days of cover per depot and product: free stock against recent daily demand."""
        from models.db import session_scope
        from services.stock_report import stock_cover

        with cli_errors(), session_scope(get_settings()) as s:
            r = stock_cover(s, parse_date(as_of), days=days)
        if json_out:
            emit_json(r)
            return
        typer.echo(f"days of cover on {r['as_of']} (demand over {r['days']} days from {r['first']})")
        for d in r["depots"]:
            typer.echo(f"{d['depot']} {d['name']} ({d['customers']} customers)")
            for x in d["products"]:
                cover = "-" if x["days_of_cover"] is None else f"{x['days_of_cover']:.1f} d"
                mark = " below safety" if x["below_safety"] else (" low" if x["low"] else "")
                typer.echo(f"  {x['product']:<6} free {x['free']:>5} safety {x['safety']:>4} "
                           f"{x['cases_per_day']:>7.2f}/day {cover:>8}{mark}")

    @report.command("utilisation")
    def utilisation(
        first: str = typer.Option(None, "--from", help="First day (default: 30 days before --to)."),
        last: str = typer.Option(None, "--to", help="Last day (default: today)."),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Per vehicle: days used, routes, km, load against capacity, hours against shift (--json: raw)."""
        from models.db import session_scope
        from services.reports import check_range, utilisation_report

        with cli_errors():
            a, b = _range(first, last)
            check_range(a, b)
            with session_scope(get_settings()) as s:
                r = utilisation_report(s, a, b)
            if json_out:
                emit_json(r)
                return
            from cli.report_tables import utilisation_lines

            typer.echo("\n".join(utilisation_lines(r)))
