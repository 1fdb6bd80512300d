"""Transaction helpers shared by every ledger write: the write lock, row locks, content hashes.

SQLite: Python's sqlite3 module opens a transaction lazily at the first
INSERT/UPDATE/DELETE, so the reads before it run outside any transaction and
a check-then-write could race another process. :func:`begin_write` therefore
opens the transaction with ``BEGIN IMMEDIATE`` (the database's write lock,
waited for up to the engine's busy timeout), so every ledger operation on
SQLite runs alone from its first read to its commit.

PostgreSQL: transactions run at READ COMMITTED; :func:`lock` takes a row lock
(``SELECT … FOR UPDATE``) on the object an operation is about (the stop, the
staff member, the receipt book, the stock rows, in that order), so concurrent
submissions for the same object queue behind one another and each one's reads
see what the previous one committed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

from sqlalchemy import Select
from sqlalchemy.orm import Session

from models import clock
from models.errors import InputError


def dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def begin_write(session: Session) -> None:
    """Take the database's write lock now (SQLite), unless this transaction already writes."""
    if dialect(session) != "sqlite":
        return
    conn = session.connection()
    raw = conn.connection.dbapi_connection
    if raw is not None and not getattr(raw, "in_transaction", True):
        conn.exec_driver_sql("BEGIN IMMEDIATE")


def lock(session: Session, stmt: Select[Any]) -> Any:
    """The first row of ``stmt``, locked until commit on PostgreSQL (SQLite is already serialised)."""
    if dialect(session) == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt.execution_options(populate_existing=True)).first()


def content_hash(obj: Any) -> str:
    """SHA-256 of the canonical JSON of ``obj`` (sorted keys, no spaces)."""
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def strict_fen(value: object, field: str, *, row: int | None = None, allow_negative: bool = False) -> int:
    """Money at the border: an ``int`` of fen; floats, bools and text are refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError.single(
            field, "money must be an integer number of fen (no floats)", value=value, row=row
        )
    if value < 0 and not allow_negative:
        raise InputError.single(field, "must not be negative", value=value, row=row)
    return value


def local_day(at: dt.datetime) -> dt.date:
    """The installation's local calendar day of an instant (see :mod:`models.clock`)."""
    return clock.local_day(at)


__all__ = ["begin_write", "content_hash", "dialect", "local_day", "lock", "strict_fen"]
