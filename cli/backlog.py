"""`dispatch backlog`: every open order whose delivery day has passed, with state, reason and age."""

from __future__ import annotations

import typer

from cli.common import cli_errors, emit_json, parse_date
from models.db import session_scope
from models.settings import get_settings
from services.backlog import backlog

STATE_ZH = {
    "held": "暂缓",
    "unassigned": "未排",
    "unconfirmed": "未确认",
    "no_outcome": "无回单",
    "backorder": "欠货",
    "received": "未汇总",
}


def register(app: typer.Typer) -> None:
    @app.command("backlog")
    def backlog_cmd(
        as_of: str = typer.Option(None, "--as-of", help="Orders due before this day (default: today)."),
        json_out: bool = typer.Option(False, "--json", help="Print the backlog as JSON."),
    ) -> None:
        """积压订单 Backlog: open orders of past days (held, unassigned, back-ordered), reason and age."""
        with cli_errors(), session_scope(get_settings()) as s:
            b = backlog(s, parse_date(as_of))
            if json_out:
                emit_json(b.as_dict())
                return
            counts = ", ".join(f"{STATE_ZH[k]} {k} {n}" for k, n in b.counts.items()) or "无 none"
            typer.echo(f"积压 backlog as of {b.as_of}: {len(b.orders)} orders, "
                       f"{sum(e.cases for e in b.orders)} cases ({counts})")  # fmt: skip
            for e in b.orders:
                typer.echo(
                    f"  {e.order:<16} {e.customer} {e.township:<6} {STATE_ZH[e.state]}/{e.state:<11} "
                    f"{e.age_days:>3} d {e.cases:>4} cases  {e.reason}"
                )
