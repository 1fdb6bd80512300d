"""`dispatch plan …`: the day's plan, its versions, confirmation, edits and holds."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import typer

from cli.common import cli_errors, emit_json, fail, parse_date
from models.settings import get_settings


def parse_fleet(text: str) -> str | list[str]:
    """``today``, ``planned``, or a JSON/text file listing centre vehicle plates."""
    if text in ("today", "planned"):
        return text
    path = Path(text)
    if not path.is_file():
        fail(f"--fleet must be today, planned or a file of plates; {text} is none of these")
    raw = path.read_text(encoding="utf-8").strip()
    if raw.startswith("[") or raw.startswith("{"):
        data = json.loads(raw)
        plates = data["vehicles"] if isinstance(data, dict) else data
    else:
        plates = [ln.strip() for ln in raw.splitlines() if ln.strip() and not ln.startswith("#")]
    return [str(p) for p in plates]


def _print_summary(r: dict[str, Any]) -> None:
    typer.echo(
        f"plan {r['date']} v{r['version']} ({r['status']}): {r['orders']} orders → {r['planned']} planned, "
        f"{len(r['held'])} held, {len(r['unassigned'])} unassigned; {r['routes']} routes, {r['km']} km, "
        f"cost ¥{r['cost_fen'] / 100:,.2f} (¥{(r['cost_per_ton_fen'] or 0) / 100:,.2f}/t); "
        f"checker: {'feasible' if r['feasible'] else 'INFEASIBLE'}"
        + (" [distances approximate]" if r.get("approximate_distances") else "")
    )
    split = [
        f"{name}: {x.get('routes', 0)} routes, {x.get('stops', 0)} stops, {x.get('delivered_kg', 0):,} kg"
        for name, x in (("centre", r.get("centre") or {}), ("stores", r.get("stores") or {}))
        if x
    ]
    if r.get("transfer_kg"):
        split.append(f"transfers to stores {r['transfer_kg']:,} kg")
    if split:
        typer.echo("  " + "; ".join(split))
    cons = r.get("consolidation") or {}
    if cons.get("carried"):
        typer.echo(f"  carried over from earlier days: {len(cons['carried'])} orders")
    if cons.get("merged_holds"):
        typer.echo(f"  earlier holds merged into new orders: {cons['merged_holds']}")
    if cons.get("backorders"):
        typer.echo(f"  back-orders merged: {len(cons['backorders'])}")
    if cons.get("after_cut_off"):
        typer.echo(f"  received after the cut-off (wait for the next day): {len(cons['after_cut_off'])}")
    for p in (r.get("consolidation") or {}).get("rationed_products", []):
        fills = ", ".join(f"{t['township']} {t['fill_per_mille'] / 10:.1f}%" for t in p["townships"])
        typer.echo(
            f"  rationed {p['product']}: {p['ordered']} cases ordered, {p['supplied']} to share, "
            f"{p['allocated']} allocated; fill by township: {fills}"
        )
    for h in r["held"]:
        waited = f" (waiting {h['days_waiting']} d)" if h.get("days_waiting") else ""
        typer.echo(f"  held {h['order']}{waited}: {h['reason']}")
    for u in r["unassigned"]:
        waited = f", waiting {u['days_waiting']} d" if u.get("days_waiting") else ""
        to = f" (carried to {u['carried_to']}{waited})" if u.get("carried_to") else ""
        typer.echo(f"  unassigned {u['order']}{to}: {u['reason']}")
    for v in r.get("violations", []):
        typer.echo(f"  violation: {v}")


def _actor() -> str:
    """Who the audit trail names for a CLI action: ``cli:<login user>``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def register(app: typer.Typer) -> None:
    plan = typer.Typer(
        help="Plan the delivery day: consolidation, assignment, routes.", invoke_without_command=True
    )
    app.add_typer(plan, name="plan")

    @plan.callback()
    def run(
        ctx: typer.Context,
        date: str = typer.Option(
            None, "--date", help="Delivery day (default: the day after the latest order)."
        ),
        fleet: str = typer.Option("today", "--fleet", help="today, planned, or a file of centre plates."),
        time_limit: float = typer.Option(30.0, "--time-limit", min=1, help="Solver time limit (s)."),
        confirm: bool = typer.Option(False, "--confirm", help="Confirm the new plan (reserves stock)."),
        override: str = typer.Option(
            None, "--override", help="With --confirm: the reason to confirm a plan the checker rejects."
        ),
        emergency: bool = typer.Option(
            None,
            "--emergency/--no-emergency",
            help="Force rationing on or off (default: when demand exceeds stock).",
        ),
        json_out: bool = typer.Option(False, "--json", help="Print the plan summary as JSON."),
    ) -> None:
        """Consolidate, assign centre versus store, plan every route, check, and store a draft version."""
        if ctx.invoked_subcommand is not None:
            return
        from services.planning import plan_day

        with cli_errors():
            settings = get_settings()
            if json_out:
                result = plan_day(
                    settings,
                    parse_date(date),
                    time_limit_s=time_limit,
                    fleet=parse_fleet(fleet),
                    emergency=emergency,
                    actor="cli",
                )
            else:
                from rich.console import Console

                console = Console(stderr=True)
                with console.status("planning") as status:
                    result = plan_day(
                        settings,
                        parse_date(date),
                        time_limit_s=time_limit,
                        fleet=parse_fleet(fleet),
                        emergency=emergency,
                        actor="cli",
                        progress=lambda p, m: status.update(f"[{p:3d}%] {m}"),
                    )
            if confirm:
                from services.plan_ops import confirm_plan

                confirm_plan(settings, plan_id=result["plan_id"], actor=_actor(), override=override)
                result["status"] = "confirmed"
            if json_out:
                emit_json(result)
            else:
                _print_summary(result)

    @plan.command("show")
    def show(
        date: str = typer.Option(None, "--date"),
        version: int = typer.Option(None, "--version"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Show a plan's routes and stops (default: the confirmed, else latest, plan of the latest day)."""
        from services.plan_ops import plan_detail

        with cli_errors():
            d = plan_detail(get_settings(), date=parse_date(date), version=version)
            if json_out:
                emit_json(d)
                return
            _print_summary(d["summary"])
            for r in d["routes"]:
                typer.echo(
                    f"{r['code']} {r['vehicle']} ({r['depot']}) {r['start']}–{r['end']} "
                    f"{r['km']} km {r['kg']:,} kg {r['cases']} cases ¥{r['cost_fen'] / 100:,.2f}"
                )
                for s in r["stops"]:
                    alt = s.get("alternative")
                    alt_text = f" | other: {alt['depot']} ¥{alt['cost_fen'] / 100:,.2f}" if alt else ""
                    typer.echo(
                        f"   {s['seq']:2d}. {s['eta']} {s['id']:<16} {s['name']:<24} {s['cases']:>3} cases"
                        f"{' [locked]' if s['locked'] else ''}{alt_text}"
                    )

    @plan.command("confirm")
    def confirm_cmd(
        date: str = typer.Option(None, "--date"),
        version: int = typer.Option(None, "--version"),
        override: str = typer.Option(
            None,
            "--override",
            help="Confirm a plan the checker rejects, giving the reason (recorded with who confirmed).",
        ),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Confirm a plan version: others of the day are superseded; planned deliveries reserve stock.

        A plan with violations is refused unless --override gives the reason."""
        from services.plan_ops import confirm_plan

        with cli_errors():
            r = confirm_plan(
                get_settings(), date=parse_date(date), version=version, actor=_actor(), override=override
            )
            emit_json(r) if json_out else typer.echo(
                f"confirmed plan {r['date']} v{r['version']}; {r['reserved_cases']} cases reserved"
                + (f"; overriding its violations: {r['override']}" if r["override"] else "")
            )

    @plan.command("move")
    def move(
        order: str = typer.Argument(..., help="Dispatch order number (CO…)."),
        to: str = typer.Option(..., "--to", help="Vehicle plate."),
        position: int = typer.Option(None, "--position", min=1, help="Stop position (default: last)."),
        date: str = typer.Option(None, "--date"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Move a stop to another vehicle or position; the edit is checked and stored as a new draft."""
        from services.plan_ops import edit_plan

        with cli_errors():
            r = edit_plan(get_settings(), date=parse_date(date), moves=[(order, to, position)], actor="cli")
            _edit_out(r, json_out)

    @plan.command("reorder")
    def reorder(
        plate: str = typer.Argument(..., help="Vehicle plate."),
        orders: list[str] = typer.Argument(..., help="The route's order numbers in the new order."),
        date: str = typer.Option(None, "--date"),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Give a route a new stop order; checked and stored as a new draft."""
        from services.plan_ops import edit_plan

        with cli_errors():
            r = edit_plan(get_settings(), date=parse_date(date), reorder=(plate, orders), actor="cli")
            _edit_out(r, json_out)

    @plan.command("lock")
    def lock(
        orders: list[str] = typer.Argument(..., help="Order numbers to keep on their vehicle, in order."),
        unlock: bool = typer.Option(False, "--unlock"),
        date: str = typer.Option(None, "--date"),
    ) -> None:
        """Lock stops so that re-optimising keeps them on their vehicle, in their order."""
        from services.plan_ops import set_locks

        with cli_errors():
            n = set_locks(get_settings(), date=parse_date(date), orders=orders, locked=not unlock)
            typer.echo(f"{'unlocked' if unlock else 'locked'} {n} stops")

    @plan.command("pin")
    def pin(
        order: str = typer.Argument(...),
        depot: str = typer.Option(..., "--depot", help="Depot code (DC or a store), or 'none' to unpin."),
    ) -> None:
        """Pin an order to the centre or a store (respected by the next plan or re-optimisation)."""
        from services.plan_ops import pin_order

        with cli_errors():
            typer.echo(pin_order(get_settings(), order, None if depot == "none" else depot, actor="cli"))

    @plan.command("release")
    def release(
        order: str = typer.Argument(..., help="Held dispatch order number."),
        note: str = typer.Option(..., "--note", help="Why the hold is released (kept in the audit trail)."),
    ) -> None:
        """Release a held order: its minimum-order rule is waived; it is planned by the next run."""
        from services.plan_ops import release_hold

        with cli_errors():
            typer.echo(release_hold(get_settings(), order, note, actor="cli"))

    @plan.command("reoptimise")
    def reoptimise(
        date: str = typer.Option(None, "--date"),
        time_limit: float = typer.Option(30.0, "--time-limit", min=1),
        json_out: bool = typer.Option(False, "--json"),
    ) -> None:
        """Re-optimise the latest plan around locked stops (starting from it); stored as a new draft."""
        from services.plan_ops import reoptimise_plan

        with cli_errors():
            r = reoptimise_plan(get_settings(), date=parse_date(date), time_limit_s=time_limit, actor="cli")
            emit_json(r) if json_out else _print_summary(r)


def _edit_out(r: dict[str, Any], json_out: bool) -> None:
    if json_out:
        emit_json(r)
        return
    if r["feasible"]:
        typer.echo(f"edit stored as plan v{r['version']}: feasible")
    else:
        typer.echo(f"edit stored as plan v{r['version']} with {len(r['violations'])} violation(s):")
        for v in r["violations"]:
            typer.echo(f"  {v}")
