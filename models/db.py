"""Engines and sessions: SQLite pragmas, one transaction per operation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Lock
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from models.settings import Settings, get_settings

_ENGINES: dict[str, Engine] = {}
_LOCK = Lock()


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    # WAL: readers never block the writer; synchronous=FULL: a committed
    # transaction survives power loss and SIGKILL (fsync on every commit).
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=FULL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, FULL sync and foreign keys.

    SQL parameters are hidden from error messages (they can hold personal data
    such as a customer's phone number).
    """
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:":
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        # Let SQLite start transactions itself in IMMEDIATE-free default mode but
        # make SQLAlchemy emit BEGIN so that savepoints work as documented.
        return engine
    return create_engine(url, pool_pre_ping=True, hide_parameters=True, **kwargs)


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for ``settings`` (cached per URL)."""
    url = (settings or get_settings()).effective_database_url
    with _LOCK:
        if url not in _ENGINES:
            _ENGINES[url] = make_engine(url)
        return _ENGINES[url]


def dispose_engines() -> None:
    """Close every cached engine (tests, forked workers)."""
    with _LOCK:
        for engine in _ENGINES.values():
            engine.dispose()
        _ENGINES.clear()


def session_factory(settings: Settings | None = None) -> sessionmaker[Session]:
    """Sessions bound to the settings' engine; every mapping module is registered first."""
    import models.all_mappings  # noqa: F401  (all tables mapped, enum attributes coerced)

    return sessionmaker(bind=get_engine(settings), expire_on_commit=False)


@contextmanager
def session_scope(settings: Settings | None = None) -> Iterator[Session]:
    """One transaction: commit when the block ends, roll back on any exception."""
    session = session_factory(settings)()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
