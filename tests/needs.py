"""What a test needs from outside the project (../shared data, Chromium, Redis, PostgreSQL).

Outside CI a test whose need is not met is skipped, with the reason. With the
environment variable ``CI`` set it fails instead: in CI every test must run,
so a missing extract, browser or server is an error, never a quiet skip.

* :func:`need` inside a test or fixture: ``need(path.is_file(), "no extract at …")``;
* :func:`requires` as a decorator or ``pytestmark``: the same check, made
  before any of the test's fixtures are set up (``tests/conftest.py`` runs it);
* :func:`need_module` instead of ``pytest.importorskip``.

Never use ``pytest.skip``, ``skipif`` or ``importorskip`` directly in tests/.
"""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def in_ci() -> bool:
    return bool(os.environ.get("CI"))


def need(condition: bool, why: str) -> None:
    """Carry on when ``condition`` holds; else skip with ``why``, or fail with it under ``CI``."""
    if condition:
        return
    if in_ci():
        pytest.fail(f"CI is set, so this test must run, but: {why}", pytrace=False)
    pytest.skip(why)


def requires(condition: bool, why: str) -> pytest.MarkDecorator:
    """A mark for a test, class or module (``pytestmark``): :func:`need` before its fixtures."""
    return pytest.mark.needs(condition=bool(condition), why=why)


def need_module(name: str, why: str) -> ModuleType:
    """``import name``, or :func:`need` fails (CI) / skips with ``why``."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        need(False, f"{why} ({exc})")
        raise  # unreachable: need() raised


def check_marks(item: pytest.Item) -> None:
    """Apply every ``needs`` mark of ``item`` (called from ``pytest_runtest_setup``)."""
    for mark in item.iter_markers("needs"):
        need(mark.kwargs["condition"], mark.kwargs["why"])
