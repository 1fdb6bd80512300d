"""`dispatch finance …`: reconciliation, flags, statements, ageing, payments, cash shortfalls."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cli.common import cli_errors, emit_json, fail, parse_date
from cli.ledger_args import fen_arg, yuan
from models import clock
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    finance = typer.Typer(
        help="Reconciliation, flags, statements, receivables ageing, payments.",
        no_args_is_help=True,
    )
    app.add_typer(finance, name="finance")
    from cli.shortfall import register as register_shortfall

    register_shortfall(finance)  # dispatch finance shortfall …

    @finance.command("reconcile")
    def reconcile_cmd(
        date: str = typer.Option(None, "--date", help="Delivery day (default: the latest planned day)."),
        json_out: bool = typer.Option(False, "--json"),
        xlsx: Path = typer.Option(None, "--xlsx", help="Also write the reconciliation to this .xlsx file."),
    ) -> None:
        """Next-morning reconciliation: billed = collected = handed over, or every difference flagged."""
        from ledger.reconcile import reconcile
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            r = reconcile(s, parse_date(date))
        if xlsx is not None:
            from ledger.xlsx import write_reconciliation

            write_reconciliation(r, xlsx)
        if json_out:
            emit_json(r)
            return
        _print_reconciliation(r)
        if xlsx is not None:
            typer.echo(f"written {xlsx}")

    @finance.command("flag")
    def flag_cmd(
        flag_id: str = typer.Argument(..., help="Flag id, e.g. 2026-12-01/cash_short/E001."),
        status: str = typer.Option(..., "--status", help="explained, resolved (or open to reopen)."),
        comment: str = typer.Option(..., "--comment"),
        actor: str = typer.Option("finance", "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Mark a reconciliation flag explained or resolved, with finance's comment (history is kept)."""
        from ledger.flags import set_flag_status
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            r = set_flag_status(s, flag_id, status=status, comment=comment, actor=actor)
            emit_json(r) if json_out else typer.echo(
                f"{r['id']}: {r['status']} ({len(r['history'])} change(s))"
            )

    @finance.command("statement")
    def statement_cmd(
        customer: str = typer.Argument(..., help="Customer code."),
        month: str = typer.Option(..., "--month", help="YYYY-MM."),
        out: Path = typer.Option(None, "--out", help="Write the PDF here."),
        lang: str = typer.Option("zh", "--lang", help="zh or en."),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """A monthly-settlement customer's statement (PDF with --out; data with --json)."""
        from documents.statement import render_statement
        from ledger.statements import statement
        from models.db import session_scope

        if lang not in ("zh", "en"):
            fail("--lang must be zh or en")
        with cli_errors(), session_scope(get_settings()) as s:
            data = statement(s, customer, month)
            if out is not None:
                out.parent.mkdir(parents=True, exist_ok=True)
                out.write_bytes(render_statement(data, lang=lang))
            if json_out:
                emit_json(data)
            else:
                typer.echo(
                    f"{data['customer']['code']} {data['customer']['name']} {month}: opening "
                    f"{yuan(data['opening_fen'])}, {data['deliveries']} deliveries "
                    f"{yuan(data['billed_fen'])}, "
                    f"paid {yuan(data['paid_fen'])}, closing {yuan(data['closing_fen'])}"
                    + (f"; written {out}" if out else "")
                )

    @finance.command("ageing")
    def ageing_cmd(
        as_of: str = typer.Option(None, "--as-of"), json_out: bool = typer.Option(False, "--json")
    ) -> None:
        """Receivables by age (0–30, 31–60, 61–90, over 90 days), oldest deliveries paid first."""
        from ledger.statements import receivables_ageing
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            r = receivables_ageing(s, parse_date(as_of))
        if json_out:
            emit_json(r)
            return
        typer.echo(
            f"receivables as of {r['as_of']}: {yuan(r['balance_fen'])} "
            + " ".join(f"{k}={yuan(v)}" for k, v in r["totals"].items())
        )
        for c in r["customers"]:
            typer.echo(
                f"  {c['customer']} {c['name']:<20} {c['terms']:<8} {yuan(c['balance_fen']):>12} "
                f"oldest {c['oldest_days']} d" + (" OVER LIMIT" if c["over_limit"] else "")
            )

    @finance.command("payment")
    def payment_cmd(
        customer: str = typer.Argument(...),
        amount: str = typer.Option(None, "--amount"),
        amount_fen: int = typer.Option(None, "--amount-fen", min=1),
        date: str = typer.Option(None, "--date"),
        reference: str = typer.Option("", "--ref"),
        key: str = typer.Option(None, "--key"),
        actor: str = typer.Option("finance", "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """A monthly-account customer's payment into the bank."""
        from ledger.cash import record_payment
        from models.db import session_scope

        fen = fen_arg(amount, amount_fen, "amount")
        if not fen:
            fail("give --amount (yuan) or --amount-fen")
        day = parse_date(date) or clock.today()
        with cli_errors(), session_scope(get_settings()) as s:
            r = record_payment(
                s,
                {"customer": customer, "on_date": day.isoformat(), "amount_fen": fen, "reference": reference},
                idempotency_key=key or f"cli:payment:{customer}:{day}:{fen}:{reference}",
                actor=actor,
            )
            emit_json(r) if json_out else typer.echo(
                f"{r['customer']} paid {yuan(r['amount_fen'])}; owes {yuan(r['receivable_fen'])}"
            )

    @finance.command("ledger")
    def ledger_cmd(json_out: bool = typer.Option(False, "--json")) -> None:
        """Every account's balance and the ledger's own audit (entries sum to zero)."""
        from ledger.postings import balances, check_ledger
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            r = {"audit": check_ledger(s), "balances": balances(s)}
        if json_out:
            emit_json(r)
            return
        a = r["audit"]
        typer.echo(
            f"{a['postings']} postings, {a['entries']} entries, total {a['total_fen']} fen: "
            f"{'balanced' if a['balanced'] else 'NOT BALANCED'}"
        )
        for code, bal in sorted(r["balances"].items()):
            typer.echo(f"  {code:<32} {yuan(bal):>14}")


def _print_reconciliation(r: dict[str, Any]) -> None:
    typer.echo(
        f"reconciliation {r['date']} (plan v{r['plan']['version']}, {r['plan']['status']}): "
        f"{r['stops']} stops, {r['with_outcome']} with outcome, {r['signed']} signed; "
        f"{r['delivered']} delivered, {r['short']} short, {r['refused']} refused"
    )
    typer.echo(
        f"  billed {yuan(r['billed_fen'])} (cash due {yuan(r['due_fen'])}, on account "
        f"{yuan(r['on_account_fen'])}); collected {yuan(r['collected_fen'])}; handed over "
        f"{yuan(r['handed_over_fen'])}; difference {yuan(r['cash_difference_fen'])}; "
        f"ledger {'balanced' if r['ledger']['balanced'] else 'NOT BALANCED'}"
    )
    for d in r["drivers"]:
        typer.echo(
            f"  {d['staff']} {d['name'] or '':<6} collected {yuan(d['collected_fen']):>11} handed over "
            f"{yuan(d['handed_over_fen']):>11} diff {yuan(d['difference_fen']):>10} notes "
            f"{d['notes_returned']}/{d['signed']}"
            + (f" [{d['cash_difference']['state']}]" if d.get("cash_difference") else "")
        )
    for p in r.get("pending_cash_differences", []):
        if p["date"] != r["date"]:
            typer.echo(f"  still pending: {p['staff']} {p['date']} cash {p['kind']} {yuan(p['pending_fen'])}")
    if r.get("damaged_cases"):
        typer.echo(
            f"  damaged in transit: {r['damaged_cases']} cases {yuan(r['damaged_fen'])} ("
            + "; ".join(f"{x['route']} {x['depot']} {x['product']} ×{x['cases']}" for x in r["damaged"])
            + ")"
        )
    typer.echo(
        f"  {len(r['flags'])} flags ({r['open_flags']} open): "
        + ", ".join(f"{k} {n}" for k, n in r["flag_counts"].items())
    )
    for f in r["flags"][:60]:
        typer.echo(
            f"   [{f['status']:<9}] {f['kind']:<20} {f['stop'] or f['route'] or '':<20} "
            f"{yuan(f['amount_fen']):>11}  {f['detail']}"
        )
    if len(r["flags"]) > 60:
        typer.echo(f"   … {len(r['flags']) - 60} more (use --json or --xlsx)")
