"""What a printed day is made of, from the database: note numbers, route documents, map data.

``ledger.notes.ensure_notes`` gives every stop of a plan its delivery-note
number (and a receipt number for cash-on-delivery stops when the driver holds
an open receipt book), once; ``route_doc`` turns a stored route into the plain
:class:`documents.model.RouteDoc` the PDF is printed from, with its legs drawn
along the roads; ``sheet_route`` turns that into the map sheet's input.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from documents.model import NoteLine, RouteDoc, StopDoc
from ledger.notes import ensure_notes
from ledger.orm import StopOutcome
from maps.errors import RoutingError
from maps.matrix import leg_geometries
from maps.network import RoadNetwork
from maps.render import Place, SheetRoute, SheetStop
from models.enums import DepotKind
from models.orm import Depot, Product, Township
from models.planning import DeliveryNote, DispatchOrder, Plan, PlanRoute, PlanStop

log = logging.getLogger(__name__)


def plan_routes(session: Session, plan: Plan) -> list[PlanRoute]:
    return list(
        session.scalars(
            select(PlanRoute)
            .options(
                selectinload(PlanRoute.stops)
                .selectinload(PlanStop.dispatch_order)
                .selectinload(DispatchOrder.customer),
                selectinload(PlanRoute.stops).selectinload(PlanStop.target_depot),
                selectinload(PlanRoute.vehicle),
                selectinload(PlanRoute.depot),
                selectinload(PlanRoute.driver),
                selectinload(PlanRoute.loader),
            )
            .where(PlanRoute.plan_id == plan.id)
            .order_by(PlanRoute.number)
        )
    )


def route_legs(
    network: RoadNetwork | None, r: PlanRoute, stops: list[tuple[float, float]]
) -> tuple[Any, ...]:
    pts = [("depot-out", r.depot.lat, r.depot.lon)]
    pts += [(f"stop-{i}", la, lo) for i, (la, lo) in enumerate(stops)] + [
        ("depot-back", r.depot.lat, r.depot.lon)
    ]
    try:
        legs = leg_geometries(network, pts, profile=r.vehicle.speed_profile.value)
    except RoutingError as exc:  # drawn straight rather than not at all
        log.warning("route %s: %s; legs drawn as straight lines", r.code, exc)
        legs = leg_geometries(None, pts, profile=r.vehicle.speed_profile.value)
    return tuple(tuple((round(a, 6), round(b, 6)) for a, b in leg) for leg in legs)


def route_doc(
    session: Session,
    r: PlanRoute,
    notes: dict[int, DeliveryNote],
    network: RoadNetwork | None,
    *,
    with_legs: bool = True,
    reprint: bool | None = None,
) -> RouteDoc:
    """The printable route. ``reprint``: whether to mark it 重印/reprint (default: when any of its
    notes was printed before)."""
    products = {p.code: p for p in session.scalars(select(Product))}
    towns = {t.id: t.name_zh for t in session.scalars(select(Township))}
    centre = session.scalars(select(Depot).where(Depot.kind == DepotKind.CENTRE)).first() or r.depot
    recorded = recorded_receipts(session, [s.id for s in r.stops])
    stops = []
    for s in r.stops:
        c = s.dispatch_order.customer if s.dispatch_order else None
        lines = []
        for ln in s.lines or []:
            p = products.get(ln["product"])
            lines.append(
                NoteLine(
                    ln["product"],
                    p.name_zh if p else ln["product"],
                    p.name_en if p else ln["product"],
                    int(ln["cases"]),
                    int(ln.get("ordered_cases", ln["cases"])),
                    int(ln.get("price_fen", 0)),  # a transfer (replenishment) line has no price
                    p.case_weight_kg if p else 0,
                )
            )
        target = s.target_depot
        note = notes[s.id]
        stops.append(
            StopDoc(
                seq=s.seq,
                stop_id=s.id,
                stop_code=s.code,
                kind=s.kind.value,
                note_number=note.number,
                name=c.name if c else (target.name_zh if target else ""),
                address=c.address if c else (target.address if target else ""),
                lat=c.lat if c else (target.lat if target else r.depot.lat),
                lon=c.lon if c else (target.lon if target else r.depot.lon),
                eta_s=s.service_start_s,
                arrival_s=s.arrival_s,
                kg=s.kg,
                cases=s.cases,
                lines=tuple(lines),
                windows=tuple(c.windows()) if c else ((target.opens_s, target.closes_s),) if target else (),
                order_number=s.dispatch_order.number if s.dispatch_order else None,
                customer_code=c.code if c else (target.code if target else None),
                township=towns.get(c.township_id if c else (target.township_id if target else -1), ""),
                payment_terms=c.payment_terms.value if c else "transfer",
                receipt_number=note.receipt_number or recorded.get(s.id),
            )
        )
    driver = r.driver or r.vehicle.driver
    loader = r.loader or (r.vehicle.loader if r.vehicle.needs_loader else None)
    plan = r.plan
    return RouteDoc(
        route_id=r.id,
        code=r.code,
        delivery_date=plan.delivery_date,
        plan_version=plan.version,
        plan_status=plan.status.value,
        vehicle=r.vehicle.plate,
        vehicle_kind_zh=r.vehicle.kind.zh,
        vehicle_kind_en=r.vehicle.kind.en,
        depot_code=r.depot.code,
        depot_name_zh=r.depot.name_zh,
        depot_name_en=r.depot.name_en,
        depot_address=r.depot.address,
        depot_lat=r.depot.lat,
        depot_lon=r.depot.lon,
        issuer_zh=centre.name_zh,
        issuer_en=centre.name_en,
        driver=driver.name if driver else None,
        loader=loader.name if loader else None,
        start_s=r.start_s,
        end_s=r.end_s,
        distance_m=r.distance_m,
        duration_s=r.duration_s,
        stops=tuple(stops),
        legs=route_legs(network, r, [(s.lat, s.lon) for s in stops]) if with_legs else (),
        reprint=any(notes[s.id].printed_at is not None for s in r.stops) if reprint is None else reprint,
    )


def recorded_receipts(session: Session, stop_ids: list[int]) -> dict[int, str]:
    """The receipt number recorded on each stop's current outcome (for notes that print none)."""
    if not stop_ids:
        return {}
    rows = session.execute(
        select(StopOutcome.stop_id, StopOutcome.receipt_number)
        .where(StopOutcome.stop_id.in_(stop_ids), StopOutcome.receipt_number.is_not(None))
        .order_by(StopOutcome.id)
    ).all()
    return {int(sid): str(num) for sid, num in rows}


def places(session: Session, lang: str) -> list[Place]:
    return [
        Place(t.name_en if lang == "en" else t.name_zh, t.lat, t.lon)
        for t in session.scalars(select(Township))
    ]


def sheet_route(number: int, doc: RouteDoc, lang: str) -> SheetRoute:
    from documents.layout import duration_text, hms, label, windows_text
    from documents.money import format_fen

    en = lang == "en"
    stops = tuple(
        SheetStop(
            seq=s.seq,
            lat=s.lat,
            lon=s.lon,
            name=s.name,
            code=s.customer_code or "",
            address=s.address,
            lines=tuple((ln.name(lang), ln.cases) for ln in s.lines),
            window=windows_text(s.windows),
            eta=hms(s.eta_s),
            cash=format_fen(s.cash_due_fen)
            if s.is_cod
            else (label("monthly_short", lang) if s.is_delivery else label("transfer_short", lang)),
            note=s.note_number,
            transfer=not s.is_delivery,
        )
        for s in doc.stops
    )
    crew = " / ".join(x for x in (doc.driver, doc.loader) if x)
    facts = (
        (label("date", lang), doc.delivery_date.isoformat()),
        (label("vehicle", lang), f"{doc.vehicle} ({doc.vehicle_kind_en if en else doc.vehicle_kind_zh})"),
        (label("driver", lang), crew or "—"),
        (label("departure", lang), f"{hms(doc.start_s)} → {hms(doc.end_s)}"),
        (label("stops", lang), str(len(doc.stops))),
        (label("distance", lang), f"{doc.distance_m / 1000:.1f} km · {duration_text(doc.duration_s, lang)}"),
        (label("cases", lang), f"{doc.cases} · {doc.kg:,} kg"),
        (label("cash_to_collect", lang), format_fen(doc.cash_due_fen)),
    )
    title = f"{doc.code} · {doc.vehicle}" + (f" · {doc.driver}" if doc.driver else "")
    return SheetRoute(
        number=number,
        code=doc.code,
        title=title,
        depot_name=doc.depot_name_en if en else doc.depot_name_zh,
        depot_lat=doc.depot_lat,
        depot_lon=doc.depot_lon,
        stops=stops,
        legs=doc.legs,
        facts=facts,
        depot_code=doc.depot_code,
    )


def attribution(network: RoadNetwork | None, lang: str) -> str:
    if network is None:
        return "无道路网：直线示意" if lang == "zh" else "No road network: straight lines"
    src = network.attribution or (
        f"道路：{network.name}（生成）" if lang == "zh" else f"Roads: {network.name} (generated)"
    )
    return src


__all__ = ["attribution", "ensure_notes", "places", "plan_routes", "route_doc", "route_legs", "sheet_route"]
