"""The dispatch day, from orders to a confirmed plan: the operations the CLI and the API call.

``plan_day`` = ``prepare_plan`` (consolidation and the routing problem, one
transaction) → ``solve_prepared`` (pure: needs only the problem, so it can run
on a worker) → ``store_plan`` (checked by the independent checker, stored as a
numbered draft, one transaction).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models import clock
from models.db import session_scope
from models.errors import Conflict, InputError, NotFound
from models.orm import Order
from models.planning import Plan, PlanStatus
from models.settings import Settings
from services.consolidation import consolidate_day
from services.plan_build import prepare_problem
from services.plan_store import store_solution

Progress = Callable[[int, str], None]


def default_date(session: Session) -> dt.date:
    """The next delivery day after the latest order's (China-time) day."""
    latest = session.scalar(select(func.max(Order.received_at)))
    if latest is None:
        raise InputError.single("date", "no orders in the database; give --date")
    return clock.local_day(latest) + dt.timedelta(days=1)


def prepare_plan(
    settings: Settings,
    delivery_date: dt.date | None = None,
    *,
    fleet: str | list[str] = "today",
    actor: str = "system",
    emergency: bool | None = None,
) -> dict[str, Any]:
    """Consolidate the day and build its routing problem (one transaction); JSON-serialisable."""
    with session_scope(settings) as session:
        day = delivery_date or default_date(session)
        _refuse_if_executed(session, day)
        cons = consolidate_day(session, settings, day, actor=actor, emergency=emergency)
        prepared = prepare_problem(session, settings, day, fleet=fleet, actor=actor)
    prepared["consolidation"] = cons
    return prepared


def _refuse_if_executed(session: Session, day: dt.date) -> None:
    """A day whose stops already have recorded outcomes is not re-planned (they would be orphaned)."""
    from ledger.orm import StopOutcome
    from models.planning import PlanStop

    done = session.scalar(
        select(func.count())
        .select_from(StopOutcome)
        .join(PlanStop, StopOutcome.stop_id == PlanStop.id)
        .join(Plan, PlanStop.plan_id == Plan.id)
        .where(Plan.delivery_date == day)
    )
    if done:
        raise Conflict(
            f"{done} stop outcomes are already recorded for {day.isoformat()}; "
            "the day can no longer be re-planned (correct the outcomes instead)"
        )


def solve_prepared(
    prepared: dict[str, Any],
    *,
    time_limit_s: float | None = 30,
    solution_limit: int | None = None,
    workers: int | None = None,
) -> dict[str, Any]:
    """Solve the prepared problem (pure: no database); return the solution JSON."""
    from optimizer.contract import problem_from_json, solution_to_json
    from optimizer.ortools_backend import solve
    from optimizer.params import SolveParams

    problem = problem_from_json(prepared["problem"])
    params = SolveParams(
        time_limit=time_limit_s, solution_limit=solution_limit, workers=workers if workers is not None else 2
    )
    solution = solve(problem, params, initial=prepared.get("initial"), locked=prepared.get("locked"))
    return solution_to_json(solution)


def store_plan(
    settings: Settings,
    prepared: dict[str, Any],
    solution: dict[str, Any],
    *,
    actor: str = "system",
    based_on: int | None = None,
) -> dict[str, Any]:
    """Check and store a solution as the day's next draft plan version (one transaction)."""
    with session_scope(settings) as session:
        return store_solution(session, prepared, solution, actor=actor, based_on=based_on)


def plan_day(
    settings: Settings,
    delivery_date: dt.date | None = None,
    *,
    time_limit_s: float | None = 30,
    solution_limit: int | None = None,
    fleet: str | list[str] = "today",
    actor: str = "system",
    emergency: bool | None = None,
    workers: int | None = None,
    progress: Progress | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> dict[str, Any]:
    """Consolidation → assignment → routing → independent check → a stored draft plan.

    ``should_stop`` is polled between the phases (the solver phase itself runs
    to its time limit). Returns the plan summary (see ``docs/dispatch-day.md``).
    """
    say = progress or (lambda _p, _m: None)
    stop = should_stop or (lambda: False)
    say(5, "consolidating and building the routing problem")
    prepared = prepare_plan(settings, delivery_date, fleet=fleet, actor=actor, emergency=emergency)
    if stop():
        raise Conflict("cancelled before solving")
    n = len(prepared["problem"]["stops"])
    say(20, f"solving {n} stops")
    solution = solve_prepared(
        prepared, time_limit_s=time_limit_s, solution_limit=solution_limit, workers=workers
    )
    if stop():
        raise Conflict("cancelled after solving; nothing stored")
    say(90, "checking and storing the plan")
    result = store_plan(settings, prepared, solution, actor=actor)
    result["consolidation"] = prepared["consolidation"]
    say(100, "done")
    return result


def find_plan(
    session: Session, *, plan_id: int | None = None, date: dt.date | None = None, version: int | None = None
) -> Plan:
    """A plan by id, or by date (and version; default the confirmed one, else the latest)."""
    if plan_id is not None:
        plan = session.get(Plan, plan_id)
        if plan is None:
            raise NotFound("plan", plan_id)
        return plan
    if date is None:
        date = session.scalar(select(func.max(Plan.delivery_date)))
        if date is None:
            raise NotFound("plan", "(none yet: run `dispatch plan`)")
    q = select(Plan).where(Plan.delivery_date == date)
    if version is not None:
        found = session.scalars(q.where(Plan.version == version)).first()
    else:
        found = (
            session.scalars(q.where(Plan.status == PlanStatus.CONFIRMED)).first()
            or session.scalars(q.order_by(Plan.version.desc())).first()
        )
    if found is None:
        raise NotFound("plan", f"{date.isoformat()}" + (f" version {version}" if version else ""))
    return found
