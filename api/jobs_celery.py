"""Plan jobs on Celery workers (when ``DISPATCH_BROKER_URL`` is set), and the worker's app.

The split: the API process **prepares** the day (consolidation and the
routing problem, one transaction; the prepared dict is kept on the job row),
sends only the problem to a worker, which **solves** it (pure: no database),
and the API **stores** the solution when the result arrives (one
transaction), claimed on the row so that exactly one process stores it.
The result is collected by a background loop and by every ``GET`` of the
job, so a restarted service picks up where it was: a Celery job is resumed,
never lost (its task and result live in the broker).

The worker: ``dispatch worker`` (or ``celery -A api.jobs_celery worker``).
"""

from __future__ import annotations

import datetime as dt
import importlib
import logging
import os
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from celery import Celery
from sqlalchemy import select, update

from models.accounts import JobState, PlanJob
from models.db import session_scope
from models.settings import Settings, get_settings
from services.jobs import HOST, aware, call_with_supported, finish, now, planning

log = logging.getLogger("dispatch.jobs")
DEFAULT_BROKER = "redis://127.0.0.1:6379/0"
TASK = "dispatch.solve"


def make_celery(broker_url: str) -> Celery:
    app = Celery("dispatch", broker=broker_url, backend=broker_url)
    app.conf.update(
        task_serializer="json",
        result_serializer="json",
        accept_content=["json"],
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        task_track_started=True,
        worker_prefetch_multiplier=1,
        result_expires=2 * 24 * 3600,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
    )
    app.task(name=TASK)(solve_task)
    return app


def solve_task(
    payload: dict[str, Any], time_limit_s: float, solution_limit: int | None, planning_module: str
) -> dict[str, Any]:
    """The worker's whole job: solve the problem it was sent (no database)."""
    mod = importlib.import_module(planning_module)
    return dict(
        call_with_supported(
            mod.solve_prepared, payload, time_limit_s=time_limit_s, solution_limit=solution_limit, workers=1
        )
    )


celery_app = make_celery(get_settings().broker_url or DEFAULT_BROKER)


class CeleryRunner:
    """Prepare here, solve on a worker, store here."""

    name = "celery"

    def __init__(self, settings: Settings) -> None:
        assert settings.broker_url, "CeleryRunner needs DISPATCH_BROKER_URL"
        self.settings = settings
        self.app = make_celery(settings.broker_url)
        self._threads = ThreadPoolExecutor(max_workers=2, thread_name_prefix="prepare")
        self.me = f"{HOST}:{os.getpid()}:{threading.get_ident()}"

    def submit(self, job_id: str) -> None:
        self._threads.submit(self._prepare_and_send, job_id)

    def _prepare_and_send(self, job_id: str) -> None:
        s = self.settings
        with session_scope(s) as session:
            claimed = session.execute(
                update(PlanJob)
                .where(PlanJob.id == job_id, PlanJob.state == JobState.QUEUED)
                .values(
                    state=JobState.RUNNING,
                    started_at=now(),
                    heartbeat=now(),
                    worker="celery",
                    progress=5,
                    message="consolidating and building the routing problem",
                )
            ).rowcount  # type: ignore[attr-defined]
            job = session.get(PlanJob, job_id) if claimed else None
        if job is None:
            return
        params = dict(job.params or {})
        try:
            prepared = call_with_supported(
                planning(s).prepare_plan,
                s,
                job.delivery_date,
                fleet=params.get("fleet", "today"),
                actor=job.created_by,
            )
            payload = {k: prepared[k] for k in ("problem", "initial", "locked") if k in prepared}
            with session_scope(s) as session:
                job = session.get(PlanJob, job_id)
                if job is None or job.state != JobState.RUNNING or job.cancel_requested:
                    if job is not None and job.state == JobState.RUNNING:
                        job.state, job.message, job.finished_at = JobState.CANCELLED, "cancelled", now()
                    return
                res = self.app.send_task(
                    TASK,
                    args=[
                        payload,
                        params.get("time_limit_s", 30),
                        params.get("solution_limit"),
                        s.planning_module,
                    ],
                )
                job.prepared = prepared
                job.task_id = res.id
                job.progress = 20
                job.message = f"solving {len(payload['problem'].get('stops', []))} stops on a worker"
                job.heartbeat = now()
        except Exception as exc:
            finish(s, job_id, JobState.FAILED, f"{type(exc).__name__}: {exc}")

    def cancel(self, job_id: str) -> None:
        """Revoke the task (terminating a worker that runs it) and mark the job cancelled."""
        with session_scope(self.settings) as session:
            job = session.get(PlanJob, job_id)
            if job is None or job.state != JobState.RUNNING:
                return
            if job.task_id:
                self.app.control.revoke(job.task_id, terminate=True)
                job.state, job.message, job.finished_at = JobState.CANCELLED, "cancelled", now()
                job.prepared = None

    def collect(self, job_id: str) -> None:
        """Bring a running Celery job up to date from the broker; store a solution once."""
        s = self.settings
        with session_scope(s) as session:
            job = session.get(PlanJob, job_id)
            if job is None or job.state != JobState.RUNNING or not job.task_id or job.store_claim:
                return
            task_id, params, started = job.task_id, dict(job.params or {}), aware(job.started_at)
        res = self.app.AsyncResult(task_id)
        state = res.state
        if state == "SUCCESS":
            self._store(job_id, res.get(timeout=10))
        elif state in ("FAILURE", "REVOKED"):
            finish(s, job_id, JobState.FAILED, f"worker: {state.lower()}: {res.result!r}"[:500])
        else:
            limit = float(params.get("time_limit_s") or 30)
            elapsed = (now() - started).total_seconds() if started else 0.0
            with session_scope(s) as session:
                session.execute(
                    update(PlanJob)
                    .where(PlanJob.id == job_id, PlanJob.state == JobState.RUNNING)
                    .values(
                        progress=20 + int(70 * min(1.0, elapsed / max(limit, 1.0))),
                        heartbeat=now(),
                        message="waiting for a worker" if state == "PENDING" else "solving on a worker",
                    )
                )

    def _store(self, job_id: str, solution: dict[str, Any]) -> None:
        s = self.settings
        with session_scope(s) as session:
            won = session.execute(
                update(PlanJob)
                .where(PlanJob.id == job_id, PlanJob.state == JobState.RUNNING, PlanJob.store_claim.is_(None))
                .values(store_claim=self.me, progress=90, message="checking and storing the plan")
            ).rowcount  # type: ignore[attr-defined]
            job = session.get(PlanJob, job_id) if won else None
            prepared, actor = (job.prepared, job.created_by) if job is not None else (None, "")
        if prepared is None:
            return
        try:
            result = planning(s).store_plan(s, prepared, solution, actor=actor)
            result.setdefault("consolidation", prepared.get("consolidation"))
            finish(s, job_id, JobState.SUCCEEDED, "done", result=result, plan_id=result.get("plan_id"))
        except Exception as exc:
            finish(s, job_id, JobState.FAILED, f"storing failed: {type(exc).__name__}: {exc}")

    def collect_all(self) -> None:
        with session_scope(self.settings) as session:
            ids = list(
                session.scalars(
                    select(PlanJob.id).where(PlanJob.state == JobState.RUNNING, PlanJob.executor == "celery")
                )
            )
        for job_id in ids:
            try:
                self.collect(job_id)
            except Exception as exc:
                log.warning("collecting plan job %s failed: %s", job_id, type(exc).__name__)
        self._reap_unsent()

    def _reap_unsent(self) -> None:
        """A job left between 'preparing' and 'sent' by a dead service is failed."""
        stale = now() - dt.timedelta(seconds=max(self.settings.job_stale_s, 60))
        with session_scope(self.settings) as session:
            for job in session.scalars(
                select(PlanJob).where(
                    PlanJob.state == JobState.RUNNING, PlanJob.executor == "celery", PlanJob.task_id.is_(None)
                )
            ):
                beat = aware(job.heartbeat) or aware(job.created_at)
                if beat is not None and beat < stale:
                    job.state, job.finished_at = JobState.FAILED, now()
                    job.message = "the service stopped while preparing the job; submit it again"

    def shutdown(self) -> None:
        self._threads.shutdown(wait=False, cancel_futures=True)
