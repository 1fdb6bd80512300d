"""tests/needs.py: a test whose need is not met skips outside CI and fails under CI; no bare skips."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.needs import need, need_module

TESTS = Path(__file__).resolve().parent


def test_a_met_need_carries_on(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "1")
    need(True, "never said")
    assert need_module("json", "stdlib").dumps(1) == "1"


def test_an_unmet_need_skips_outside_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no extract at /x"):
        need(False, "no extract at /x")
    with pytest.raises(pytest.skip.Exception, match="not installed"):
        need_module("no_such_module_here", "not installed")


def test_an_unmet_need_fails_under_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI is set, so this test must run, but: no Redis"):
        need(False, "no Redis at redis://127.0.0.1:6379/0")
    with pytest.raises(pytest.fail.Exception, match="not installed"):
        need_module("no_such_module_here", "not installed")


CONFTEST = """
import pytest
from tests.needs import check_marks

def pytest_configure(config):
    config.addinivalue_line("markers", "needs(condition, why): see tests/needs.py")

@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    check_marks(item)
"""
MODULE = """
import pytest
from tests.needs import requires

@pytest.fixture(scope="module")
def heavy():
    raise AssertionError("set up although the need is not met")

@requires(False, "shared extract missing")
def test_it(heavy):
    pass
"""


def _run(folder: Path, **env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != "CI" and not k.startswith("PYTEST_")}
    p = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "no:xdist", "test_it.py"],
        cwd=folder,
        env={**base, "PYTHONPATH": str(TESTS.parent), **env},
        capture_output=True,
        text=True,
        timeout=120,
    )
    return p.stdout


def test_the_needs_mark_is_checked_before_fixtures(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(CONFTEST, encoding="utf-8")
    (tmp_path / "test_it.py").write_text(MODULE, encoding="utf-8")
    assert "1 skipped" in _run(tmp_path)
    out = _run(tmp_path, CI="1")
    assert "1 error" in out and "CI is set, so this test must run, but: shared extract missing" in out
    assert "set up although" not in out


def test_no_test_skips_by_itself() -> None:
    bare = re.compile(r"pytest\.(skip\(|importorskip\()|mark\.skip(if)?\b")
    found = [
        f"{p.name}:{n}"
        for p in sorted(TESTS.glob("*.py"))
        if p.name not in {"needs.py", "test_needs.py"}
        for n, line in enumerate(p.read_text(encoding="utf-8").splitlines(), 1)
        if bare.search(line)
    ]
    assert found == [], "use tests/needs.py (need, requires, need_module): " + ", ".join(found)
