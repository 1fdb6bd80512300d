"""Shared fixtures: every data-layer test runs on SQLite and on PostgreSQL.

PostgreSQL comes from ``DISPATCH_TEST_PG_URL`` (a server URL; the database in
it is only used to connect). When ``CI`` is set and no URL is given, the
machine's server at 127.0.0.1:5432 is used, and if it cannot be reached the
whole run fails: in CI these tests must run, never skip. Outside CI the same
default is tried and the PostgreSQL cases are skipped if it is not there.

Each test session creates its own template databases (migrated; migrated and
loaded with the bundled county) and each test gets a fresh copy, dropped
afterwards.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from models import clock
from models.db import dispose_engines, session_scope
from models.migrate import upgrade
from models.settings import Settings
from tests.needs import check_marks, need

DEFAULT_PG = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
RUN_ID = uuid.uuid4().hex[:8]


def _pg_server_url() -> str | None:
    url = os.environ.get("DISPATCH_TEST_PG_URL")
    if url:
        return url
    if os.environ.get("CI") or _reachable(DEFAULT_PG):
        return DEFAULT_PG
    return None


def _reachable(url: str) -> bool:
    try:
        eng = create_engine(url, connect_args={"connect_timeout": 2})
        with eng.connect() as c:
            c.execute(text("select 1"))
        eng.dispose()
        return True
    except Exception:
        return False


PG_SERVER = _pg_server_url()

# ---------------------------------------------------------------- the clock
# No test depends on the real date: every test runs with the product clock set
# (models.clock; DISPATCH_CLOCK for the CLI, API servers and workers it starts).
# The default is the bundled county's delivery day; modules marked
# ``clock_dates`` run at every date below (the delivery day and months later).
_ZONE = ZoneInfo("Asia/Shanghai")
CLOCK_DEFAULT = dt.datetime(2026, 12, 1, 9, 0, tzinfo=_ZONE)
CLOCK_DATES = {
    "delivery-day": CLOCK_DEFAULT,
    "months-later": dt.datetime(2027, 4, 15, 9, 0, tzinfo=_ZONE),
}


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "clock_dates: run the module at every date of CLOCK_DATES (date-sensitive code)"
    )
    config.addinivalue_line(
        "markers", "needs(condition, why): skip when not met; fail under CI (tests/needs.py requires)"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    check_marks(item)  # before the test's fixtures: a missing extract or browser is said first


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A date-sensitive test runs at every date on SQLite and at the delivery day on PostgreSQL:
    the date does not depend on the database, and the suite stays within its time."""
    later = [d for d in CLOCK_DATES if d != "delivery-day"]
    drop = [i for i in items if "[pg-" in i.nodeid and any(f"-{d}]" in i.nodeid for d in later)]
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = [i for i in items if i not in drop]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if metafunc.definition.get_closest_marker("clock_dates") and "product_clock" in metafunc.fixturenames:
        metafunc.parametrize(
            "product_clock", list(CLOCK_DATES.values()), ids=list(CLOCK_DATES), indirect=True
        )


@pytest.fixture(autouse=True)
def product_clock(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[dt.datetime]:
    """The product clock for one test: ticking from a fixed instant (see CLOCK_DATES)."""
    at: dt.datetime = getattr(request, "param", CLOCK_DEFAULT)
    monkeypatch.setenv(clock.ENV, clock.spec_for(at))
    clock.set_clock(None)
    yield at
    clock.set_clock(None)


@pytest.fixture
def run_cli(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., object]]:
    """``run_cli(settings, "plan", "confirm", …)``: the ``dispatch`` command, in process, on ``settings``.

    Its result is typer's ``Result`` (``exit_code``, ``output``, ``stdout``)."""
    from typer.testing import CliRunner

    from models.settings import get_settings

    def run(settings: Settings, *args: str) -> object:
        monkeypatch.setenv("DISPATCH_DATABASE_URL", settings.effective_database_url)
        monkeypatch.setenv("DISPATCH_DATA_DIR", str(settings.data_dir))
        get_settings.cache_clear()
        from cli.main import app

        return CliRunner().invoke(app, list(args))

    yield run
    get_settings.cache_clear()


def set_product_clock(monkeypatch: pytest.MonkeyPatch, at: dt.datetime) -> None:
    """Move the product clock (this process and the processes it starts) to ``at``."""
    monkeypatch.setenv(clock.ENV, clock.spec_for(at))
    clock.set_clock(None)


def pytest_sessionstart(session: pytest.Session) -> None:
    if os.environ.get("CI") and (PG_SERVER is None or not _reachable(PG_SERVER)):
        raise pytest.UsageError(
            f"CI is set but PostgreSQL is not reachable at {PG_SERVER or DEFAULT_PG}; "
            "the PostgreSQL tests must run in CI"
        )


class PgAdmin:
    """Creates and drops the databases of this test session."""

    def __init__(self, server_url: str) -> None:
        self.server = make_url(server_url)
        self.engine = create_engine(server_url, isolation_level="AUTOCOMMIT")
        self.created: list[str] = []

    def url(self, name: str) -> str:
        return self.server.set(database=name).render_as_string(hide_password=False)

    def create(self, name: str, template: str | None = None) -> str:
        tmpl = f' TEMPLATE "{template}"' if template else ""
        with self.engine.connect() as c:
            c.execute(text(f'CREATE DATABASE "{name}"{tmpl}'))
        self.created.append(name)
        return self.url(name)

    def drop(self, name: str) -> None:
        with self.engine.connect() as c:
            c.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if name in self.created:
            self.created.remove(name)

    def close(self) -> None:
        for name in list(self.created):
            self.drop(name)
        self.engine.dispose()


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[PgAdmin | None]:
    if PG_SERVER is None:
        yield None
        return
    admin = PgAdmin(PG_SERVER)
    try:
        yield admin
    finally:
        dispose_engines()
        admin.close()


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "gw")


@pytest.fixture(scope="session")
def templates(tmp_path_factory: pytest.TempPathFactory, pg_admin: PgAdmin | None) -> dict[str, str]:
    """Migrated template databases, built lazily per backend and kind."""
    return {}


def _template(
    kind: str,
    backend: str,
    templates: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    pg_admin: PgAdmin | None,
) -> str:
    key = f"{backend}:{kind}"
    if key in templates:
        return templates[key]
    if backend == "sqlite":
        folder = tmp_path_factory.mktemp(f"tmpl-{kind}")
        url = f"sqlite:///{folder / 'template.db'}"
    else:
        assert pg_admin is not None
        url = pg_admin.create(f"dispatch_{RUN_ID}_{_worker()}_{kind}")
    upgrade(url)
    if kind == "county":
        from services.register import scenario_load

        scenario_load(Settings(database_url=url, data_dir=tmp_path_factory.mktemp("county-data")))
    dispose_engines()
    templates[key] = url
    return url


def _fresh_copy(
    template_url: str, backend: str, tmp_path: Path, pg_admin: PgAdmin | None
) -> tuple[str, str | None]:
    if backend == "sqlite":
        src = Path(make_url(template_url).database or "")
        dst = tmp_path / "test.db"
        shutil.copyfile(src, dst)
        return f"sqlite:///{dst}", None
    assert pg_admin is not None
    name = f"dispatch_{RUN_ID}_{_worker()}_{uuid.uuid4().hex[:8]}"
    tmpl = make_url(template_url).database
    return pg_admin.create(name, template=tmpl), name


BACKENDS = [
    pytest.param("sqlite", id="sqlite"),
    pytest.param("pg", id="pg", marks=pytest.mark.pg),
]


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "pg":
        need(PG_SERVER is not None, "no PostgreSQL server (set DISPATCH_TEST_PG_URL)")
    return str(request.param)


def _url_fixture(
    kind: str,
    backend: str,
    templates: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    pg_admin: PgAdmin | None,
) -> Iterator[str]:
    tmpl = _template(kind, backend, templates, tmp_path_factory, pg_admin)
    url, pg_name = _fresh_copy(tmpl, backend, tmp_path, pg_admin)
    try:
        yield url
    finally:
        dispose_engines()
        if pg_name and pg_admin is not None:
            pg_admin.drop(pg_name)


@pytest.fixture
def db_url(
    backend: str,
    templates: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    pg_admin: PgAdmin | None,
) -> Iterator[str]:
    """A fresh, migrated, empty database (SQLite and PostgreSQL)."""
    yield from _url_fixture("empty", backend, templates, tmp_path_factory, tmp_path, pg_admin)


@pytest.fixture
def county_url(
    backend: str,
    templates: dict[str, str],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    pg_admin: PgAdmin | None,
) -> Iterator[str]:
    """A fresh database holding the bundled county (SQLite and PostgreSQL)."""
    yield from _url_fixture("county", backend, templates, tmp_path_factory, tmp_path, pg_admin)


@pytest.fixture
def blank_url(backend: str, tmp_path: Path, pg_admin: PgAdmin | None) -> Iterator[str]:
    """A fresh database with no tables at all (for migration tests)."""
    if backend == "sqlite":
        yield f"sqlite:///{tmp_path / 'blank.db'}"
        dispose_engines()
        return
    assert pg_admin is not None
    name = f"dispatch_{RUN_ID}_{_worker()}_{uuid.uuid4().hex[:8]}"
    url = pg_admin.create(name)
    try:
        yield url
    finally:
        dispose_engines()
        pg_admin.drop(name)


@pytest.fixture
def settings(db_url: str, tmp_path: Path) -> Settings:
    """Settings over the fresh empty database, with a private data folder."""
    return Settings(database_url=db_url, data_dir=tmp_path / "data")


@pytest.fixture
def county_settings(county_url: str, tmp_path: Path) -> Settings:
    """Settings over a fresh copy of the bundled county."""
    return Settings(database_url=county_url, data_dir=tmp_path / "data")


@pytest.fixture
def session(settings: Settings) -> Iterator[object]:
    """One session over the empty database (the test commits or rolls back itself)."""
    from models.db import session_factory

    s = session_factory(settings)()
    try:
        yield s
    finally:
        s.close()


__all__ = ["session_scope"]


@pytest.fixture
def fresh_county(
    templates: dict[str, str], tmp_path_factory: pytest.TempPathFactory, pg_admin: PgAdmin | None
) -> Iterator[Callable[[], Settings]]:
    """A factory of fresh SQLite copies of the bundled county (for property tests: one per example)."""

    def make() -> Settings:
        tmpl = _template("county", "sqlite", templates, tmp_path_factory, pg_admin)
        folder = tmp_path_factory.mktemp("county-copy")
        url, _ = _fresh_copy(tmpl, "sqlite", folder, None)
        return Settings(database_url=url, data_dir=folder / "data")

    yield make
    dispose_engines()
