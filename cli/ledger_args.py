"""Arguments shared by the ledger commands: money as yuan text or integer fen, days, the clerk.

Money on the command line is yuan text (``--cash 640.50``, exact, at most two
decimals) or integer fen (``--cash-fen 64050``); never a float.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cli.common import fail

ACTOR = "clerk"


def fen_arg(yuan: str | None, fen: int | None, name: str) -> int | None:
    if yuan is not None and fen is not None:
        fail(f"give --{name} (yuan) or --{name}-fen, not both")
    if yuan is None:
        return fen
    from documents.money import parse_yuan

    try:
        value = parse_yuan(yuan)
    except ValueError as exc:
        fail(f"--{name}: {exc}")
    if value < 0:
        fail(f"--{name} must not be negative")
    return value


def yuan(fen: int) -> str:
    from documents.money import format_fen

    return format_fen(fen)


def day_or_latest(session: Any, day: dt.date | None) -> dt.date:
    from services.planning import find_plan

    return day or find_plan(session).delivery_date
