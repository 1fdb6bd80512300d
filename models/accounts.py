"""Mappings of the service API: user accounts, plan jobs, idempotency keys.

* ``users``: who may log in, with one role; a driver or store manager is a
  staff member (``staff_id``), which is what per-object access keys on.
* ``plan_jobs``: an asynchronous planning run, a row so that a restart never
  loses it (``queued → running → succeeded | failed | cancelled``).
* ``idempotency_keys``: a phone's ``Idempotency-Key`` with the response it
  got, kept at least 24 h so a retried POST is answered, not repeated.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.orm import Base, Staff, _enum, _utcnow


class UserRole(StrEnum):
    """What a user may do; see ``api/policies.py`` for the per-object rules."""

    ADMIN = "admin"
    DISPATCHER = "dispatcher"
    DRIVER = "driver"
    STORE_MANAGER = "store_manager"
    FINANCE = "finance"
    MANAGER = "manager"
    CUSTOMER_SERVICE = "customer_service"


# Roles whose access is scoped by the staff member they are.
STAFF_SCOPED_ROLES = frozenset({UserRole.DRIVER, UserRole.STORE_MANAGER})


class JobState(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    CANCELLED = "cancelled"


FINISHED_JOB_STATES = frozenset({JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED})


class IdempotencyState(StrEnum):
    IN_FLIGHT = "in_flight"
    DONE = "done"


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[UserRole] = mapped_column(_enum(UserRole))
    staff_id: Mapped[int | None] = mapped_column(ForeignKey("staff.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)

    staff: Mapped[Staff | None] = relationship()

    __table_args__ = (
        CheckConstraint(
            "role NOT IN ('driver', 'store_manager') OR staff_id IS NOT NULL", name="staff_for_scoped_role"
        ),
        CheckConstraint("length(username) >= 1", name="username_len"),
    )


class PlanJob(Base):
    """One asynchronous planning run for a delivery day."""

    __tablename__ = "plan_jobs"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    delivery_date: Mapped[dt.date | None] = mapped_column(Date)
    params: Mapped[dict[str, Any]] = mapped_column(default=dict)
    state: Mapped[JobState] = mapped_column(_enum(JobState), default=JobState.QUEUED)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    message: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any] | None] = mapped_column()
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    executor: Mapped[str] = mapped_column(String(16), default="process")
    task_id: Mapped[str | None] = mapped_column(String(64))
    prepared: Mapped[dict[str, Any] | None] = mapped_column()
    cancel_requested: Mapped[bool] = mapped_column(Boolean, default=False)
    store_claim: Mapped[str | None] = mapped_column(String(128))
    created_by: Mapped[str] = mapped_column(String(64), default="system")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    started_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    worker: Mapped[str | None] = mapped_column(String(128))
    heartbeat: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        CheckConstraint("progress BETWEEN 0 AND 100", name="progress"),
        CheckConstraint("executor IN ('process', 'celery')", name="executor"),
        Index("ix_plan_jobs_state", "state"),
        Index("ix_plan_jobs_delivery_date", "delivery_date"),
    )


class IdempotencyKey(Base):
    """A client's ``Idempotency-Key``: claimed in flight, completed with the write's response."""

    __tablename__ = "idempotency_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    method_path: Mapped[str] = mapped_column(String(300))
    request_hash: Mapped[str] = mapped_column(String(64))
    state: Mapped[IdempotencyState] = mapped_column(_enum(IdempotencyState))
    response_status: Mapped[int | None] = mapped_column(Integer)
    response_body: Mapped[str | None] = mapped_column(Text)
    response_headers: Mapped[dict[str, Any] | None] = mapped_column()
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=_utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        UniqueConstraint("user_id", "key"),
        Index("ix_idempotency_keys_expires_at", "expires_at"),
    )


__all__ = [
    "FINISHED_JOB_STATES",
    "STAFF_SCOPED_ROLES",
    "IdempotencyKey",
    "IdempotencyState",
    "JobState",
    "PlanJob",
    "User",
    "UserRole",
]
