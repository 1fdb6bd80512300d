"""Helpers shared by every CLI command: JSON output, one-line errors, sessions."""

from __future__ import annotations

import datetime as dt
import json
import sys
import unicodedata
from collections.abc import Iterator, Sequence
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


def text_width(text: str) -> int:
    """Columns ``text`` takes in a terminal: CJK (wide and full-width) characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(header: Sequence[str], rows: Sequence[Sequence[str]], *, right: Sequence[int] = ()) -> list[str]:
    """Lines of a plain-text table, padded by display width (CJK counts double).

    ``right`` lists the columns aligned right (numbers, money); an empty row is a blank line.
    """
    widths = [text_width(h) for h in header]
    for row in rows:
        for i, cell in enumerate(row):
            widths[i] = max(widths[i], text_width(cell))

    def line(cells: Sequence[str]) -> str:
        out = []
        for i, cell in enumerate(cells):
            pad = " " * (widths[i] - text_width(cell))
            out.append(pad + cell if i in right else cell + pad)
        return "  ".join(out).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return [line(header), rule, *(line(r) if r else "" for r in rows)]
