"""The service API: ``create_app(settings)`` and the module-level ``app`` for uvicorn.

``make serve`` runs ``uvicorn api.main:app`` on 127.0.0.1:8000 over the
database of ``DISPATCH_DATA_DIR`` / ``DISPATCH_DATABASE_URL``. The OpenAPI
document is at ``/api/v1/openapi.json``, the interactive docs at ``/docs``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute

from api import errors, limits
from api.deps import API_PREFIX
from api.jobs import JobService
from api.routes import api_router
from models.settings import Settings, get_settings

DESCRIPTION = """County delivery route planning and dispatch.

Log in with `POST /api/v1/login/access-token` (OAuth2 password form) and send
`Authorization: Bearer <token>`. Money is integer **fen**, weight kg, distance
metres, times of day seconds since midnight. Errors are
`application/problem+json`; invalid input lists every field (and file row).
Objects the caller may not see answer 404. Phones send `Idempotency-Key` on
order POSTs, so a retry is answered, not repeated.
"""


def _operation_id(route: APIRoute) -> str:
    tag = route.tags[0] if route.tags else "api"
    return f"{tag}-{route.name}"


def _document_write_errors(app: FastAPI) -> None:
    """Every write may answer 400 (bad body), 409 (conflict with stored data) and 413 (too large)."""
    base = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = base()
            for item in spec.get("paths", {}).values():
                for method, op in item.items():
                    if method in ("post", "patch", "put", "delete"):
                        for code, entry in errors.problem_responses(400, 409, 413).items():
                            op.setdefault("responses", {}).setdefault(str(code), entry)
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    """The application over ``settings`` (default: from the environment)."""
    s = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        if getattr(app.state, "jobs", None) is not None:  # a nested start (test clients): one owner
            yield
            return
        jobs = JobService(s)
        app.state.jobs = jobs
        jobs.start()
        try:
            yield
        finally:
            jobs.stop()
            app.state.jobs = None

    app = FastAPI(
        title="County dispatch",
        version="1.0.0",
        description=DESCRIPTION,
        openapi_url=f"{API_PREFIX}/openapi.json",
        generate_unique_id_function=_operation_id,
        lifespan=lifespan,
    )
    app.state.settings = s
    logging.getLogger("api").setLevel(s.log_level)
    errors.install(app)
    limits.install(app, s)
    app.include_router(api_router, prefix=API_PREFIX)
    _document_write_errors(app)
    return app


app = create_app()
