"""Printing a day: route packs (PDF), offline map sheets (HTML) and the dispatcher's overview map.

``print_day`` numbers the plan's delivery notes (one transaction), then writes
per route ``<route code>.pdf`` and ``<route code>-map.html`` and the day's
``<date>-V<version>-overview.html`` into ``out``. The API serves the same
documents through ``route_pack_pdf``, ``route_map_html`` and
``overview_map_html`` (they run in the caller's session; ``route_pack_pdf``
may add note numbers, so the caller commits).

Note numbers are sequential per delivery day (``DN20261201-0001``; transfer
notes for store replenishment ``TN…`` share the sequence), given in route and
stop order to every stop of the printed plan that has none; printing again
reuses them, and a route printed before says 重印 / REPRINT on every page.
Cash-on-delivery stops get a receipt number from the driver's
open receipt book (``ledger.receipts.assign_receipt_number``) when there is
one; otherwise the note prints an empty box for a paper receipt book's number.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from documents.labels import check_lang
from documents.model import RouteDoc
from ledger.notes import ensure_notes, mark_printed
from maps.network import RoadNetwork
from maps.render import (
    Flagged,
    StoreArea,
    overview_map,
    route_sheet,
    tile_specs,
)
from models.db import session_scope
from models.enums import DepotKind
from models.errors import InputError, NotFound
from models.orm import Depot
from models.planning import DispatchOrder, Plan, PlanRoute
from models.settings import Settings
from services.network import active_network
from services.planning import find_plan
from services.print_data import attribution, places, plan_routes, route_doc, sheet_route

log = logging.getLogger(__name__)


def _numbered(settings: Settings, pick: Callable[[Session], Plan], route: int | str | None) -> set[int]:
    """Number the picked plan's notes and record this print, in their own transaction (retried if
    another print raced us); the stop ids whose notes had been printed before (reprints)."""
    for attempt in range(3):
        try:
            with session_scope(settings) as session:
                plan = pick(session)
                notes = ensure_notes(session, plan)
                only = _find_route(session, route, plan.delivery_date).id if route is not None else None
                printed = [n for n in notes.values() if only is None or n.stop.route_id == only]
                return mark_printed(session, printed)
        except IntegrityError:
            if attempt == 2:
                raise
            log.info("note numbers taken by a concurrent print; retrying")
    return set()


def _tiles(settings: Settings) -> list[Any]:
    try:
        return tile_specs(settings.map_tile_list, tianditu_key=settings.tianditu_key)
    except ValueError as exc:
        raise InputError.single("DISPATCH_MAP_TILES", str(exc), value=settings.map_tiles) from None


def _find_route(session: Session, route: int | str, date: dt.date | None = None) -> PlanRoute:
    """A route by id, by code (``20261201-V1-R01``), or by vehicle plate in the day's plan."""
    text = str(route).strip()
    found: PlanRoute | None = None
    if text.isdigit():
        found = session.get(PlanRoute, int(text))
    else:
        found = session.scalars(select(PlanRoute).where(PlanRoute.code == text)).first()
        if found is None:
            plan = find_plan(session, date=date)
            found = next((r for r in plan_routes(session, plan) if r.vehicle.plate == text), None)
    if found is None:
        raise NotFound("route", text)
    return found


def route_pack_pdf(session: Session, settings: Settings, route_id: int, lang: str = "zh") -> bytes:
    """A route's pack as PDF bytes (numbers the plan's notes in ``session`` if needed; caller commits)."""
    from documents.route_pack import build_route_pack
    from documents.static_map import static_route_map

    check_lang(lang)
    r = _find_route(session, route_id)
    notes = ensure_notes(session, r.plan)
    network = active_network(session, settings)
    doc = route_doc(session, r, notes, network)
    png = static_route_map(
        doc, network=network, places=places(session, lang), colour=sheet_route(r.number, doc, lang).color
    )
    return build_route_pack(doc, lang=lang, route_map_png=png)


def route_map_html(session: Session, settings: Settings, route_id: int, lang: str = "zh") -> str:
    """A route's offline map sheet (self-contained HTML)."""
    check_lang(lang)
    r = _find_route(session, route_id)
    notes = ensure_notes(session, r.plan)
    network = active_network(session, settings)
    doc = route_doc(session, r, notes, network)
    return route_sheet(
        sheet_route(r.number, doc, lang),
        network=network,
        places=places(session, lang),
        tiles=_tiles(settings),
        lang=lang,
        attribution=attribution(network, lang),
    )


def overview_map_html(
    session: Session,
    settings: Settings,
    *,
    plan_id: int | None = None,
    date: dt.date | None = None,
    lang: str = "zh",
) -> str:
    """The dispatcher's overview of a plan: routes, held and unassigned orders, depots and store radii."""
    check_lang(lang)
    plan = find_plan(session, plan_id=plan_id, date=date)
    notes = ensure_notes(session, plan)
    network = active_network(session, settings)
    docs = [(r.number, route_doc(session, r, notes, network)) for r in plan_routes(session, plan)]
    return _overview(session, settings, plan, docs, network, lang)


def _overview(
    session: Session,
    settings: Settings,
    plan: Plan,
    docs: list[tuple[int, RouteDoc]],
    network: RoadNetwork | None,
    lang: str,
) -> str:
    from documents.money import format_fen

    en = lang == "en"
    held = {h["order"]: h["reason"] for h in (plan.report or {}).get("held", [])}
    flagged = [
        Flagged(
            "unassigned",
            u.dispatch_order.number,
            u.dispatch_order.customer.name,
            u.dispatch_order.customer.lat,
            u.dispatch_order.customer.lon,
            u.reason,
        )
        for u in plan.unassigned
    ]
    for d in (
        session.scalars(select(DispatchOrder).where(DispatchOrder.number.in_(list(held)))) if held else []
    ):
        flagged.append(
            Flagged("held", d.number, d.customer.name, d.customer.lat, d.customer.lon, held[d.number])
        )
    depots = [
        StoreArea(
            d.code,
            d.name_en if en else d.name_zh,
            d.lat,
            d.lon,
            d.service_radius_m,
            d.kind == DepotKind.CENTRE,
        )
        for d in session.scalars(select(Depot).order_by(Depot.code))
    ]
    status = plan.status.value
    status_zh = {"draft": "草稿", "confirmed": "已确认", "superseded": "已作废"}.get(status, status)
    title = (
        f"{plan.delivery_date} v{plan.version} ({status})"
        if en
        else f"{plan.delivery_date} 第{plan.version}版（{status_zh}）"
    )
    km = sum(d.distance_m for _, d in docs) / 1000
    n_held = sum(f.status == "held" for f in flagged)
    facts = (
        ("Routes" if en else "路线", str(len(docs))),
        ("Stops" if en else "站点", str(sum(len(d.stops) for _, d in docs))),
        ("Distance" if en else "里程", f"{km:.1f} km"),
        ("Cash to collect" if en else "应收现金", format_fen(sum(d.cash_due_fen for _, d in docs))),
        ("Held / unassigned" if en else "暂缓 / 未排", f"{n_held} / {len(flagged) - n_held}"),
    )
    return overview_map(
        [sheet_route(n, d, lang) for n, d in docs],
        title=title,
        facts=facts,
        flagged=flagged,
        depots=depots,
        network=network,
        places=places(session, lang),
        tiles=_tiles(settings),
        lang=lang,
        attribution=attribution(network, lang),
    )


def print_day(
    settings: Settings,
    *,
    date: dt.date | None = None,
    route: int | str | None = None,
    lang: str = "zh",
    out: Path,
) -> dict[str, Any]:
    """Write the day's route packs, map sheets and overview into ``out``; return what was written.

    ``date`` defaults to the day of the latest plan (its confirmed version, else
    the latest); ``route`` (a route id, route code or vehicle plate) prints one route.
    Raises ``NotFound`` when there is no such plan or route, ``InputError`` for a bad language.
    """
    from documents.route_pack import build_route_pack
    from documents.static_map import static_route_map

    try:
        check_lang(lang)
    except ValueError as exc:
        raise InputError.single("--lang", str(exc), value=lang) from None

    def pick(session: Session) -> Plan:
        return find_plan(session, date=date) if route is None else _find_route(session, route, date).plan

    reprinted = _numbered(settings, pick, route)
    out.mkdir(parents=True, exist_ok=True)
    suffix = "" if lang == "zh" else f"-{lang}"
    written: list[dict[str, Any]] = []
    with session_scope(settings) as session:
        plan = pick(session)
        notes = ensure_notes(session, plan)  # numbered above: reads only
        network = active_network(session, settings)
        pl = places(session, lang)
        tiles = _tiles(settings)
        docs = [
            (r.number, route_doc(session, r, notes, network, reprint=any(s.id in reprinted for s in r.stops)))
            for r in plan_routes(session, plan)
        ]
        only = _find_route(session, route, date).id if route is not None else None
        for r, (_, doc) in zip(plan_routes(session, plan), docs, strict=True):
            if only is not None and r.id != only:
                continue
            sheet = sheet_route(r.number, doc, lang)
            png = static_route_map(doc, network=network, places=pl, colour=sheet.color)
            pdf = out / f"{r.code}{suffix}.pdf"
            pdf.write_bytes(build_route_pack(doc, lang=lang, route_map_png=png))
            page = out / f"{r.code}-map{suffix}.html"
            page.write_text(
                route_sheet(
                    sheet,
                    network=network,
                    places=pl,
                    tiles=tiles,
                    lang=lang,
                    attribution=attribution(network, lang),
                ),
                encoding="utf-8",
            )
            written.append(
                {
                    "route": r.code,
                    "vehicle": doc.vehicle,
                    "driver": doc.driver,
                    "stops": len(doc.stops),
                    "notes": [s.note_number for s in doc.stops],
                    "reprint": doc.reprint,
                    "cash_due_fen": doc.cash_due_fen,
                    "amount_fen": doc.amount_fen,
                    "pdf": str(pdf.resolve()),
                    "map": str(page.resolve()),
                }
            )
        overview = out / f"{plan.delivery_date:%Y%m%d}-V{plan.version}-overview{suffix}.html"
        overview.write_text(_overview(session, settings, plan, docs, network, lang), encoding="utf-8")
        result = {
            "date": plan.delivery_date.isoformat(),
            "plan_id": plan.id,
            "version": plan.version,
            "status": plan.status.value,
            "lang": lang,
            "dir": str(out.resolve()),
            "routes": written,
            "overview": str(overview.resolve()),
        }
    result["files"] = [f for w in written for f in (w["pdf"], w["map"])] + [result["overview"]]
    return result


__all__ = ["ensure_notes", "overview_map_html", "print_day", "route_map_html", "route_pack_pdf"]
