"""The service's plan-job manager: picks the executor, recovers after a restart, keeps house.

* embedded (default): :class:`services.jobs.ProcessRunner`, a process pool;
* ``DISPATCH_BROKER_URL`` set: :class:`api.jobs_celery.CeleryRunner`.

At startup, embedded jobs left ``running`` by a dead process are marked
**failed**, and ``queued`` jobs are **resumed**; running Celery jobs are
resumed (their results are collected from the broker). A housekeeping thread
repeats the reaping, collects Celery results and purges expired
idempotency keys.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

from models.accounts import PlanJob
from models.settings import Settings
from services import jobs as job_records

log = logging.getLogger("dispatch.jobs")
TICK_S = 1.0


class Runner(Protocol):
    name: str

    def submit(self, job_id: str) -> None: ...
    def cancel(self, job_id: str) -> None: ...
    def shutdown(self) -> None: ...


class JobService:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.runner: Runner
        if settings.broker_url:
            from api.jobs_celery import CeleryRunner

            self.runner = CeleryRunner(settings)
        else:
            self.runner = job_records.ProcessRunner(settings)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def executor(self) -> str:
        return self.runner.name

    def start(self) -> None:
        """Recover jobs from before a restart and start housekeeping."""
        try:
            job_records.reap_dead_jobs(self.settings, at_startup=True)
            for job_id in job_records.queued_jobs(self.settings, self.executor):
                self.runner.submit(job_id)
        except Exception as exc:  # e.g. the database is not migrated yet: the API still starts
            log.warning("plan-job recovery skipped: %s", type(exc).__name__)
        self._thread = threading.Thread(target=self._housekeeping, name="job-housekeeping", daemon=True)
        self._thread.start()

    def _housekeeping(self) -> None:
        from api.idempotency import purge_expired

        ticks = 0
        while not self._stop.wait(TICK_S):
            ticks += 1
            try:
                if self.executor == "celery":
                    self.runner.collect_all()  # type: ignore[attr-defined]
                if ticks % 3 == 0:
                    job_records.reap_dead_jobs(self.settings)
                if ticks % 600 == 1:
                    purge_expired(self.settings)
            except Exception as exc:
                log.warning("housekeeping: %s", type(exc).__name__)

    def submit(self, job_id: str) -> None:
        self.runner.submit(job_id)

    def cancel(self, job_id: str) -> PlanJob:
        job = job_records.request_cancel(self.settings, job_id)
        self.runner.cancel(job_id)
        return job

    def refresh(self, job: PlanJob) -> None:
        """Bring a job up to date before it is shown (Celery: collect its result)."""
        if job.executor == "celery" and self.executor == "celery" and job.state == "running":
            self.runner.collect(job.id)  # type: ignore[attr-defined]

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self.runner.shutdown()
