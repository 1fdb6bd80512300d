"""The ledger's service API: what the CLI, the API and the web app call.

Every function takes an open SQLAlchemy session and works inside its
transaction (the caller commits: one operation, one transaction); none
commits by itself. Writes are idempotent on their ``idempotency_key``. Input
models reject floats for money (:mod:`ledger.schemas`). Errors are the
project's family: :class:`~models.errors.InputError` (names field and row),
:class:`~models.errors.Conflict` (key reused for other content; outcome
exists; overlap), :class:`~models.errors.NotFound`.

Writes::

    record_outcome(session, OutcomeIn, *, idempotency_key, actor) -> OutcomeResult
    correct_outcome(session, OutcomeIn, *, reason, idempotency_key, actor) -> OutcomeResult
    record_handover(session, HandoverIn, *, idempotency_key, actor) -> dict
    record_store_report(session, StoreReportIn, *, idempotency_key, actor) -> dict
    record_remittance(session, RemittanceIn, *, idempotency_key, actor) -> dict
    record_payment(session, PaymentIn, *, idempotency_key, actor) -> dict
    charge_shortfall / write_off_shortfall / overage_to_income / return_overage(
        session, CashDecisionIn, *, idempotency_key, actor) -> dict
    record_staff_repayment(session, RepaymentIn, *, idempotency_key, actor) -> dict
    set_flag_status(session, flag_id, *, status, comment, actor) -> dict
    assign_receipt_number(session, *, staff_id, on_date) -> str | None
    issue_book(session, *, first, last, staff_code=None, store_code=None, on_date=None, actor) -> dict
    void_receipt(session, number, *, reason, on_date, actor) -> dict
    import_outcomes(session, path, *, actor) -> dict

Reads::

    reconcile(session, date=None) -> dict
    cash_differences(session, *, staff=None, day=None, pending_only=False) -> list[dict]
    statement(session, customer, month) -> dict;  statement_pdf(session, customer, month, lang=) -> bytes
    receivables_ageing(session, as_of=None) -> dict
    outcome_history(session, stop_code) -> list[dict]
    list_books(session, holder=None) -> list[dict]
    balances(session, as_of=None) -> dict[account code, fen];  check_ledger(session) -> dict
"""

from __future__ import annotations

from ledger.cash import record_handover, record_payment, record_remittance, record_store_report
from ledger.flags import flag_history, set_flag_status
from ledger.imports import import_outcomes
from ledger.outcomes import correct_outcome, outcome_history, record_outcome
from ledger.postings import balances, check_ledger
from ledger.receipts import assign_receipt_number, issue_book, list_books, void_receipt
from ledger.reconcile import reconcile
from ledger.schemas import (
    CashDecisionIn,
    HandoverIn,
    LineIn,
    OutcomeIn,
    OutcomeResult,
    PaymentIn,
    RemittanceIn,
    RepaymentIn,
    StoreReportIn,
)
from ledger.shortfalls import (
    cash_differences,
    charge_shortfall,
    overage_to_income,
    record_staff_repayment,
    return_overage,
    write_off_shortfall,
)
from ledger.statements import receivables_ageing, statement, statement_pdf

__all__ = [
    "CashDecisionIn",
    "HandoverIn",
    "LineIn",
    "OutcomeIn",
    "OutcomeResult",
    "PaymentIn",
    "RemittanceIn",
    "RepaymentIn",
    "StoreReportIn",
    "assign_receipt_number",
    "balances",
    "cash_differences",
    "charge_shortfall",
    "check_ledger",
    "correct_outcome",
    "flag_history",
    "import_outcomes",
    "issue_book",
    "list_books",
    "outcome_history",
    "overage_to_income",
    "receivables_ageing",
    "reconcile",
    "record_handover",
    "record_outcome",
    "record_payment",
    "record_remittance",
    "record_staff_repayment",
    "record_store_report",
    "return_overage",
    "set_flag_status",
    "statement",
    "statement_pdf",
    "void_receipt",
    "write_off_shortfall",
]
