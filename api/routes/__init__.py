"""One module per resource; ``api_router`` assembles them under ``/api/v1``.

Phase 1: accounts, register, orders, plans and routes. Phase 2: stops and their
outcomes, cash (handovers, store reports, remittances, payments),
reconciliation and flags, statements and ageing, reports; the routes' printed
documents. Every module asks ``api.policies``.
"""

from __future__ import annotations

from fastapi import APIRouter

from api.errors import problem_responses
from api.routes import (
    backlog,
    cash,
    consolidations,
    customers,
    depots,
    login,
    orders,
    plans,
    products,
    reconciliation,
    reports,
    routes,
    staff,
    statements,
    stops,
    townships,
    users,
    vehicles,
)

# Every authenticated operation may answer these.
AUTH_ERRORS = problem_responses(401, 403, 404, 422)

api_router = APIRouter()
api_router.include_router(login.router)
for module in (
    users,
    townships,
    depots,
    products,
    vehicles,
    staff,
    customers,
    orders,
    consolidations,
    backlog,
    plans,
    routes,
    stops,
    cash,
    reconciliation,
    statements,
    reports,
):
    api_router.include_router(module.router, responses=AUTH_ERRORS)
