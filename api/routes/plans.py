"""Plans: jobs (``POST`` 202 → poll ``GET /plans/{job}`` → result; ``DELETE`` cancels) and versions.

``GET /plans?date=`` lists the day's plan versions; ``GET /plans/{job}/routes``
lists the routes of the plan a job made; ``GET /plans/{plan}/overview.html`` is
the dispatcher's overview map of a plan (by plan id or by the job's id).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Request, Response
from fastapi.responses import HTMLResponse
from sqlalchemy import func, select

from api.deps import API_PREFIX, CurrentUser, PageDep, SessionDep, SettingsDep
from api.errors import ApiError, problem_responses
from api.jobs import JobService
from api.policies import PLAN_WRITE, Principal, may_see_overview, may_see_plans
from api.printing import DOC_ERRORS, HTML_DOC, html_response, render
from api.routes.routes import list_for
from api.schemas.common import ListOf
from api.schemas.plans import PlanJobCreate, PlanJobPublic, PlanVersionPublic, RoutePublic
from models.accounts import JobState, PlanJob
from models.planning import Plan, PlanRoute
from services.jobs import create_job
from services.printing import overview_map_html

router = APIRouter(prefix="/plans", tags=["plans"])
JobId = Annotated[uuid.UUID, Path(description="The plan job's id (from POST /plans).")]


def public(j: PlanJob) -> PlanJobPublic:
    return PlanJobPublic(
        id=j.id,
        date=j.delivery_date,
        state=j.state,
        progress=j.progress,
        message=j.message,
        executor=j.executor,
        cancel_requested=j.cancel_requested,
        plan_id=j.plan_id,
        created_by=j.created_by,
        created_at=j.created_at,
        started_at=j.started_at,
        finished_at=j.finished_at,
        params=dict(j.params or {}),
        result=j.result,
    )


def _jobs(request: Request) -> JobService:
    svc: JobService = request.app.state.jobs
    return svc


def _readable(user: Principal) -> None:
    if not may_see_plans(user):
        raise ApiError(403, f"a {user.role.value} may not see plans")


def _job(session: SessionDep, user: Principal, job_id: uuid.UUID) -> PlanJob:
    j = session.get(PlanJob, str(job_id))
    if j is None or not may_see_plans(user):
        raise ApiError(404, f"plan job {job_id} not found")
    return j


@router.post("", status_code=202)
def start_plan(
    request: Request, response: Response, session: SessionDep, user: CurrentUser, body: PlanJobCreate
) -> PlanJobPublic:
    """Start planning a day (consolidation → assignment → routing → check → draft plan): 202 and a job."""
    if user.role not in PLAN_WRITE:
        raise ApiError(403, f"a {user.role.value} may not plan")
    svc = _jobs(request)
    params = body.model_dump(mode="json", exclude={"date"}, exclude_none=True)
    job = create_job(session, delivery_date=body.date, params=params, executor=svc.executor, actor=user.actor)
    session.commit()
    svc.submit(job.id)
    response.headers["Location"] = f"{API_PREFIX}/plans/{job.id}"
    return public(job)


@router.get("")
def list_plans(
    session: SessionDep,
    user: CurrentUser,
    page: PageDep,
    date: Annotated[dt.date | None, Query(description="Delivery date.")] = None,
) -> ListOf[PlanVersionPublic]:
    """Plan versions (of a day), newest first."""
    _readable(user)
    conds = [Plan.delivery_date == date] if date else []
    total = session.scalar(select(func.count()).select_from(Plan).where(*conds)) or 0
    plans = list(
        session.scalars(
            select(Plan)
            .where(*conds)
            .order_by(Plan.delivery_date.desc(), Plan.version.desc())
            .offset(page.offset)
            .limit(page.limit)
        )
    )
    ids = [p.id for p in plans]
    routes = (
        dict(
            session.execute(
                select(PlanRoute.plan_id, func.count())
                .where(PlanRoute.plan_id.in_(ids))
                .group_by(PlanRoute.plan_id)
            ).all()
        )
        if ids
        else {}
    )
    jobs = (
        dict(session.execute(select(PlanJob.plan_id, PlanJob.id).where(PlanJob.plan_id.in_(ids))).all())
        if ids
        else {}
    )
    data = [
        PlanVersionPublic(
            id=p.id,
            date=p.delivery_date,
            version=p.version,
            status=p.status,
            fleet=p.fleet,
            feasible=p.feasible,
            routes=int(routes.get(p.id, 0)),
            distance_m=p.distance_m,
            cost_fen=p.cost_fen,
            delivered_kg=p.delivered_kg,
            created_by=p.created_by,
            created_at=p.created_at,
            job_id=jobs.get(p.id),
        )
        for p in plans
    ]
    return ListOf(data=data, count=total, offset=page.offset, limit=page.limit)


@router.get("/{job_id}")
def read_job(request: Request, session: SessionDep, user: CurrentUser, job_id: JobId) -> PlanJobPublic:
    """A job's state and progress (0–100); its result (the plan summary) once it succeeded."""
    j = _job(session, user, job_id)
    if j.state == JobState.RUNNING:
        _jobs(request).refresh(j)
        session.expire_all()
        j = _job(session, user, job_id)
    return public(j)


@router.delete("/{job_id}", status_code=202, responses=problem_responses(409))
def cancel_job(request: Request, session: SessionDep, user: CurrentUser, job_id: JobId) -> PlanJobPublic:
    """Cancel a job: a queued one at once, a running one at its next checkpoint (nothing is stored)."""
    _job(session, user, job_id)
    if user.role not in PLAN_WRITE:
        raise ApiError(403, f"a {user.role.value} may not cancel plans")
    _jobs(request).cancel(str(job_id))
    session.expire_all()
    return public(_job(session, user, job_id))


@router.get("/{job_id}/routes", responses=problem_responses(409))
def job_routes(session: SessionDep, user: CurrentUser, job_id: JobId, page: PageDep) -> ListOf[RoutePublic]:
    """The routes of the plan the job made (409 until it has succeeded)."""
    j = _job(session, user, job_id)
    if j.plan_id is None:
        raise ApiError(409, f"plan job {job_id} is {j.state.value}; it has no plan yet")
    return list_for(session, user, page, plan_ids=[j.plan_id])


PlanRef = Annotated[
    str,
    Path(
        pattern=r"^([0-9]{1,9}|[0-9a-fA-F-]{36})$",
        description="A plan's id (as in GET /plans?date=) or the id of the job that made it.",
    ),
]


@router.get("/{plan_ref}/overview.html", response_class=HTMLResponse, responses={**HTML_DOC, **DOC_ERRORS})
def plan_overview(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    plan_ref: PlanRef,
    lang: Annotated[Literal["zh", "en"], Query(description="Language of the map.")] = "zh",
) -> HTMLResponse:
    """The overview map of a plan: every route, held and unassigned orders, stores and their radii."""
    if not may_see_plans(user):
        raise ApiError(404, f"plan {plan_ref} not found")
    if plan_ref.isdigit():
        plan = session.get(Plan, int(plan_ref))
    else:
        job = session.get(PlanJob, plan_ref.lower())
        plan = session.get(Plan, job.plan_id) if job is not None and job.plan_id is not None else None
    if plan is None:
        raise ApiError(404, f"plan {plan_ref} not found")
    if not may_see_overview(user):
        raise ApiError(403, f"a {user.role.value} may not see the overview map")
    plan_id = plan.id
    html = render(session, plan_id, lambda: overview_map_html(session, settings, plan_id=plan_id, lang=lang))
    return html_response(html, settings, f"{plan.delivery_date.isoformat()}-V{plan.version}-overview.html")
