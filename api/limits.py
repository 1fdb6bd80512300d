"""Limits and hardening: body size, login rate, security headers, CORS (off unless configured).

Pagination caps live in ``api.deps`` (``PAGE_MAX``).
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from typing import Any

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.errors import PROBLEM, ApiError
from models.settings import Settings

SECURITY_HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"no-referrer"),
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
]
API_CSP = (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'")
DOC_PATHS = ("/docs", "/redoc")


class BodyTooLarge(Exception):
    pass


class BodySizeLimit:
    """Refuse (413) a request whose body is larger than ``limit`` bytes, declared or streamed."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", []):
            if name == b"content-length":
                try:
                    declared = int(value)
                except ValueError:
                    declared = -1
                if declared > self.limit or declared < 0:
                    await self._refuse(scope, send)
                    return
        seen = 0
        started = False

        async def limited_receive() -> Message:
            nonlocal seen
            msg = await receive()
            if msg["type"] == "http.request":
                seen += len(msg.get("body", b""))
                if seen > self.limit:
                    raise BodyTooLarge
            return msg

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except BodyTooLarge:
            if not started:
                await self._refuse(scope, send)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": "about:blank",
                "title": "Request body too large",
                "status": 413,
                "detail": f"the body may be at most {self.limit} bytes",
                "instance": scope.get("path", ""),
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", PROBLEM.encode()),
                    (b"content-length", str(len(body)).encode()),
                    *SECURITY_HEADERS,
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


class SecurityHeaders:
    """Adds the usual hardening headers; API responses also get a strict CSP and ``no-store``."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        is_doc = str(scope.get("path", "")).startswith(DOC_PATHS)

        async def add_headers(msg: Message) -> None:
            if msg["type"] == "http.response.start":
                headers = list(msg.get("headers", []))
                present = {k.lower() for k, _ in headers}
                extra = [h for h in SECURITY_HEADERS if h[0] not in present]
                if not is_doc:
                    extra += [API_CSP, (b"cache-control", b"no-store")]
                msg = {**msg, "headers": headers + extra}
            await send(msg)

        await self.app(scope, receive, add_headers)


class LoginRateLimit:
    """At most ``per_minute`` login attempts per client address and per username (sliding window)."""

    def __init__(self, per_minute: int, window_s: float = 60.0) -> None:
        self.per_minute, self.window = per_minute, window_s
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def check(self, client: str, username: str) -> None:
        at = time.monotonic()
        with self._lock:
            for key in (f"ip:{client}", f"user:{username.lower()}"):
                hits = self._hits.setdefault(key, deque())
                while hits and hits[0] <= at - self.window:
                    hits.popleft()
                if len(hits) >= self.per_minute:
                    retry = int(hits[0] + self.window - at) + 1
                    raise ApiError(
                        429,
                        "too many login attempts; wait and try again",
                        headers={"Retry-After": str(retry)},
                    )
            for key in (f"ip:{client}", f"user:{username.lower()}"):
                self._hits[key].append(at)
            if len(self._hits) > 10_000:  # forget idle keys
                self._hits = {k: v for k, v in self._hits.items() if v and v[-1] > at - self.window}


def install(app: FastAPI, settings: Settings) -> None:
    """Middlewares in order (outermost last): CORS if configured, security headers, body limit."""
    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    origins = settings.cors_origin_list
    if origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key"],
            max_age=600,
        )
    app.state.login_limit = LoginRateLimit(settings.login_rate_per_minute)


def client_of(scope_client: Any) -> str:
    return scope_client.host if scope_client is not None else "unknown"
