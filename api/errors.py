"""Errors as ``application/problem+json`` (RFC 9457), naming the field (and row, for imports).

Every error body has ``type``, ``title``, ``status``, ``detail`` and
``instance``; input errors add ``errors``: one ``{field, row, value, reason}``
per problem found. Internal errors say nothing about their cause (it is
logged without request data, so no personal data reaches the log).
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy.exc import DataError, IntegrityError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.errors import Conflict, DispatchError, FieldError, InputError, NotFound, RoutingError

PROBLEM = "application/problem+json"
log = logging.getLogger("api")

TITLES = {
    400: "Bad request",
    401: "Not authenticated",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    413: "Request body too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Internal error",
}


class FieldProblem(BaseModel):
    field: str = Field(examples=["customer_code"])
    row: int | None = Field(default=None, examples=[3])
    value: Any = Field(default=None, examples=["4399019999999"])
    reason: str = Field(examples=["unknown customer"])


class Problem(BaseModel):
    """An error response (``application/problem+json``)."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "about:blank",
                    "title": "Invalid input",
                    "status": 422,
                    "detail": "orders.csv: nothing imported: 1 errors",
                    "instance": "/api/v1/orders/import",
                    "errors": [
                        {
                            "field": "customer_code",
                            "row": 3,
                            "value": "4399019999999",
                            "reason": "unknown customer",
                        }
                    ],
                }
            ]
        }
    )

    type: str = "about:blank"
    title: str
    status: int
    detail: str = ""
    instance: str = ""
    errors: list[FieldProblem] | None = None


def _problem_content() -> dict[str, Any]:
    return {PROBLEM: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def problem_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries for the given error statuses."""
    return {c: {"description": TITLES.get(c, "Error"), "content": _problem_content()} for c in codes}


def problem(
    status: int,
    detail: str = "",
    *,
    instance: str = "",
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
        "instance": instance,
    }
    if errors is not None:
        body["errors"] = [_field(e) for e in errors]
    return JSONResponse(body, status_code=status, media_type=PROBLEM, headers=headers)


MAX_VALUE_CHARS = 200
_INDEX = re.compile(r"\[(\d+)\]")


def _value(value: Any) -> Any:
    """The offending value as sent, shortened (a bad image must not come back as 5 MB of text)."""
    if value is not None and not isinstance(value, str | int | float | bool):
        value = str(value)
    if isinstance(value, str) and len(value) > MAX_VALUE_CHARS:
        value = value[:MAX_VALUE_CHARS] + "…"
    return value


def _field(e: FieldError) -> dict[str, Any]:
    # one spelling of a path in every answer: "lines.0.product" (the ledger says "lines[0].product")
    return {"field": _INDEX.sub(r".\1", e.field), "row": e.row, "value": _value(e.value), "reason": e.reason}


def _loc_field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "form")]
    return ".".join(parts) or (str(loc[0]) if loc else "request")


def _validation_errors(exc: RequestValidationError) -> list[FieldError]:
    out = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        raw = err.get("input")
        value = _value(raw) if isinstance(raw, str | int | float | bool) or raw is None else None
        out.append(FieldError(field=_loc_field(loc), reason=str(err.get("msg", "invalid")), value=value))
    return out


class CatchAll:
    """Answer any unhandled error with a 500 problem, logging only its type and where.

    Messages and tracebacks may quote request data or SQL parameters (a phone
    number, an address): they never reach the log.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(msg: Message) -> None:
            nonlocal started
            if msg["type"] == "http.response.start":
                started = True
            await send(msg)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            where = traceback.extract_tb(exc.__traceback__)[-1]
            log.error(
                "internal error on %s %s: %s at %s:%s",
                scope.get("method"),
                scope.get("path"),
                type(exc).__name__,
                where.filename.rsplit("/", 1)[-1],
                where.lineno,
            )
            if not started:
                await problem(500, "internal error", instance=str(scope.get("path", "")))(
                    scope, receive, send
                )


class ApiError(Exception):
    """Raised by routes and dependencies for plain HTTP errors (401, 403, 404 by policy, 409, 429)."""

    def __init__(self, status: int, detail: str = "", *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail
        self.headers = headers


def install(app: FastAPI) -> None:
    """Register the handlers on ``app``."""

    def path(request: Request) -> str:
        return request.url.path

    @app.exception_handler(ApiError)
    async def _api(request: Request, exc: ApiError) -> JSONResponse:
        return problem(exc.status, exc.detail, instance=path(request), headers=exc.headers)

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError) -> JSONResponse:
        return problem(422, str(exc), instance=path(request), errors=exc.errors)

    @app.exception_handler(NotFound)
    async def _not_found(request: Request, exc: NotFound) -> JSONResponse:
        return problem(404, str(exc), instance=path(request))

    @app.exception_handler(Conflict)
    async def _conflict(request: Request, exc: Conflict) -> JSONResponse:
        return problem(409, str(exc), instance=path(request))

    @app.exception_handler(RoutingError)
    async def _routing(request: Request, exc: RoutingError) -> JSONResponse:
        return problem(422, str(exc), instance=path(request))

    @app.exception_handler(DispatchError)
    async def _dispatch(request: Request, exc: DispatchError) -> JSONResponse:
        return problem(422, str(exc), instance=path(request))

    @app.exception_handler(IntegrityError)
    async def _integrity(request: Request, exc: IntegrityError) -> JSONResponse:
        return problem(409, "the change conflicts with stored data", instance=path(request))

    @app.exception_handler(DataError)
    async def _data(request: Request, exc: DataError) -> JSONResponse:
        # e.g. a NUL character or an out-of-range number that the database refuses
        return problem(
            422, "a value cannot be stored (invalid character or out of range)", instance=path(request)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        errors = _validation_errors(exc)
        return problem(422, f"{len(errors)} invalid field(s)", instance=path(request), errors=errors)

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        detail = exc.detail if isinstance(exc.detail, str) else str(jsonable_encoder(exc.detail))
        return problem(exc.status_code, detail, instance=path(request), headers=getattr(exc, "headers", None))

    app.add_middleware(CatchAll)
