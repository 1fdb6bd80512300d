"""Limits and hardening: body size, login rate, pagination cap, CORS off unless configured, headers."""

from __future__ import annotations

import logging
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.main import create_app
from models.accounts import User, UserRole
from models.db import session_scope
from services.accounts import verify_password
from tests.api_fixtures import PASSWORD, ROOT, World, api_client, api_world, settings_env  # noqa: F401

P = "/api/v1"


def test_body_limit_pagination_and_headers(api_world: World) -> None:  # noqa: F811
    settings = api_world.settings.model_copy(update={"max_body_bytes": 2048})
    with TestClient(create_app(settings)) as client:
        h = api_world.headers("admin")
        big = client.post(
            f"{P}/orders", content=b"{" + b" " * 4096 + b"}", headers=h | {"Content-Type": "application/json"}
        )
        assert big.status_code == 413
        assert big.headers["content-type"].startswith("application/problem+json")
        assert client.get(f"{P}/customers", params={"limit": 201}, headers=h).status_code == 422
        page = client.get(f"{P}/customers", params={"limit": 200, "offset": 10}, headers=h).json()
        assert len(page["data"]) == 200 and page["count"] == 800 and page["offset"] == 10
        r = client.get(f"{P}/townships", headers=h | {"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers  # CORS off by default
        assert r.headers["x-content-type-options"] == "nosniff"
        assert r.headers["x-frame-options"] == "DENY"
        assert r.headers["cache-control"] == "no-store"
        assert "default-src 'none'" in r.headers["content-security-policy"]
    cors = api_world.settings.model_copy(update={"cors_origins": "https://dispatch.example"})
    with TestClient(create_app(cors)) as client:
        r = client.options(
            f"{P}/townships",
            headers={"Origin": "https://dispatch.example", "Access-Control-Request-Method": "GET"},
        )
        assert r.headers["access-control-allow-origin"] == "https://dispatch.example"
        r = client.get(f"{P}/townships", headers={"Origin": "https://evil.example"})
        assert "access-control-allow-origin" not in r.headers


def test_login_rate_limit(api_world: World) -> None:  # noqa: F811
    settings = api_world.settings.model_copy(update={"login_rate_per_minute": 3})
    with TestClient(create_app(settings)) as client:
        codes = [
            client.post(
                f"{P}/login/access-token", data={"username": "finance", "password": "nope-nope"}
            ).status_code
            for _ in range(4)
        ]
        assert codes == [400, 400, 400, 429]
        r = client.post(f"{P}/login/access-token", data={"username": "finance", "password": PASSWORD})
        assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1


def test_expired_and_forged_tokens(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    import jwt

    forged = jwt.encode(
        {"sub": str(api_world.users["admin"]), "exp": 9999999999, "typ": "access"},
        "x" * 40,
        algorithm="HS256",
    )
    assert api_client.get(f"{P}/users/me", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    expired = jwt.encode(
        {"sub": str(api_world.users["admin"]), "exp": 1, "typ": "access"},
        api_world.settings.jwt_secret,
        algorithm="HS256",
    )
    assert api_client.get(f"{P}/users/me", headers={"Authorization": f"Bearer {expired}"}).status_code == 401
    with session_scope(api_world.settings) as s:
        u = s.get(User, api_world.users["finance"])
        assert u is not None
        u.active = False
    assert api_client.get(f"{P}/users/me", headers=api_world.headers("finance")).status_code == 401


def test_admin_manages_users(api_client: TestClient, api_world: World) -> None:  # noqa: F811
    h = api_world.headers("admin")
    r = api_client.post(
        f"{P}/users", json={"username": "sm2", "password": "short", "role": "store_manager"}, headers=h
    )
    assert r.status_code == 422
    fields = {e["field"] for e in r.json()["errors"]}
    assert fields == {"password"}
    r = api_client.post(
        f"{P}/users",
        json={"username": "sm2", "password": "long-enough-1", "role": "store_manager"},
        headers=h,
    )
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "staff"
    r = api_client.post(
        f"{P}/users",
        json={"username": "sm2", "password": "long-enough-1", "role": "store_manager", "staff": "E016"},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["staff"] == "E016"
    assert (
        api_client.post(
            f"{P}/users", json={"username": "sm2", "password": "long-enough-1", "role": "finance"}, headers=h
        ).status_code
        == 409
    )
    uid = r.json()["id"]
    assert api_client.patch(f"{P}/users/{uid}", json={"active": False}, headers=h).json()["active"] is False


def test_cli_user_create(api_world: World) -> None:  # noqa: F811
    env = settings_env(api_world.settings)
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "user",
            "create",
            "--username",
            "boss",
            "--role",
            "admin",
            "--password-stdin",
            "--json",
        ],
        input="a-very-long-secret\n",
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    assert "a-very-long-secret" not in run.stdout + run.stderr
    with session_scope(api_world.settings) as s:
        u = s.scalar(select(User).where(User.username == "boss"))
        assert u is not None and u.role == UserRole.ADMIN
        assert u.password_hash.startswith("$argon2id$")
        assert verify_password("a-very-long-secret", u.password_hash)[0]
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "cli.main",
            "user",
            "create",
            "--username",
            "d",
            "--role",
            "driver",
            "--password-stdin",
        ],
        input="a-very-long-secret\n",
        text=True,
        capture_output=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert bad.returncode == 1 and "staff" in bad.stderr


def test_internal_errors_log_no_personal_data(api_world: World, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    app = create_app(api_world.settings)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("customer phone 13800000000")

    with TestClient(app) as client, caplog.at_level(logging.INFO):
        r = client.get("/boom")
    assert r.status_code == 500 and r.json()["detail"] == "internal error"
    assert "13800000000" not in caplog.text + r.text
    assert "RuntimeError" in caplog.text
