"""Engines and sessions: SQLite pragmas, one transaction per operation."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from threading import Lock
from typing import Any

from sqlalchemy import Engine, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.errors import DatabaseUnavailable
from models.settings import Settings, get_settings

FIRST_RUN = "run `make demo` or `dispatch db upgrade && dispatch scenario load` first"

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
    such as a customer's phone number). A SQLite file's folder is created here
    (``dispatch db upgrade`` makes a new database this way); sessions go through
    :func:`get_engine`, which refuses a database that is not there first.
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


def _sqlite_file(url: str | URL) -> Path | None:
    """The file of a SQLite URL (``None``: not SQLite, or in memory)."""
    u = make_url(url)
    if u.get_backend_name() != "sqlite" or not u.database or u.database == ":memory:":
        return None
    if u.database.startswith("file:"):
        return None
    return Path(u.database).resolve()


def where(url: str | URL) -> str:
    """The database as users name it: a SQLite file's path, else the URL without its password."""
    path = _sqlite_file(url)
    return str(path) if path else make_url(url).render_as_string(hide_password=True)


def _require_file(url: str | URL) -> None:
    path = _sqlite_file(url)
    if path is not None and (not path.is_file() or path.stat().st_size == 0):
        raise DatabaseUnavailable(f"找不到数据库 / no database at {path} — {FIRST_RUN}")


def _reason(exc: SQLAlchemyError) -> str:
    orig = getattr(exc, "orig", None) or exc
    lines = str(orig).strip().splitlines()
    return lines[0] if lines else type(orig).__name__


def check_database(engine: Engine, *, migrated: bool = True) -> None:
    """Raise :class:`DatabaseUnavailable` unless ``engine``'s database exists, answers and (when
    ``migrated``) has been migrated. A missing SQLite file is never created: it is checked first."""
    url = engine.url
    _require_file(url)
    try:
        with engine.connect() as conn:
            version = None
            if inspect(conn).has_table("alembic_version"):
                version = conn.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except SQLAlchemyError as exc:
        raise DatabaseUnavailable(
            f"无法连接数据库 / cannot open the database at {where(url)}: {_reason(exc)}"
        ) from None
    if migrated and not version:
        raise DatabaseUnavailable(
            f"数据库未初始化 / the database at {where(url)} is not migrated (no dispatch tables) "
            f"— {FIRST_RUN}"
        )


def require_database(url: str, *, migrated: bool = True) -> None:
    """:func:`check_database` for ``url`` with a throwaway engine (creates nothing)."""
    _require_file(url)
    engine = make_engine(url)
    try:
        check_database(engine, migrated=migrated)
    finally:
        engine.dispose()


def get_engine(settings: Settings | None = None) -> Engine:
    """The process-wide engine for ``settings`` (cached per URL).

    The first time per URL the database is checked (:func:`check_database`): a
    missing SQLite file, an unreachable server or a database never migrated
    raise :class:`DatabaseUnavailable` with what to run, and nothing is created.
    """
    url = (settings or get_settings()).effective_database_url
    with _LOCK:
        if url not in _ENGINES:
            _require_file(url)  # before make_engine, which would make the folder
            engine = make_engine(url)
            try:
                check_database(engine)
            except DatabaseUnavailable:
                engine.dispose()
                raise
            _ENGINES[url] = engine
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
