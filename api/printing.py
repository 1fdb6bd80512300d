"""Serving the printed documents (``services.printing``): note numbers first, then the document.

Printing gives every stop of the plan its delivery-note number (and a cash
receipt number from the driver's book) the first time. The API does that in a
short transaction of its own (:func:`number_notes`, the write lock taken at
once, retried if a concurrent print took the same numbers), then renders in a
second one and commits it (nothing new is written then, unless a receipt book
was issued in between). The map sheets are self-contained HTML with inline
script: they are served with their own Content-Security-Policy (no network,
unless online tiles are configured) in a sandbox, so the page cannot reach
the API's origin.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Response
from fastapi.responses import HTMLResponse
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from api.errors import problem_responses
from ledger.notes import ensure_notes
from ledger.tx import begin_write
from models.planning import Plan
from models.settings import Settings

T = TypeVar("T")
PDF = "application/pdf"
ATTEMPTS = 3


def _binary(media: str, description: str, example: str) -> dict[int | str, dict[str, Any]]:
    return {
        200: {
            "description": description,
            "content": {media: {"schema": {"type": "string", "format": "binary", "examples": [example]}}},
        }
    }


PDF_DOC = _binary(PDF, "The route pack (PDF, embedded CJK font).", "%PDF-1.4 …")
HTML_DOC = _binary("text/html", "A self-contained HTML map that works offline.", "<!DOCTYPE html>…")
DOC_ERRORS = problem_responses(409)


def number_notes(session: Session, plan_id: int) -> None:
    """Give the plan's stops their note (and receipt) numbers, in a transaction of its own."""
    for attempt in range(ATTEMPTS):
        try:
            begin_write(session)
            plan = session.get(Plan, plan_id)
            if plan is not None:
                ensure_notes(session, plan)
            session.commit()
            return
        except (IntegrityError, OperationalError):
            session.rollback()
            if attempt == ATTEMPTS - 1:
                raise


def render(session: Session, plan_id: int, make: Callable[[], T]) -> T:
    """Number the notes, then ``make()`` the document and commit what it wrote."""
    number_notes(session, plan_id)
    try:
        out = make()
        session.commit()
        return out
    except BaseException:
        session.rollback()
        raise


def sheet_csp(settings: Settings) -> str:
    """Inline script and style, images from the page itself (online tiles: from https too)."""
    img = "data: blob:" + (" https:" if settings.map_tile_list else "")
    return (
        "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
        f"img-src {img}; font-src data:; frame-ancestors 'none'; sandbox allow-scripts allow-modals"
    )


def html_response(html: str, settings: Settings, filename: str) -> HTMLResponse:
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": sheet_csp(settings),
            "Content-Disposition": f'inline; filename="{filename}"',
        },
    )


def pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(pdf, media_type=PDF, headers={"Content-Disposition": f'inline; filename="{filename}"'})
