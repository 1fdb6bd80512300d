"""Plan jobs: the ``plan_jobs`` rows and the embedded executor (a process pool).

A job is a row first (``queued``), so a restart never loses it. The embedded
executor runs ``planning.plan_day`` in a ``ProcessPoolExecutor`` (spawn
context) child, which owns the row while it runs: it marks it ``running``,
beats a heartbeat every second or two, reports progress, polls for a cancel
request between phases and writes the outcome. A child whose service died
exits at its next heartbeat.

After a restart (and whenever the housekeeping loop runs): a ``running``
embedded job whose worker process is gone, or whose heartbeat is stale, is
marked **failed** ("submit it again"); ``queued`` embedded jobs are
**resumed** (submitted again). Celery jobs are watched by ``api.jobs_celery``.
Every change of a job row is one short transaction.
"""

from __future__ import annotations

import datetime as dt
import importlib
import inspect
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from multiprocessing import get_context
from types import ModuleType
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from models import clock
from models.accounts import FINISHED_JOB_STATES, JobState, PlanJob
from models.db import session_scope
from models.errors import Conflict, NotFound
from models.settings import Settings

log = logging.getLogger("dispatch.jobs")
HEARTBEAT_S = 1.0
HOST = socket.gethostname()


def now() -> dt.datetime:
    return clock.now()


def aware(t: dt.datetime | None) -> dt.datetime | None:
    """SQLite hands back naive UTC datetimes; make them aware."""
    if t is not None and t.tzinfo is None:
        return t.replace(tzinfo=dt.UTC)
    return t


def planning(settings: Settings) -> ModuleType:
    """The planning service module (``services.planning``; tests may name a stand-in)."""
    return importlib.import_module(settings.planning_module)


def call_with_supported(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Call ``fn`` with the keyword arguments it accepts (the others are dropped)."""
    params = inspect.signature(fn).parameters
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()):
        return fn(*args, **kwargs)
    return fn(*args, **{k: v for k, v in kwargs.items() if k in params})


# ------------------------------------------------------------------ records
def create_job(
    session: Session, *, delivery_date: dt.date | None, params: dict[str, Any], executor: str, actor: str
) -> PlanJob:
    """A new ``queued`` job (in the caller's transaction)."""
    job = PlanJob(
        id=str(uuid.uuid4()),
        delivery_date=delivery_date,
        params=params,
        state=JobState.QUEUED,
        progress=0,
        message="queued",
        executor=executor,
        created_by=actor,
        created_at=now(),
    )
    session.add(job)
    session.flush()
    return job


def get_job(session: Session, job_id: str) -> PlanJob:
    job = session.get(PlanJob, job_id)
    if job is None:
        raise NotFound("plan job", job_id)
    return job


def request_cancel(settings: Settings, job_id: str) -> PlanJob:
    """Cancel a job: a queued one at once, a running one at its next checkpoint."""
    with session_scope(settings) as session:
        job = session.get(PlanJob, job_id, with_for_update=True)
        if job is None:
            raise NotFound("plan job", job_id)
        if job.state in FINISHED_JOB_STATES:
            raise Conflict(f"plan job {job_id} is already {job.state.value}")
        job.cancel_requested = True
        if job.state == JobState.QUEUED:
            job.state = JobState.CANCELLED
            job.message = "cancelled before it started"
            job.finished_at = now()
        else:
            job.message = "cancel requested"
        session.flush()
        return job


def set_progress(settings: Settings, job_id: str, progress: int, message: str) -> None:
    with session_scope(settings) as session:
        session.execute(
            update(PlanJob)
            .where(PlanJob.id == job_id, PlanJob.state == JobState.RUNNING)
            .values(progress=max(0, min(100, int(progress))), message=message[:2000], heartbeat=now())
        )


def finish(
    settings: Settings,
    job_id: str,
    state: JobState,
    message: str,
    *,
    result: dict[str, Any] | None = None,
    plan_id: int | None = None,
    only_if_running: bool = True,
) -> bool:
    """Write a job's outcome; ``False`` when it was no longer running (nothing written)."""
    values: dict[str, Any] = {
        "state": state,
        "message": message[:2000],
        "finished_at": now(),
        "heartbeat": now(),
        "prepared": None,
    }
    if state == JobState.SUCCEEDED:
        values |= {"progress": 100, "result": result, "plan_id": plan_id}
    with session_scope(settings) as session:
        q = update(PlanJob).where(PlanJob.id == job_id)
        if only_if_running:
            q = q.where(PlanJob.state == JobState.RUNNING)
        return bool(session.execute(q.values(**values)).rowcount)  # type: ignore[attr-defined]


def _claim(settings: Settings, job_id: str, worker: str) -> PlanJob | None:
    with session_scope(settings) as session:
        claimed = session.execute(
            update(PlanJob)
            .where(PlanJob.id == job_id, PlanJob.state == JobState.QUEUED)
            .values(
                state=JobState.RUNNING,
                started_at=now(),
                heartbeat=now(),
                worker=worker,
                progress=1,
                message="started",
            )
        ).rowcount  # type: ignore[attr-defined]
        return session.get(PlanJob, job_id) if claimed else None


def _cancel_requested(settings: Settings, job_id: str) -> bool:
    with session_scope(settings) as session:
        row = session.execute(
            select(PlanJob.cancel_requested, PlanJob.state).where(PlanJob.id == job_id)
        ).first()
    return row is None or bool(row[0]) or row[1] != JobState.RUNNING


# ------------------------------------------------------------ in the child
class _Heartbeat(threading.Thread):
    """Beats the job's heartbeat; ends this process when the service that started it is gone."""

    def __init__(self, settings: Settings, job_id: str, parent: int) -> None:
        super().__init__(daemon=True, name=f"heartbeat-{job_id[:8]}")
        self.settings, self.job_id, self.parent = settings, job_id, parent
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.wait(HEARTBEAT_S):
            if os.getppid() != self.parent:
                os._exit(3)  # orphaned: the service died; its restart marks the job failed
            try:
                with session_scope(self.settings) as session:
                    session.execute(
                        update(PlanJob)
                        .where(PlanJob.id == self.job_id, PlanJob.state == JobState.RUNNING)
                        .values(heartbeat=now())
                    )
            except Exception as exc:  # keep beating; the database may be busy for a moment
                log.warning("heartbeat of job %s failed: %s", self.job_id, type(exc).__name__)


def run_process_job(settings: Settings, job_id: str, parent: int) -> str:
    """Run one job in this (pool) process; returns the final state."""
    worker = f"{HOST}:{os.getpid()}"
    job = _claim(settings, job_id, worker)
    if job is None:
        return "skipped"
    beat = _Heartbeat(settings, job_id, parent)
    beat.start()
    params = dict(job.params or {})
    try:
        mod = planning(settings)
        result = call_with_supported(
            mod.plan_day,
            settings,
            job.delivery_date,
            time_limit_s=params.get("time_limit_s", 30),
            solution_limit=params.get("solution_limit"),
            fleet=params.get("fleet", "today"),
            actor=job.created_by,
            workers=1,
            progress=lambda p, m: set_progress(settings, job_id, p, m),
            should_stop=lambda: _cancel_requested(settings, job_id),
        )
        finish(settings, job_id, JobState.SUCCEEDED, "done", result=result, plan_id=result.get("plan_id"))
        return JobState.SUCCEEDED.value
    except Exception as exc:
        cancelled = _cancel_requested(settings, job_id)
        state = JobState.CANCELLED if cancelled else JobState.FAILED
        finish(settings, job_id, state, "cancelled" if cancelled else f"{type(exc).__name__}: {exc}")
        return state.value
    finally:
        beat.stop.set()


# ------------------------------------------------------------ the service
class ProcessRunner:
    """The embedded executor: a spawn-context process pool, started on first use."""

    name = "process"

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self._pool: ProcessPoolExecutor | None = None
        self._lock = threading.Lock()

    def _executor(self) -> ProcessPoolExecutor:
        with self._lock:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(
                    max_workers=self.settings.job_workers, mp_context=get_context("spawn")
                )
            return self._pool

    def submit(self, job_id: str) -> None:
        fut: Future[str] = self._executor().submit(run_process_job, self.settings, job_id, os.getpid())
        fut.add_done_callback(lambda f: self._done(job_id, f))

    def _done(self, job_id: str, fut: Future[str]) -> None:
        if fut.cancelled():
            return  # the service stopped before the job started: it stays queued and is resumed
        exc = fut.exception()
        if exc is not None:  # the child died (killed, out of memory): say so on the row
            log.error("plan job %s: worker process failed: %s", job_id, type(exc).__name__)
            finish(self.settings, job_id, JobState.FAILED, f"worker process failed: {type(exc).__name__}")
            with self._lock:
                self._pool = None  # a broken pool is replaced on the next submit

    def cancel(self, job_id: str) -> None:
        """Nothing to do: the child polls the row's cancel request between phases."""

    def shutdown(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.shutdown(wait=False, cancel_futures=True)
                self._pool = None


def _worker_dead(worker: str | None) -> bool:
    """Whether ``host:pid`` names a process of this host that no longer exists."""
    if not worker or ":" not in worker:
        return False
    host, _, pid = worker.rpartition(":")
    if host != HOST or not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def reap_dead_jobs(settings: Settings, *, at_startup: bool = False) -> list[str]:
    """Mark embedded jobs whose process died (or went silent) as failed; return their ids."""
    stale_before = now() - dt.timedelta(seconds=settings.job_stale_s)
    failed = []
    with session_scope(settings) as session:
        jobs = session.scalars(
            select(PlanJob).where(PlanJob.state == JobState.RUNNING, PlanJob.executor == "process")
        ).all()
        for job in jobs:
            beat = aware(job.heartbeat) or aware(job.started_at) or aware(job.created_at)
            if _worker_dead(job.worker) or (beat is not None and beat < stale_before):
                job.state = JobState.FAILED
                job.message = "the service stopped while the job was running; submit it again"
                job.finished_at = now()
                failed.append(job.id)
    if failed:
        log.warning(
            "marked %d interrupted plan job(s) failed%s", len(failed), " at startup" if at_startup else ""
        )
    return failed


def queued_jobs(settings: Settings, executor: str) -> list[str]:
    with session_scope(settings) as session:
        return list(
            session.scalars(
                select(PlanJob.id)
                .where(PlanJob.state == JobState.QUEUED, PlanJob.executor == executor)
                .order_by(PlanJob.created_at)
            )
        )
