"""Plan jobs: submit, poll, result checked by the independent checker, cancel, restart while running.

In-process (the embedded process pool) and through Celery with a real Redis
broker and a real ``dispatch worker`` process. With ``CI`` set the Celery tests
must run (an unreachable Redis fails them); elsewhere they skip without Redis.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from api.main import create_app
from models.accounts import PlanJob
from models.db import session_scope
from models.planning import Plan
from models.settings import Settings
from tests.api_fixtures import (  # noqa: F401
    ROOT,
    STANDIN,
    LiveServer,
    World,
    api_world,
    check_stored_plan,
    settings_env,
)
from tests.needs import need

P = "/api/v1"
REDIS_URL = os.environ.get("DISPATCH_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# The planning service the jobs call: the lead's ``services.planning`` (a stand-in with the same
# interface, ``tests.api_fixtures``, served while it was being written).
PLANNING = os.environ.get("API_TEST_PLANNING", "services.planning")
QUICK = {"time_limit_s": 60, "solution_limit": 30}  # bounded by solutions, not by the clock
LONG = {"time_limit_s": 8} if PLANNING == "services.planning" else {"time_limit_s": 8, "solution_limit": 30}


def settings_for(w: World, **extra: Any) -> Settings:
    return w.settings.model_copy(update={"planning_module": PLANNING, "job_stale_s": 5, **extra})


def hold_env(monkeypatch: pytest.MonkeyPatch, seconds: float) -> None:
    """Make the stand-in's solve last ``seconds`` (the real solver runs to its time limit anyway)."""
    monkeypatch.setenv("STANDIN_HOLD_S", str(seconds))


def poll(
    get: Any, job_id: str, headers: dict[str, str], until: set[str], timeout: float = 120
) -> dict[str, Any]:
    seen: list[tuple[str, int]] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = get(f"{P}/plans/{job_id}", headers=headers)
        assert r.status_code == 200, r.text
        job = r.json()
        if not seen or seen[-1] != (job["state"], job["progress"]):
            seen.append((job["state"], job["progress"]))
        if job["state"] in until:
            job["_seen"] = seen
            return job
        time.sleep(0.25)
    raise AssertionError(f"job {job_id} still {seen[-1] if seen else '?'} after {timeout}s: {seen}")


def plans_count(settings: Settings) -> int:
    with session_scope(settings) as s:
        return int(s.scalar(select(func.count()).select_from(Plan)) or 0)


def assert_checked(settings: Settings, job: dict[str, Any]) -> None:
    plan_id = job["result"]["plan_id"]
    assert job["plan_id"] == plan_id
    report = check_stored_plan(settings, plan_id)
    assert report.feasible, report.violations
    assert job["result"]["feasible"] is True


def lifecycle(client: TestClient, w: World, settings: Settings) -> str:
    h = w.headers("dispatcher")
    r = client.post(f"{P}/plans", json=QUICK, headers=h)
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    assert r.headers["Location"] == f"{P}/plans/{job_id}"
    assert client.get(f"{P}/plans/{job_id}/routes", headers=h).status_code in (200, 409)
    job = poll(client.get, job_id, h, {"succeeded", "failed", "cancelled"})
    assert job["state"] == "succeeded", job
    assert job["progress"] == 100 and job["finished_at"]
    assert_checked(settings, job)
    versions = client.get(f"{P}/plans", params={"date": job["result"]["date"]}, headers=h).json()["data"]
    assert any(v["job_id"] == job_id and v["id"] == job["plan_id"] for v in versions)
    assert client.get(f"{P}/plans/{job_id}/routes", headers=h).status_code == 200
    assert client.delete(f"{P}/plans/{job_id}", headers=h).status_code == 409  # finished: nothing to cancel
    print(
        f"\njob {job['executor']}: states seen {job['_seen']}, result {job['result']['routes']} routes, "
        f"{job['result']['km']} km, checker feasible"
    )
    return job_id


@pytest.mark.clock_dates  # date-sensitive: runs at the delivery day and months later
def test_in_process_lifecycle_and_cancel(api_world: World, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    w = api_world
    settings = settings_for(w)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        lifecycle(client, w, settings)
        hold_env(monkeypatch, 6)
        client.app.state.jobs.runner.shutdown()  # type: ignore[attr-defined]  # new pool: new environment
        h = w.headers("admin")
        before = plans_count(settings)
        running = client.post(f"{P}/plans", json=LONG, headers=h).json()["id"]
        queued = client.post(f"{P}/plans", json=LONG, headers=h).json()["id"]  # one worker: waits
        poll(client.get, running, h, {"running"}, timeout=60)
        r = client.delete(f"{P}/plans/{queued}", headers=h)
        assert r.status_code == 202 and r.json()["state"] == "cancelled"
        r = client.delete(f"{P}/plans/{running}", headers=h)
        assert r.status_code == 202 and r.json()["cancel_requested"] is True
        job = poll(client.get, running, h, {"succeeded", "failed", "cancelled"}, timeout=90)
        assert job["state"] == "cancelled", job
        assert job["plan_id"] is None and plans_count(settings) == before  # nothing stored


def test_restart_while_running(api_world: World, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """Kill the service mid-job: after the restart the running job is *failed*, the queued one *resumed*."""
    w = api_world
    settings = settings_for(w)
    hold_env(monkeypatch, 30)
    h = w.headers("dispatcher")
    first = LiveServer(settings, tmp_path / "a.log")
    first.start()
    try:
        running = httpx.post(f"{first.url}{P}/plans", json={"time_limit_s": 30}, headers=h).json()["id"]
        queued = httpx.post(f"{first.url}{P}/plans", json=QUICK, headers=h).json()["id"]
        job = poll(lambda u, headers: httpx.get(first.url + u, headers=headers), running, h, {"running"}, 60)
        assert job["state"] == "running"
        worker = _worker_pid(settings, running)
    finally:
        first.kill()
    monkeypatch.setenv("STANDIN_HOLD_S", "0")
    second = LiveServer(settings, tmp_path / "b.log")
    second.start()
    try:
        get = lambda u, headers: httpx.get(second.url + u, headers=headers)  # noqa: E731
        failed = poll(get, running, h, {"failed", "succeeded", "cancelled"}, timeout=60)
        assert failed["state"] == "failed" and "stopped" in failed["message"], failed
        resumed = poll(get, queued, h, {"failed", "succeeded", "cancelled"}, timeout=120)
        assert resumed["state"] == "succeeded", resumed
        assert_checked(settings, resumed)
        _wait_gone(worker)  # the orphaned pool process ended itself
        print(
            f"\nrestart: running job → {failed['state']} ({failed['message']}); queued job → resumed, "
            f"{resumed['state']}"
        )
    finally:
        second.stop()


def _worker_pid(settings: Settings, job_id: str) -> int:
    with session_scope(settings) as s:
        job = s.get(PlanJob, job_id)
        assert job is not None and job.worker
        return int(job.worker.rpartition(":")[2])


def _wait_gone(pid: int, timeout: float = 15) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.2)
    raise AssertionError(f"job process {pid} outlived its service")


# ------------------------------------------------------------------ Celery
def _redis_ok() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping())
    except Exception:
        return False


@pytest.fixture
def celery_worker(api_world: World, tmp_path: Path) -> Iterator[Settings]:  # noqa: F811
    need(_redis_ok(), f"no Redis at {REDIS_URL} (the Celery tests need it)")
    settings = settings_for(api_world, broker_url=REDIS_URL)
    env = settings_env(settings)
    env.pop("DISPATCH_DATABASE_URL")  # the worker needs only the problem, never the database
    env["STANDIN_HOLD_S"] = "3"
    log = (tmp_path / "worker.log").open("wb")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cli.main",
            "worker",
            "--concurrency",
            "1",
            "--hostname",
            f"test-{os.getpid()}-{tmp_path.name}@%h",
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    try:
        yield settings
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(10)


@pytest.mark.redis
def test_celery_lifecycle_cancel_restart(api_world: World, celery_worker: Settings) -> None:  # noqa: F811
    w, settings = api_world, celery_worker
    h = w.headers("dispatcher")
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        assert client.app.state.jobs.executor == "celery"  # type: ignore[attr-defined]
        lifecycle(client, w, settings)
        # cancel while the worker solves
        before = plans_count(settings)
        job_id = client.post(f"{P}/plans", json=LONG, headers=h).json()["id"]
        poll(client.get, job_id, h, {"running"}, timeout=60)
        _wait_task_sent(settings, job_id)
        r = client.delete(f"{P}/plans/{job_id}", headers=h)
        assert r.status_code == 202
        job = poll(client.get, job_id, h, {"succeeded", "failed", "cancelled"}, timeout=60)
        assert job["state"] == "cancelled" and plans_count(settings) == before
        # restart the service while the worker solves: the job is resumed, not lost
        job_id = client.post(f"{P}/plans", json=QUICK, headers=h).json()["id"]
        _wait_task_sent(settings, job_id)
    with TestClient(create_app(settings), raise_server_exceptions=False) as client:
        job = poll(client.get, job_id, h, {"succeeded", "failed", "cancelled"}, timeout=120)
        assert job["state"] == "succeeded", job
        assert_checked(settings, job)
        print(f"\ncelery: cancelled while solving; restarted service resumed job → {job['state']}")


def _wait_task_sent(settings: Settings, job_id: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with session_scope(settings) as s:
            job = s.get(PlanJob, job_id)
            if job is not None and job.task_id:
                return
            assert job is None or job.state in ("queued", "running"), job and job.message
        time.sleep(0.2)
    raise AssertionError("the job was never sent to a worker")


def test_standin_matches_interface() -> None:
    """The stand-in keeps the signatures of the service it stands for."""
    import inspect

    import services.planning as real
    import tests.api_fixtures as standin

    for name in ("plan_day", "prepare_plan", "solve_prepared", "store_plan"):
        theirs = set(inspect.signature(getattr(real, name)).parameters)
        ours = set(inspect.signature(getattr(standin, name)).parameters)
        assert ours <= theirs, (name, ours - theirs)
    assert standin.__name__ == STANDIN
