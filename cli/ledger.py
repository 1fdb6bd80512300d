"""`dispatch outcome|handover|finance|receipts …`: signed notes, cash, reconciliation, statements.

Money on the command line is yuan text (``--cash 640.50``, exact, at most two
decimals) or integer fen (``--cash-fen 64050``); never a float. Every
reporting command takes ``--json``; errors are one line on stderr.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import typer

from cli.common import cli_errors, emit_json, fail
from models.settings import get_settings

ACTOR = "clerk"


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, got {text!r}")


def _fen(yuan: str | None, fen: int | None, name: str) -> int | None:
    if yuan is not None and fen is not None:
        fail(f"give --{name} (yuan) or --{name}-fen, not both")
    if yuan is None:
        return fen
    from documents.money import parse_yuan

    try:
        value = parse_yuan(yuan)
    except ValueError as exc:
        fail(f"--{name}: {exc}")
    if value < 0:
        fail(f"--{name} must not be negative")
    return value


def _yuan(fen: int) -> str:
    from documents.money import format_fen

    return format_fen(fen)


def _day_or_latest(session: Any, day: dt.date | None) -> dt.date:
    from services.planning import find_plan

    return day or find_plan(session).delivery_date


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
        cash_fen=_fen(cash, cash_fen, "cash"),
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
        f"{r.stop} v{r.version} {verb}: {r.status}, billed {_yuan(r.billed_fen)}, "
        f"cash {_yuan(r.cash_collected_fen)}, {len(r.postings)} posting(s)"
    )


def register(app: typer.Typer) -> None:
    outcome = typer.Typer(
        help="Stop outcomes from signed delivery notes (one stop, a file, a simulated day).",
        no_args_is_help=True,
    )
    handover = typer.Typer(
        help="End of day: drivers' cash and notes, store reports and remittances.", no_args_is_help=True
    )
    finance = typer.Typer(
        help="Reconciliation, flags, statements, receivables ageing, payments.", no_args_is_help=True
    )
    receipts = typer.Typer(help="Numbered cash-receipt books.", no_args_is_help=True)
    app.add_typer(outcome, name="outcome")
    app.add_typer(handover, name="handover")
    app.add_typer(finance, name="finance")
    app.add_typer(receipts, name="receipts")

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
                    f"v{v['version']} {v['status']} billed {_yuan(v['billed_fen'])} cash "
                    f"{_yuan(v['cash_collected_fen'])} receipt {v['receipt_number'] or '-'} "
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
            r = simulate_day(get_settings(), _date(date), seed=seed, handovers=handovers)
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

    @handover.command("record")
    def handover_record(
        staff: str = typer.Option(..., "--staff", help="Driver or store staff code, e.g. E001."),
        counted: str = typer.Option(None, "--counted", help="Cash counted, yuan."),
        counted_fen: int = typer.Option(None, "--counted-fen", min=0, help="Cash counted, fen."),
        denominations: str = typer.Option(
            None, "--denominations", help="Notes and coins in yuan: 100=3,50=1,0.5=2."
        ),
        notes: int = typer.Option(0, "--notes", min=0, help="Signed notes handed back."),
        to: str = typer.Option(None, "--to", help="Depot code (default: their store, else the centre)."),
        date: str = typer.Option(None, "--date", help="Day (default: the latest planned day)."),
        note: str = typer.Option("", "--note"),
        key: str = typer.Option(None, "--key"),
        actor: str = typer.Option(ACTOR, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Record a driver's end-of-day handover; prints the difference to what the ledger says they hold."""
        from ledger.cash import record_handover
        from ledger.entry import parse_pairs
        from models.db import session_scope

        amount = _fen(counted, counted_fen, "counted")
        if amount is None:
            fail("give --counted (yuan) or --counted-fen")
        denoms = None
        if denominations:
            from documents.money import parse_yuan

            try:
                denoms = {
                    str(parse_yuan(k)): int(v)
                    for k, v in parse_pairs(denominations, "--denominations").items()
                }
            except ValueError as exc:
                fail(f"--denominations: {exc}")
        with cli_errors(), session_scope(get_settings()) as s:
            day = _day_or_latest(s, _date(date))
            data = {
                "staff": staff,
                "on_date": day.isoformat(),
                "counted_fen": amount,
                "denominations": denoms,
                "notes_returned": notes,
                "to": to,
                "note": note,
            }
            r = record_handover(s, data, idempotency_key=key or f"cli:handover:{day}:{staff}", actor=actor)
            if json_out:
                emit_json(r)
                return
            diff = r["difference_fen"]
            verdict = (
                "balances"
                if diff == 0
                else (f"SHORT by {_yuan(-diff)}" if diff < 0 else f"OVER by {_yuan(diff)}")
            )
            typer.echo(
                f"handover {r['staff']} → {r['to']} {r['date']}: counted {_yuan(r['counted_fen'])}, "
                f"held {_yuan(r['held_before_fen'])}: {verdict}; {r['notes_returned']} notes"
                + (" (replay)" if r["replayed"] else "")
            )

    @handover.command("store-report")
    def store_report(
        store: str = typer.Option(..., "--store"),
        stops: int = typer.Option(..., "--stops", min=0),
        cases: int = typer.Option(..., "--cases", min=0),
        cash: str = typer.Option(None, "--cash"),
        cash_fen: int = typer.Option(None, "--cash-fen", min=0),
        date: str = typer.Option(None, "--date"),
        note: str = typer.Option("", "--note"),
        key: str = typer.Option(None, "--key"),
        actor: str = typer.Option(ACTOR, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """A store reports its day to the service centre: stops served, cases delivered, cash collected."""
        from ledger.cash import record_store_report
        from models.db import session_scope

        amount = _fen(cash, cash_fen, "cash")
        with cli_errors(), session_scope(get_settings()) as s:
            day = _day_or_latest(s, _date(date))
            data = {
                "store": store,
                "on_date": day.isoformat(),
                "stops": stops,
                "delivered_cases": cases,
                "cash_fen": amount or 0,
                "note": note,
            }
            r = record_store_report(
                s,
                data,
                idempotency_key=key or f"cli:report:{day}:{store}:{stops}:{cases}:{amount}",
                actor=actor,
            )
            emit_json(r) if json_out else typer.echo(
                f"store {r['store']} reported {r['date']}: {r['stops']} stops, "
                f"{r['delivered_cases']} cases, {_yuan(r['cash_fen'])}"
            )

    @handover.command("remit")
    def remit(
        store: str = typer.Option(..., "--store"),
        amount: str = typer.Option(None, "--amount"),
        amount_fen: int = typer.Option(None, "--amount-fen", min=1),
        date: str = typer.Option(None, "--date"),
        note: str = typer.Option("", "--note"),
        key: str = typer.Option(None, "--key"),
        actor: str = typer.Option(ACTOR, "--actor"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """A store pays its collected cash in to the centre."""
        from ledger.cash import record_remittance
        from models.db import session_scope

        fen = _fen(amount, amount_fen, "amount")
        if not fen:
            fail("give --amount (yuan) or --amount-fen")
        with cli_errors(), session_scope(get_settings()) as s:
            day = _day_or_latest(s, _date(date))
            r = record_remittance(
                s,
                {"store": store, "on_date": day.isoformat(), "amount_fen": fen, "note": note},
                idempotency_key=key or f"cli:remit:{day}:{store}:{fen}",
                actor=actor,
            )
            emit_json(r) if json_out else typer.echo(
                f"{r['store']} remitted {_yuan(r['amount_fen'])} on {r['date']}; "
                f"store cash now {_yuan(r['store_cash_fen'])}"
            )

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
            r = reconcile(s, _date(date))
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
                    f"{_yuan(data['opening_fen'])}, {data['deliveries']} deliveries "
                    f"{_yuan(data['billed_fen'])}, "
                    f"paid {_yuan(data['paid_fen'])}, closing {_yuan(data['closing_fen'])}"
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
            r = receivables_ageing(s, _date(as_of))
        if json_out:
            emit_json(r)
            return
        typer.echo(
            f"receivables as of {r['as_of']}: {_yuan(r['balance_fen'])} "
            + " ".join(f"{k}={_yuan(v)}" for k, v in r["totals"].items())
        )
        for c in r["customers"]:
            typer.echo(
                f"  {c['customer']} {c['name']:<20} {c['terms']:<8} {_yuan(c['balance_fen']):>12} "
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

        fen = _fen(amount, amount_fen, "amount")
        if not fen:
            fail("give --amount (yuan) or --amount-fen")
        day = _date(date) or dt.date.today()
        with cli_errors(), session_scope(get_settings()) as s:
            r = record_payment(
                s,
                {"customer": customer, "on_date": day.isoformat(), "amount_fen": fen, "reference": reference},
                idempotency_key=key or f"cli:payment:{customer}:{day}:{fen}:{reference}",
                actor=actor,
            )
            emit_json(r) if json_out else typer.echo(
                f"{r['customer']} paid {_yuan(r['amount_fen'])}; owes {_yuan(r['receivable_fen'])}"
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
            typer.echo(f"  {code:<32} {_yuan(bal):>14}")

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
                on_date=_date(date) or dt.date.today(),
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
            r = void_receipt(s, number, reason=reason, on_date=_date(date) or dt.date.today(), actor=actor)
            typer.echo(f"receipt {r['number']} void" + (" (already)" if r["replayed"] else ""))


def _print_reconciliation(r: dict[str, Any]) -> None:
    typer.echo(
        f"reconciliation {r['date']} (plan v{r['plan']['version']}, {r['plan']['status']}): "
        f"{r['stops']} stops, {r['with_outcome']} with outcome, {r['signed']} signed; "
        f"{r['delivered']} delivered, {r['short']} short, {r['refused']} refused"
    )
    typer.echo(
        f"  billed {_yuan(r['billed_fen'])} (cash due {_yuan(r['due_fen'])}, on account "
        f"{_yuan(r['on_account_fen'])}); collected {_yuan(r['collected_fen'])}; handed over "
        f"{_yuan(r['handed_over_fen'])}; difference {_yuan(r['cash_difference_fen'])}; "
        f"ledger {'balanced' if r['ledger']['balanced'] else 'NOT BALANCED'}"
    )
    for d in r["drivers"]:
        typer.echo(
            f"  {d['staff']} {d['name'] or '':<6} collected {_yuan(d['collected_fen']):>11} handed over "
            f"{_yuan(d['handed_over_fen']):>11} diff {_yuan(d['difference_fen']):>10} notes "
            f"{d['notes_returned']}/{d['signed']}"
        )
    typer.echo(
        f"  {len(r['flags'])} flags ({r['open_flags']} open): "
        + ", ".join(f"{k} {n}" for k, n in r["flag_counts"].items())
    )
    for f in r["flags"][:60]:
        typer.echo(
            f"   [{f['status']:<9}] {f['kind']:<20} {f['stop'] or f['route'] or '':<20} "
            f"{_yuan(f['amount_fen']):>11}  {f['detail']}"
        )
    if len(r["flags"]) > 60:
        typer.echo(f"   … {len(r['flags']) - 60} more (use --json or --xlsx)")
