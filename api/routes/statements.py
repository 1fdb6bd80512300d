"""Monthly statements of monthly-settlement customers (PDF) and receivables ageing: finance and managers.

A customer the caller may not see is 404 (as everywhere); a role that sees the
customer but not its account gets 403; a cash-on-delivery customer has no
statement (409: they paid at each stop).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response
from sqlalchemy import select

from api.deps import CurrentUser, SessionDep, SettingsDep
from api.errors import ApiError, problem_responses
from api.policies import (
    local_today,
    may_read_statements,
    may_see_customer,
    todays_customer_ids,
)
from api.schemas.finance import AgeingPublic
from ledger.service import receivables_ageing, statement_pdf
from models.enums import PaymentTerms
from models.orm import Customer

router = APIRouter(tags=["statements"])
Code = Annotated[str, Path(min_length=1, max_length=13, description="Unified customer code.")]
PDF = "application/pdf"
PDF_RESPONSE = {
    200: {
        "description": "The document (PDF, embedded CJK font).",
        "content": {PDF: {"schema": {"type": "string", "format": "binary", "examples": ["%PDF-1.4 …"]}}},
    },
    **problem_responses(409),
}


@router.get("/customers/{code}/statement", response_class=Response, responses=PDF_RESPONSE)
def customer_statement(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    code: Code,
    month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM.")],
    lang: Literal["zh", "en"] = "zh",
) -> Response:
    """A monthly-settlement customer's statement of ``month``: every delivery, payment and correction."""
    c = session.scalar(select(Customer).where(Customer.code == code))
    todays = todays_customer_ids(session, user, local_today(settings)) if user.role == "driver" else None
    if c is None or not may_see_customer(user, c, todays=todays):
        raise ApiError(404, f"customer {code} not found")
    if not may_read_statements(user):
        raise ApiError(403, f"a {user.role.value} may not read statements")
    if c.payment_terms != PaymentTerms.MONTHLY:
        raise ApiError(409, f"customer {code} pays cash on delivery; statements are for monthly accounts")
    pdf = statement_pdf(session, code, month, lang=lang)
    name = f"statement-{code}-{month}{'-en' if lang == 'en' else ''}.pdf"
    return Response(pdf, media_type=PDF, headers={"Content-Disposition": f'inline; filename="{name}"'})


@router.get("/receivables/ageing")
def ageing(
    session: SessionDep,
    user: CurrentUser,
    as_of: Annotated[dt.date | None, Query(description="Default: the latest posting's day.")] = None,
) -> AgeingPublic:
    """Every customer's unpaid balance by age (0–30, 31–60, 61–90, over 90 days), oldest paid first."""
    if not may_read_statements(user):
        raise ApiError(403, f"a {user.role.value} may not read receivables")
    return AgeingPublic.model_validate(receivables_ageing(session, as_of))
