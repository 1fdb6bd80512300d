"""`dispatch network import|info` and `dispatch matrix`: JSON contracts and one-line errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cli.main import app
from models import orm
from models.db import session_scope
from models.settings import Settings, get_settings
from tests.needs import requires

ANDORRA = Path(__file__).resolve().parents[2] / "shared" / "data" / "osm" / "andorra.osm.pbf"
runner = CliRunner()


def _use(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> Iterator[None]:
    monkeypatch.setenv("DISPATCH_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("DISPATCH_DATA_DIR", str(settings.data_dir))
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    for _ in _use(monkeypatch, settings):
        yield settings


@pytest.fixture
def county_env(county_settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Settings]:
    for _ in _use(monkeypatch, county_settings):
        yield county_settings


@requires(ANDORRA.is_file(), f"shared Andorra extract not present at {ANDORRA}")
def test_import_then_info_json(cli_env: Settings) -> None:
    empty = runner.invoke(app, ["network", "info", "--json"])
    assert empty.exit_code == 0 and json.loads(empty.stdout)["approximate"] is True
    imp = runner.invoke(app, ["network", "import", str(ANDORRA)])
    assert imp.exit_code == 0, imp.output
    assert "© OpenStreetMap contributors" in imp.stdout
    info = json.loads(runner.invoke(app, ["network", "info", "--json"]).stdout)
    assert 300 <= sum(info["road_km_by_class"].values()) <= 3000
    assert (
        info["nodes"] > 1000 and info["edges"] > info["nodes"] and info["profiles"] == ["ev", "truck", "van"]
    )
    text = runner.invoke(app, ["network", "info"])
    assert text.exit_code == 0 and "andorra" in text.stdout and "road km" in text.stdout


def test_errors_are_one_line_and_non_zero(cli_env: Settings, tmp_path: Path) -> None:
    missing = runner.invoke(app, ["network", "import", str(tmp_path / "none.osm.pbf")])
    assert missing.exit_code == 1 and missing.stderr.count("\n") == 1 and "none.osm.pbf" in missing.stderr
    bad = runner.invoke(app, ["matrix", "--date", "tomorrow", "--json"])
    assert bad.exit_code == 1 and bad.stderr.startswith("error: --date")
    prof = runner.invoke(app, ["matrix", "--date", "2026-11-02", "--profile", "bike", "--json"])
    assert prof.exit_code == 1 and "profile" in prof.stderr


def test_matrix_json_for_a_day(county_env: Settings) -> None:
    with session_scope(county_env) as s:
        day = s.scalar(select(orm.Order.delivery_date).group_by(orm.Order.delivery_date)
                       .order_by(func.count().desc()).limit(1))  # fmt: skip
    res = runner.invoke(app, ["matrix", "--date", day.isoformat(), "--profile", "truck", "--json"])
    assert res.exit_code == 0, res.output
    d = json.loads(res.stdout)
    assert d["size"] > 9 and set(d["profiles"]) == {"truck"}
    assert {"seconds", "cache_hit", "approximate"} <= set(d) and {"size", "seconds"} <= set(
        d["profiles"]["truck"]
    )
    again = json.loads(runner.invoke(app, ["matrix", "--date", day.isoformat(), "--json"]).stdout)
    assert set(again["profiles"]) == {"truck", "van", "ev"}
    text = runner.invoke(app, ["matrix", "--date", day.isoformat()])
    assert text.exit_code == 0 and "points" in text.stdout
