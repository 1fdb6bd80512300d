"""Helpers shared by every CLI command: JSON output, one-line errors, sessions."""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, NoReturn

import typer


def emit_json(obj: Any) -> None:
    """Print one JSON document on stdout (UTF-8, Chinese kept readable)."""
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n")


def fail(reason: str, code: int = 1) -> NoReturn:
    """Exit non-zero with a one-line reason on stderr."""
    one_line = " ".join(str(reason).split())
    sys.stderr.write(f"error: {one_line}\n")
    raise typer.Exit(code)


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn the project's known exceptions into a one-line reason and exit code 1.

    Unknown exceptions are internal errors: still one line, exit code 2.
    """
    from models.errors import DispatchError

    try:
        yield
    except typer.Exit:
        raise
    except DispatchError as exc:
        fail(str(exc))
    except FileNotFoundError as exc:
        fail(f"file not found: {exc.filename}")
    except Exception as exc:  # internal error: still one line, distinct code
        fail(f"internal error: {type(exc).__name__}: {exc}", code=2)


def parse_date(text: str | None) -> dt.date | None:
    """A ``--date`` option (YYYY-MM-DD), ``None`` when it is not given."""
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        fail(f"--date must be YYYY-MM-DD, got {text!r}")
