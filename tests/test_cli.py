"""The `dispatch` command end to end: JSON on stdout, one-line errors on stderr, exit codes."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

DISPATCH = [sys.executable, "-m", "cli.main"]


def run(args: list[str], env: dict[str, str], check: bool = True) -> subprocess.CompletedProcess[str]:
    p = subprocess.run([*DISPATCH, *args], env=env, capture_output=True, text=True, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"dispatch {' '.join(args)} failed: {p.stderr}")
    return p


@pytest.fixture
def env(blank_url: str, tmp_path: Path) -> dict[str, str]:
    e = dict(os.environ)
    e.update(DISPATCH_DATABASE_URL=blank_url, DISPATCH_DATA_DIR=str(tmp_path / "data"))
    return e


def test_upgrade_load_summary_json(env: dict[str, str]) -> None:
    run(["db", "upgrade"], env)
    out = run(["scenario", "load", "--json"], env).stdout
    assert json.loads(out)["loaded"]["customers"] == 800
    s = json.loads(run(["summary", "--json"], env).stdout)
    for key in ("townships", "customers", "depots", "vehicles", "products", "open_orders"):
        assert key in s
    assert s["townships"] == 11 and s["customers"] == 800
    assert s["depots"]["centre"] == 1 and s["depots"]["store"] >= 6
    assert s["vehicles"] >= 3 and s["products"] >= 5 and s["open_orders"] > 0
    # a second load is refused with one line on stderr and a non-zero exit
    again = run(["scenario", "load"], env, check=False)
    assert again.returncode == 1
    assert again.stderr.count("\n") == 1 and again.stderr.startswith("error: ")
    assert "already holds" in again.stderr


def test_bad_import_lists_every_error_and_writes_nothing(env: dict[str, str], tmp_path: Path) -> None:
    run(["db", "upgrade"], env)
    run(["scenario", "load"], env)
    before = json.loads(run(["summary", "--json"], env).stdout)["orders"]
    bad = tmp_path / "orders.csv"
    bad.write_text(
        "customer_code,channel,received_at,delivery_date,product_code,cases\n"
        "4399010000000,visit,2026-11-30 09:00,2026-12-01,S001,5\n"
        "4399010000000,fax,2026-11-30 09:00,2026-12-01,S001,-2\n",
        encoding="utf-8",
    )
    p = run(["import", "orders", str(bad), "--json"], env, check=False)
    assert p.returncode == 1
    errors = json.loads(p.stdout)["errors"]
    assert {(e["row"], e["field"]) for e in errors} >= {(2, "customer_code"), (3, "channel"), (3, "cases")}
    assert json.loads(run(["summary", "--json"], env).stdout)["orders"] == before


def test_export_writes_the_register(env: dict[str, str], tmp_path: Path) -> None:
    run(["db", "upgrade"], env)
    run(["scenario", "load"], env)
    out = tmp_path / "customers.xlsx"
    res = json.loads(run(["export", "customers", str(out), "--json"], env).stdout)
    assert res["rows"] == 800 and out.stat().st_size > 10_000


def test_summary_without_migrations_fails_in_one_line(env: dict[str, str]) -> None:
    p = run(["summary", "--json"], env, check=False)
    assert p.returncode == 1 and p.stderr.strip().count("\n") == 0 and p.stderr.startswith("error: ")
    assert ("not migrated" in p.stderr or "no database at" in p.stderr) and "dispatch db upgrade" in p.stderr


def _bare_env(**extra: str) -> dict[str, str]:
    """The environment with no DISPATCH_ setting but the clock: the defaults (./data/dispatch.db)."""
    e = {k: v for k, v in os.environ.items() if not k.startswith("DISPATCH_") or k == "DISPATCH_CLOCK"}
    e["PYTHONPATH"] = str(Path(__file__).resolve().parents[1])
    e.update(extra)
    return e


@pytest.mark.parametrize(
    "args",
    [
        ["summary"],
        ["report", "costs"],
        ["plan", "show", "--json"],
        ["scenario", "load"],
        ["db", "reset", "--yes"],
    ],
)
def test_a_missing_database_is_refused_in_one_line_and_nothing_is_created(
    args: list[str], tmp_path: Path
) -> None:
    p = subprocess.run(
        [*DISPATCH, *args], cwd=tmp_path, env=_bare_env(), capture_output=True, text=True, timeout=120
    )
    assert p.returncode == 1 and p.stdout == "", p.stderr
    assert p.stderr.count("\n") == 1 and "Traceback" not in p.stderr
    assert p.stderr.startswith("error: 找不到数据库 / no database at ")
    assert str(tmp_path / "data" / "dispatch.db") in p.stderr
    assert "`make demo`" in p.stderr and "`dispatch db upgrade && dispatch scenario load`" in p.stderr
    assert list(tmp_path.iterdir()) == []  # no data/ folder, no file


def test_db_upgrade_still_creates_the_database(tmp_path: Path) -> None:
    p = subprocess.run(
        [*DISPATCH, "db", "upgrade"],
        cwd=tmp_path,
        env=_bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 0, p.stderr
    assert (tmp_path / "data" / "dispatch.db").is_file()
    s = subprocess.run(
        [*DISPATCH, "summary", "--json"],
        cwd=tmp_path,
        env=_bare_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert s.returncode == 0, s.stderr
    assert json.loads(s.stdout)["customers"] == 0


def test_an_unreachable_postgresql_is_named_without_its_password(tmp_path: Path) -> None:
    with socket.socket() as sock:  # a port nothing listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    url = f"postgresql+psycopg://clerk:s3cret-pw@127.0.0.1:{port}/dispatch"
    p = subprocess.run(
        [*DISPATCH, "report", "costs"],
        cwd=tmp_path,
        env=_bare_env(DISPATCH_DATABASE_URL=url),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert p.returncode == 1 and p.stderr.count("\n") == 1, p.stderr
    assert p.stderr.startswith("error: 无法连接数据库 / cannot open the database at ")
    assert f"clerk:***@127.0.0.1:{port}/dispatch" in p.stderr and "s3cret-pw" not in p.stderr
    assert list(tmp_path.iterdir()) == []
