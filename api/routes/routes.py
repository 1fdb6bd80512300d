"""Routes of a plan, with their stops and printed documents: a driver sees their own, a store manager
their store's.

A stop shows its customer's name and delivery address (printed on the note and
the map sheet) to whoever sees the route; the contact name and phone only to
the roles that need them, and to a driver only on today's own routes.
``/routes/{code}/sheet.html`` is the offline map sheet, ``/routes/{code}/pack.pdf``
the route pack (cover, stop list, loading list, delivery notes), both in
Chinese or English (``?lang=``); the first print numbers the plan's notes.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from api.deps import CurrentUser, PageDep, SessionDep, SettingsDep
from api.errors import ApiError
from api.policies import Principal, local_today, may_see_route, route_filter, sees_stop_personal, where
from api.printing import DOC_ERRORS, HTML_DOC, PDF_DOC, html_response, pdf_response, render
from api.schemas.common import ListOf
from api.schemas.plans import RouteDetail, RoutePublic, StopCustomer, StopPublic
from models.planning import DispatchOrder, Plan, PlanRoute, PlanStatus, PlanStop
from services.printing import route_map_html, route_pack_pdf

router = APIRouter(prefix="/routes", tags=["routes"])
Code = Annotated[str, Path(min_length=1, max_length=32, description="Route code, e.g. 20261201-V1-R01.")]
Lang = Annotated[Literal["zh", "en"], Query(description="Language of the document.")]


def public(r: PlanRoute) -> RoutePublic:
    return RoutePublic(
        id=r.id,
        code=r.code,
        plan_id=r.plan_id,
        date=r.plan.delivery_date,
        plan_status=r.plan.status,
        number=r.number,
        vehicle=r.vehicle.plate,
        depot=r.depot.code,
        driver=r.driver.code if r.driver else None,
        loader=r.loader.code if r.loader else None,
        start_s=r.start_s,
        end_s=r.end_s,
        distance_m=r.distance_m,
        duration_s=r.duration_s,
        load_kg=r.load_kg,
        load_cases=r.load_cases,
        cost_fen=r.cost_fen,
        stops_count=len(r.stops),
    )


def _stop(s: PlanStop, personal: bool) -> StopPublic:
    d = s.dispatch_order
    cust = None
    if d is not None:
        c = d.customer
        cust = StopCustomer(
            code=c.code,
            name=c.name,
            contact_name=c.contact_name if personal else None,
            phone=c.phone if personal else None,
            address=c.address,
        )
    return StopPublic(
        id=s.id,
        code=s.code,
        seq=s.seq,
        kind=s.kind,
        order=d.number if d else None,
        customer=cust,
        store=s.target_depot.code if s.target_depot else None,
        arrival_s=s.arrival_s,
        service_start_s=s.service_start_s,
        departure_s=s.departure_s,
        kg=s.kg,
        cases=s.cases,
        lines=s.lines,
    )


def detail(r: PlanRoute, user: Principal, today: dt.date) -> RouteDetail:
    personal = sees_stop_personal(user, r, today)
    return RouteDetail(**public(r).model_dump(), stops=[_stop(s, personal) for s in r.stops])


_LOAD = (
    selectinload(PlanRoute.plan),
    selectinload(PlanRoute.vehicle),
    selectinload(PlanRoute.depot),
    selectinload(PlanRoute.driver),
    selectinload(PlanRoute.loader),
    selectinload(PlanRoute.stops),
)


def current_plan_ids(session: Session, date: dt.date) -> list[int]:
    """The day's confirmed plan, else its latest version."""
    plans = session.execute(
        select(Plan.id, Plan.status, Plan.version).where(Plan.delivery_date == date)
    ).all()
    confirmed = [p.id for p in plans if p.status == PlanStatus.CONFIRMED]
    if confirmed:
        return confirmed
    return [max(plans, key=lambda p: p.version).id] if plans else []


def list_for(
    session: Session, user: Principal, page: PageDep, *, plan_ids: list[int] | None, depot: str | None = None
) -> ListOf[RoutePublic]:
    flt = route_filter(user)
    if flt is None:
        raise ApiError(403, f"a {user.role.value} may not list routes")
    conds = where(flt)
    if plan_ids is not None:
        conds.append(PlanRoute.plan_id.in_(plan_ids))
    if depot:
        from models.orm import Depot

        conds.append(PlanRoute.depot_id.in_(select(Depot.id).where(Depot.code == depot)))
    total = session.scalar(select(func.count()).select_from(PlanRoute).where(*conds)) or 0
    rows = session.scalars(
        select(PlanRoute)
        .options(*_LOAD)
        .where(*conds)
        .order_by(PlanRoute.plan_id.desc(), PlanRoute.number)
        .offset(page.offset)
        .limit(page.limit)
    )
    return ListOf(data=[public(r) for r in rows], count=total, offset=page.offset, limit=page.limit)


@router.get("")
def list_routes(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    page: PageDep,
    date: Annotated[
        dt.date | None, Query(description="Delivery date (default today); its current plan.")
    ] = None,
    plan_id: Annotated[int | None, Query(ge=1, le=2**31 - 1, description="A plan version instead.")] = None,
    depot: Annotated[str | None, Query(max_length=16)] = None,
) -> ListOf[RoutePublic]:
    """Routes of the day's current plan (confirmed, else latest), or of one plan version."""
    ids = [plan_id] if plan_id is not None else current_plan_ids(session, date or local_today(settings))
    return list_for(session, user, page, plan_ids=ids, depot=depot)


def visible_route(session: Session, user: Principal, code: str, *, with_customers: bool = False) -> PlanRoute:
    """The route ``code`` if the caller may see it, else 404."""
    opts = [*_LOAD]
    if with_customers:
        opts.append(
            selectinload(PlanRoute.stops)
            .selectinload(PlanStop.dispatch_order)
            .selectinload(DispatchOrder.customer)
        )
    r = session.scalar(select(PlanRoute).options(*opts).where(PlanRoute.code == code))
    if r is None or not may_see_route(user, r):
        raise ApiError(404, f"route {code} not found")
    return r


@router.get("/{code}")
def read_route(session: SessionDep, settings: SettingsDep, user: CurrentUser, code: Code) -> RouteDetail:
    """A route with its stops in order (what to deliver and collect)."""
    r = visible_route(session, user, code, with_customers=True)
    return detail(r, user, local_today(settings))


@router.get("/{code}/sheet.html", response_class=HTMLResponse, responses={**HTML_DOC, **DOC_ERRORS})
def route_sheet(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, code: Code, lang: Lang = "zh"
) -> HTMLResponse:
    """The route's map sheet: one self-contained HTML page that works offline (printable, on a phone)."""
    r = visible_route(session, user, code)
    html = render(session, r.plan_id, lambda: route_map_html(session, settings, r.id, lang))
    return html_response(html, settings, f"{code}-map{'-en' if lang == 'en' else ''}.html")


@router.get("/{code}/pack.pdf", response_class=Response, responses={**PDF_DOC, **DOC_ERRORS})
def route_pack(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, code: Code, lang: Lang = "zh"
) -> Response:
    """The route pack for the driver: cover with map, stop and loading lists, a delivery note per stop."""
    r = visible_route(session, user, code)
    pdf = render(session, r.plan_id, lambda: route_pack_pdf(session, settings, r.id, lang))
    return pdf_response(pdf, f"{code}{'-en' if lang == 'en' else ''}.pdf")
