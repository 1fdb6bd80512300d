"""`dispatch outcome …`: stop outcomes from signed delivery notes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from cli.common import cli_errors, emit_json, fail, parse_date
from cli.ledger_args import ACTOR, fen_arg, yuan
from models.settings import get_settings


def _outcome_options(
    session: Any,
    stop: str,
    delivered: str | None,
    short: str | None,
    signer: str | None,
    not_signed: str | None,
    cash: str | None,
    cash_fen: int | None,
    payment: str | None,
    receipt: str | None,
    at: str | None,
    lat: float | None,
    lon: float | None,
    signature: Path | None,
    photo: Path | None,
    note: str,
) -> Any:
    from ledger.entry import clerk_outcome, parse_pairs
    from models.errors import InputError
    from services.tabular import CellError, parse_datetime

    counts: dict[str, int] = {}
    for k, v in parse_pairs(delivered, "--delivered").items():
        if not v.isdigit():
            raise InputError.single("--delivered", "cases must be whole numbers", value=f"{k}={v}")
        counts[k] = int(v)
    when = None
    if at is not None:
        try:
            when = parse_datetime(at)
        except CellError as exc:
            raise InputError.single("--at", str(exc), value=at) from None
    return clerk_outcome(
        session,
        stop,
        delivered=counts,
        shortfalls=parse_pairs(short, "--short"),
        signer=signer,
        not_signed=not_signed,
        cash_fen=fen_arg(cash, cash_fen, "cash"),
        payment=payment,
        receipt=receipt,
        at=when,
        lat=lat,
        lon=lon,
        signature=signature.read_bytes() if signature else None,
        photo=photo.read_bytes() if photo else None,
        note=note,
    )


def _print_outcome(r: Any, json_out: bool) -> None:
    if json_out:
        emit_json(r.as_dict())
        return
    verb = "already recorded (replay)" if r.replayed else "recorded"
    typer.echo(
        f"{r.stop} v{r.version} {verb}: {r.status}, billed {yuan(r.billed_fen)}, "
        f"cash {yuan(r.cash_collected_fen)}, {len(r.postings)} posting(s)"
    )


def register(app: typer.Typer) -> None:
    outcome = typer.Typer(
        help="Stop outcomes from signed delivery notes (one stop, a file, a simulated day).",
        no_args_is_help=True,
    )
    app.add_typer(outcome, name="outcome")

    def outcome_cmd(correct: bool) -> Any:
        def cmd(
            stop: str = typer.Argument(..., help="Stop code, e.g. 20261201-V1-R01-03."),
            delivered: str = typer.Option(
                None,
                "--delivered",
                help="Cases delivered, e.g. S001=8,S004=0 (products not named: delivered in full).",
            ),
            short: str = typer.Option(
                None,
                "--short",
                help="Why cases were not delivered, e.g. S004=damaged:bags split (short, refused, damaged).",
            ),
            signer: str = typer.Option(None, "--signer", help="Who signed the note."),
            not_signed: str = typer.Option(None, "--not-signed", help="The note is not signed: why."),
            cash: str = typer.Option(None, "--cash", help="Cash collected, yuan (e.g. 640.50)."),
            cash_fen: int = typer.Option(None, "--cash-fen", min=0, help="Cash collected, fen."),
            payment: str = typer.Option(
                None, "--payment", help="cod or monthly (default: the customer's terms)."
            ),
            receipt: str = typer.Option(None, "--receipt", help="Cash receipt number."),
            at: str = typer.Option(
                None, "--at", help="When (YYYY-MM-DD HH:MM, China time; default: planned)."
            ),
            lat: float = typer.Option(None, "--lat"),
            lon: float = typer.Option(None, "--lon"),
            signature: Path = typer.Option(
                None, "--signature", exists=True, dir_okay=False, help="Signature image (PNG/JPEG)."
            ),
            photo: Path = typer.Option(
                None, "--photo", exists=True, dir_okay=False, help="Photo (PNG/JPEG)."
            ),
            note: str = typer.Option("", "--note"),
            reason: str = typer.Option(None, "--reason", help="Why the outcome is corrected (corrections)."),
            key: str = typer.Option(None, "--key", help="Idempotency key (default: derived from the stop)."),
            actor: str = typer.Option(ACTOR, "--actor", help="Who records it."),
            json_out: bool = typer.Option(False, "--json"),
        ) -> None:
            from ledger.outcomes import correct_outcome, record_outcome
            from ledger.tx import content_hash
            from models.db import session_scope

            with cli_errors(), session_scope(get_settings()) as s:
                data = _outcome_options(
                    s,
                    stop,
                    delivered,
                    short,
                    signer,
                    not_signed,
                    cash,
                    cash_fen,
                    payment,
                    receipt,
                    at,
                    lat,
                    lon,
                    signature,
                    photo,
                    note,
                )
                if correct:
                    if not reason:
                        fail("a correction needs --reason")
                    k = key or f"cli:{stop}:c:{content_hash(data.hashable())[:16]}"
                    r = correct_outcome(s, data, reason=reason, idempotency_key=k, actor=actor)
                else:
                    r = record_outcome(s, data, idempotency_key=key or f"cli:{stop}", actor=actor)
                _print_outcome(r, json_out)

        return cmd

    outcome.command("record", help="Record one stop's outcome from its signed note.")(outcome_cmd(False))
    outcome.command(
        "correct", help="Correct a stop's outcome: a new version; the old postings are reversed."
    )(outcome_cmd(True))

    @outcome.command("show")
    def outcome_show(stop: str = typer.Argument(...), json_out: bool = typer.Option(False, "--json")) -> None:
        """Every version of a stop's outcome, with its postings."""
        from ledger.outcomes import outcome_history
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            h = outcome_history(s, stop)
            if json_out:
                emit_json(h)
                return
            if not h:
                typer.echo(f"{stop}: no outcome yet")
            for v in h:
                typer.echo(
                    f"v{v['version']} {v['status']} billed {yuan(v['billed_fen'])} cash "
                    f"{yuan(v['cash_collected_fen'])} receipt {v['receipt_number'] or '-'} "
                    f"{'signed by ' + (v['signer_name'] or '') if v['signed'] else 'NOT signed'} "
                    f"({v['recorded_by']}, {v['recorded_at'][:16]})"
                    + (f" correction: {v['correction_reason']}" if v["correction_reason"] else "")
                )

    @outcome.command("import")
    def outcome_import(
        file: Path = typer.Argument(..., help="CSV or XLSX of signed notes (see docs/ledger.md)."),
        actor: str = typer.Option(ACTOR, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Import a file of signed notes: all stops recorded, or none (every bad row listed)."""
        from ledger.imports import import_outcomes
        from models.db import session_scope

        with cli_errors(), session_scope(get_settings()) as s:
            r = import_outcomes(s, file, actor=actor)
            if json_out:
                emit_json(r)
            else:
                typer.echo(
                    f"{r['file']}: {r['stops']} stops, {r['recorded']} recorded, "
                    f"{r['replayed']} already there"
                )

    @outcome.command("simulate")
    def outcome_simulate(
        date: str = typer.Option(None, "--date", help="Delivery day (default: the latest planned day)."),
        seed: int = typer.Option(7, "--seed"),
        handovers: bool = typer.Option(
            True, "--handovers/--no-handovers", help="Also record handovers, store reports and remittances."
        ),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Record a realistic day of outcomes for the plan, with planted faults (deterministic per seed)."""
        from ledger.simulate import simulate_day

        with cli_errors():
            r = simulate_day(get_settings(), parse_date(date), seed=seed, handovers=handovers)
            if json_out:
                emit_json(r)
                return
            typer.echo(
                f"simulated {r['date']}: {r['recorded']} outcomes recorded, {r['skipped']} already there; "
                f"{len(r['handovers'])} handovers, {len(r['store_reports'])} store reports"
            )
            for kind, stops in sorted(r["faults"].items()):
                typer.echo(f"  planted {kind}: {', '.join(stops)}")
            for n in r["notes"]:
                typer.echo(f"  note: {n}")
