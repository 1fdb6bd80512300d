"""Reports for the manager (and dispatcher, finance): cost per tonne / case / stop, vehicle use."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import ApiError
from api.policies import Principal, local_today, may_read_reports, may_read_stock_cover, stock_cover_depot
from api.schemas.reports import CostReport, StockReport, UtilisationReport
from models.settings import Settings
from services.reports import cost_report, utilisation_report
from services.stock_report import stock_cover

router = APIRouter(prefix="/reports", tags=["reports"])
From = Annotated[dt.date | None, Query(alias="from", description="First day (default: 29 days before `to`).")]
To = Annotated[dt.date | None, Query(alias="to", description="Last day (default: today); at most 366 days.")]


def _range(
    user: Principal, settings: Settings, first: dt.date | None, last: dt.date | None
) -> tuple[dt.date, dt.date]:
    if not may_read_reports(user):
        raise ApiError(403, f"a {user.role.value} may not read reports")
    last = last or local_today(settings)
    return first or last - dt.timedelta(days=29), last


@router.get("/costs")
def costs(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, date_from: From = None, date_to: To = None
) -> CostReport:
    """Cost per tonne, case and stop: overall, centre against stores, per depot and per route."""
    first, last = _range(user, settings, date_from, date_to)
    return CostReport.model_validate(cost_report(session, first, last))


@router.get("/utilisation")
def utilisation(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, date_from: From = None, date_to: To = None
) -> UtilisationReport:
    """Vehicle use over the range: days used, routes, km, kg against capacity, hours against the shift."""
    first, last = _range(user, settings, date_from, date_to)
    return UtilisationReport.model_validate(utilisation_report(session, first, last))


@router.get("/stock")
def stock(
    session: SessionDep,
    user: CurrentUser,
    as_of: Annotated[dt.date | None, Query(description="Last day of demand (default: latest order)")] = None,
    days: Annotated[int, Query(ge=1, le=366, description="Days of orders the average is taken over.")] = 30,
) -> StockReport:
    """Days of cover per depot and product: free stock against the recent daily demand.

    A store manager gets their own store only.
    """
    if not may_read_stock_cover(user):
        raise ApiError(403, f"a {user.role.value} may not read reports")
    report = stock_cover(session, as_of, days=days, depot_id=stock_cover_depot(user))
    return StockReport.model_validate(report)
