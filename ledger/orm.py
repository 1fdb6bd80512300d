"""Mappings of the ledger: receipt books, stop outcomes, accounts, postings, entries, cash, flags.

Every table here is append-only: the migration installs triggers on SQLite
and PostgreSQL that refuse UPDATE and DELETE, so a correction is always a new
row (a new outcome version, a reversing posting, a new flag event).

The double-entry core follows TigerBeetle and Formance: a *posting* (a
transfer/transaction) is identified by a client-generated id and an
idempotency key, and groups two or more *entries* whose signed integer fen
amounts sum to zero (positive = debit, negative = credit). Entries are
inserted first and the posting row last; a trigger on the posting checks that
its entries balance, and the entries' foreign key to the posting is deferred
to commit, so an unbalanced or half-written posting can never be committed.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from models.orm import Base, _enum, _utcnow
from models.types import UtcDateTime


class AccountType(StrEnum):
    RECEIVABLE = "receivable"  # per customer: what they owe (debit balance)
    CASH = "cash"  # per driver / store staff, per store, the centre: cash on hand
    BANK = "bank"  # the centre's bank account
    REVENUE = "revenue"  # sales; other income (credit balance)
    SUSPENSE = "suspense"  # per staff: cash differences at handover pending a finance decision
    EXPENSE = "expense"  # cash differences written off (debit balance)


class PostingKind(StrEnum):
    DELIVERY = "delivery"  # goods delivered: receivable +, revenue −
    CASH_COLLECTED = "cash_collected"  # cash at the stop: staff cash +, receivable −
    HANDOVER = "handover"  # end of day: centre / store cash +, staff cash −
    REMITTANCE = "remittance"  # store → centre: centre cash +, store cash −
    PAYMENT = "payment"  # monthly account paid: bank +, receivable −
    REVERSAL = "reversal"  # mirrors a posting with every sign swapped
    # cash differences at handover and finance's decisions on them (migration 0006)
    CASH_DIFFERENCE = "cash_difference"  # short: suspense +, staff cash −; over: staff cash +, suspense −
    SHORTFALL_CHARGED = "shortfall_charged"  # staff receivable +, suspense −
    SHORTFALL_WRITTEN_OFF = "shortfall_written_off"  # write-off expense +, suspense −
    OVERAGE_INCOME = "overage_income"  # suspense +, other income −
    OVERAGE_RETURNED = "overage_returned"  # suspense +, centre / store cash −
    STAFF_REPAYMENT = "staff_repayment"  # centre / store cash +, staff receivable −


class OutcomeStatus(StrEnum):
    DELIVERED = "delivered"
    SHORT = "short"
    REFUSED = "refused"


class PaymentMethod(StrEnum):
    COD = "cod"
    MONTHLY = "monthly"


class ReceiptEventKind(StrEnum):
    ASSIGNED = "assigned"  # handed out for a delivery note; never handed out again
    VOID = "void"  # spoilt or cancelled; recorded so it is not a gap


class CashDecisionAction(StrEnum):
    """What finance decided about a cash difference at handover (or a staff member's repayment)."""

    CHARGE = "charge"  # a shortfall becomes the staff member's debt
    WRITE_OFF = "write_off"  # a shortfall is the company's loss
    OTHER_INCOME = "other_income"  # an overage is kept as other income
    RETURN = "return"  # an overage is paid back (to the staff member or the customer)
    REPAY = "repay"  # the staff member pays a charged shortfall back in cash


class FlagStatus(StrEnum):
    OPEN = "open"
    EXPLAINED = "explained"
    RESOLVED = "resolved"


class ReceiptBook(Base):
    """A numbered pad of cash receipts issued to a staff member or to a store."""

    __tablename__ = "receipt_books"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    first_number: Mapped[int] = mapped_column(BigInteger)
    last_number: Mapped[int] = mapped_column(BigInteger)
    issued_on: Mapped[dt.date] = mapped_column(Date)
    issued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    issued_by: Mapped[str] = mapped_column(String(64), default="system")
    note: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("(staff_id IS NULL) <> (depot_id IS NULL)", name="holder"),
        CheckConstraint(
            "first_number > 0 AND last_number >= first_number AND last_number - first_number < 100000",
            name="range",
        ),
        Index("ix_receipt_books_staff", "staff_id"),
    )


class ReceiptEvent(Base):
    """A receipt number assigned to a delivery note, or voided."""

    __tablename__ = "receipt_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    book_id: Mapped[int] = mapped_column(ForeignKey("receipt_books.id"))
    number: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[ReceiptEventKind] = mapped_column(_enum(ReceiptEventKind))
    on_date: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    actor: Mapped[str] = mapped_column(String(64), default="system")

    __table_args__ = (
        Index(
            "uq_receipt_events_assigned",
            "number",
            unique=True,
            sqlite_where=text("kind = 'assigned'"),
            postgresql_where=text("kind = 'assigned'"),
        ),
        Index(
            "uq_receipt_events_void",
            "number",
            unique=True,
            sqlite_where=text("kind = 'void'"),
            postgresql_where=text("kind = 'void'"),
        ),
        Index("ix_receipt_events_book", "book_id", "number"),
    )


class Media(Base):
    """A signature or photo, stored once by content (sha256) inside the database.

    Kept in the database rather than as files under ``data_dir`` so that an
    outcome and its images commit in the same transaction: a crash can never
    leave an outcome without its signature, nor an orphan file.
    """

    __tablename__ = "outcome_media"

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    mime: Mapped[str] = mapped_column(String(32))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    __table_args__ = (CheckConstraint("size > 0 AND size <= 5242880", name="size"),)


class StopOutcome(Base):
    """What happened at a planned stop: one version per write, a correction supersedes."""

    __tablename__ = "stop_outcomes"

    id: Mapped[int] = mapped_column(primary_key=True)
    stop_id: Mapped[int] = mapped_column(ForeignKey("plan_stops.id"))
    version: Mapped[int] = mapped_column(Integer)
    supersedes_id: Mapped[int | None] = mapped_column(ForeignKey("stop_outcomes.id"), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    status: Mapped[OutcomeStatus] = mapped_column(_enum(OutcomeStatus))
    lines: Mapped[list[dict[str, Any]]] = mapped_column()
    signed: Mapped[bool] = mapped_column(Boolean)
    signer_name: Mapped[str | None] = mapped_column(String(64))
    not_signed_reason: Mapped[str | None] = mapped_column(Text)
    signature_media_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_media.id"))
    photo_media_id: Mapped[int | None] = mapped_column(ForeignKey("outcome_media.id"))
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime())
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    payment_method: Mapped[PaymentMethod | None] = mapped_column(_enum(PaymentMethod))  # None: replenishment
    billed_fen: Mapped[int] = mapped_column(BigInteger)
    cash_collected_fen: Mapped[int] = mapped_column(BigInteger)
    receipt_number: Mapped[str | None] = mapped_column(String(32))
    stock_movement_ids: Mapped[list[int] | None] = mapped_column(JSON)
    correction_reason: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    __table_args__ = (
        UniqueConstraint("stop_id", "version"),
        CheckConstraint("version >= 1", name="version"),
        CheckConstraint("(version = 1) = (supersedes_id IS NULL)", name="supersedes"),
        CheckConstraint("billed_fen >= 0 AND cash_collected_fen >= 0", name="money"),
        CheckConstraint("signed OR not_signed_reason IS NOT NULL", name="signature"),
        CheckConstraint("version = 1 OR correction_reason IS NOT NULL", name="correction_reason"),
        Index("ix_stop_outcomes_receipt", "receipt_number"),
    )


class LedgerAccount(Base):
    """An account of the double-entry ledger; its balance is the sum of its entries."""

    __tablename__ = "ledger_accounts"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    type: Mapped[AccountType] = mapped_column(_enum(AccountType))
    name: Mapped[str] = mapped_column(String(100), default="")
    customer_id: Mapped[int | None] = mapped_column(ForeignKey("customers.id"))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)


class Posting(Base):
    """One balanced money movement (TigerBeetle's transfer, Formance's transaction)."""

    __tablename__ = "ledger_postings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[PostingKind] = mapped_column(_enum(PostingKind))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    reverses_posting_id: Mapped[str | None] = mapped_column(ForeignKey("ledger_postings.id"), unique=True)
    value_date: Mapped[dt.date] = mapped_column(Date)
    entry_count: Mapped[int] = mapped_column(Integer)
    outcome_id: Mapped[int | None] = mapped_column(ForeignKey("stop_outcomes.id"))
    handover_id: Mapped[int | None] = mapped_column(ForeignKey("cash_handovers.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    memo: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (
        CheckConstraint("entry_count >= 2", name="entry_count"),
        CheckConstraint("(kind = 'reversal') = (reverses_posting_id IS NOT NULL)", name="reversal"),
        Index("ix_ledger_postings_value_date", "value_date"),
        Index("ix_ledger_postings_outcome", "outcome_id"),
    )


class Entry(Base):
    """One leg of a posting: a signed amount in fen on one account (positive = debit)."""

    __tablename__ = "ledger_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    posting_id: Mapped[str] = mapped_column(
        ForeignKey("ledger_postings.id", deferrable=True, initially="DEFERRED")
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("ledger_accounts.id"))
    amount_fen: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (
        CheckConstraint("amount_fen <> 0", name="nonzero"),
        Index("ix_ledger_entries_account", "account_id"),
        Index("ix_ledger_entries_posting", "posting_id"),
    )


class Handover(Base):
    """End of day: a driver's (or store staff's) counted cash and returned signed notes."""

    __tablename__ = "cash_handovers"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    on_date: Mapped[dt.date] = mapped_column(Date)
    to_depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    counted_fen: Mapped[int] = mapped_column(BigInteger)
    denominations: Mapped[dict[str, Any] | None] = mapped_column()
    notes_returned: Mapped[int] = mapped_column(Integer)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    __table_args__ = (
        CheckConstraint("counted_fen >= 0 AND notes_returned >= 0", name="amounts"),
        Index("ix_cash_handovers_day", "on_date", "staff_id"),
    )


class CashDecision(Base):
    """Finance's decision on a staff member's cash difference of one day, or a repayment; never edited.

    Each row has its balanced posting (``posting_id``); ``difference_date`` is
    the handover day the decision is about (none for a repayment, which pays
    the oldest charged shortfalls first). The reason is required.
    """

    __tablename__ = "cash_decisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    staff_id: Mapped[int] = mapped_column(ForeignKey("staff.id"))
    action: Mapped[CashDecisionAction] = mapped_column(_enum(CashDecisionAction))
    difference_date: Mapped[dt.date | None] = mapped_column(Date)
    value_date: Mapped[dt.date] = mapped_column(Date)
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(Text)
    depot_id: Mapped[int | None] = mapped_column(ForeignKey("depots.id"))  # the cash desk (return, repay)
    posting_id: Mapped[str] = mapped_column(ForeignKey("ledger_postings.id"), unique=True)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    __table_args__ = (
        CheckConstraint("amount_fen > 0", name="amount"),
        CheckConstraint("length(trim(reason)) > 0", name="reason"),
        CheckConstraint("(action = 'repay') = (difference_date IS NULL)", name="difference_date"),
        Index("ix_cash_decisions_staff_day", "staff_id", "difference_date"),
    )


class StoreReport(Base):
    """A store's report of its day's execution to the service centre (the latest one counts)."""

    __tablename__ = "store_reports"

    id: Mapped[int] = mapped_column(primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(160), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    depot_id: Mapped[int] = mapped_column(ForeignKey("depots.id"))
    on_date: Mapped[dt.date] = mapped_column(Date)
    stops: Mapped[int] = mapped_column(Integer)
    delivered_cases: Mapped[int] = mapped_column(Integer)
    cash_fen: Mapped[int] = mapped_column(BigInteger)
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    __table_args__ = (
        CheckConstraint("stops >= 0 AND delivered_cases >= 0 AND cash_fen >= 0", name="amounts"),
        Index("ix_store_reports_day", "on_date", "depot_id"),
    )


class Flag(Base):
    """A reconciliation difference finance has acted on (created at its first status change)."""

    __tablename__ = "ledger_flags"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    on_date: Mapped[dt.date] = mapped_column(Date)
    kind: Mapped[str] = mapped_column(String(32))
    route: Mapped[str | None] = mapped_column(String(40))
    stop: Mapped[str | None] = mapped_column(String(40))
    amount_fen: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)


class FlagEvent(Base):
    """A status change of a flag, with finance's comment: the flag's history, never edited."""

    __tablename__ = "ledger_flag_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    flag_id: Mapped[int] = mapped_column(ForeignKey("ledger_flags.id"))
    status: Mapped[FlagStatus] = mapped_column(_enum(FlagStatus))
    comment: Mapped[str] = mapped_column(Text)
    actor: Mapped[str] = mapped_column(String(64))
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime(), default=_utcnow)

    __table_args__ = (Index("ix_ledger_flag_events_flag", "flag_id"),)


# The tables whose rows are never updated or deleted (triggers in migrations 0004 and 0006).
APPEND_ONLY_TABLES: tuple[str, ...] = (
    "receipt_books",
    "receipt_events",
    "outcome_media",
    "stop_outcomes",
    "ledger_accounts",
    "ledger_postings",
    "ledger_entries",
    "cash_handovers",
    "store_reports",
    "ledger_flags",
    "ledger_flag_events",
    "cash_decisions",  # migration 0006
)

__all__ = [
    "APPEND_ONLY_TABLES",
    "AccountType",
    "CashDecision",
    "CashDecisionAction",
    "Entry",
    "Flag",
    "FlagEvent",
    "FlagStatus",
    "Handover",
    "LedgerAccount",
    "Media",
    "OutcomeStatus",
    "PaymentMethod",
    "Posting",
    "PostingKind",
    "ReceiptBook",
    "ReceiptEvent",
    "ReceiptEventKind",
    "StopOutcome",
    "StoreReport",
]
