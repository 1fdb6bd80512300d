"""`dispatch worker`: a Celery worker for plan jobs (needs DISPATCH_BROKER_URL; no database)."""

from __future__ import annotations

import typer

from cli.common import fail
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    @app.command("worker")
    def worker(
        concurrency: int = typer.Option(1, "--concurrency", "-c", help="Parallel solves."),
        loglevel: str = typer.Option("INFO", "--loglevel"),
        hostname: str | None = typer.Option(None, "--hostname", "-n", help="Celery node name."),
    ) -> None:
        """Solve plan jobs sent by the service (the worker needs only the problem, not the database)."""
        if not get_settings().broker_url:
            fail("set DISPATCH_BROKER_URL (e.g. redis://127.0.0.1:6379/0)")
        from api.jobs_celery import celery_app

        argv = [
            "worker",
            f"--concurrency={concurrency}",
            f"--loglevel={loglevel}",
            "--pool=prefork",
            "--without-gossip",
            "--without-mingle",
        ]
        if hostname:
            argv.append(f"--hostname={hostname}")
        celery_app.worker_main(argv)
