"""Reconciliation flags: the rules of :mod:`ledger.rules` applied to a day, and finance's status on each.

A flag is identified by ``<date>/<kind>/<subject>`` (the subject is a stop
code, a staff or store code, a receipt number or a book), so the same
difference found again tomorrow is the same flag. Flags are computed, not
stored; finance's status changes are stored (``ledger_flags`` once, then one
``ledger_flag_events`` row per change: history is never lost).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.facts import DayFacts
from ledger.orm import Flag, FlagEvent, FlagStatus
from ledger.rules import STOP_RULES, FlagDict, driver_rules, receipt_rules, store_rules
from ledger.tx import begin_write
from models.errors import InputError, NotFound


def compute_flags(session: Session, facts: DayFacts) -> tuple[list[FlagDict], list[FlagDict]]:
    """Every difference of the day with finance's latest status and comment on each; and the flags
    finance acted on that are no longer found (e.g. the missing outcome was recorded since)."""
    flags = [f for s in facts.stops for rule in STOP_RULES for f in rule(facts, s)]
    flags += list(driver_rules(facts)) + list(store_rules(facts)) + list(receipt_rules(session, facts))
    stored = _stored(session, facts.day)
    for f in flags:
        st = stored.pop(f["id"], None)
        f.update(
            {k: st[k] for k in ("status", "comment", "by", "at")}
            if st
            else {"comment": None, "by": None, "at": None}
        )
    cleared = [{"id": k, **v} for k, v in sorted(stored.items())]
    return flags, cleared


def _stored(session: Session, day: dt.date) -> dict[str, FlagDict]:
    out: dict[str, FlagDict] = {}
    for flag in session.scalars(select(Flag).where(Flag.on_date == day)):
        ev = session.scalars(
            select(FlagEvent).where(FlagEvent.flag_id == flag.id).order_by(FlagEvent.id.desc())
        ).first()
        if ev is not None:
            out[flag.key] = {
                "kind": flag.kind,
                "route": flag.route,
                "stop": flag.stop,
                "amount_fen": flag.amount_fen,
                "status": ev.status.value,
                "comment": ev.comment,
                "by": ev.actor,
                "at": ev.at.isoformat(),
            }
    return out


def flag_history(session: Session, flag_id: str) -> list[dict[str, Any]]:
    flag = session.scalars(select(Flag).where(Flag.key == flag_id)).first()
    if flag is None:
        return []
    return [
        {"status": e.status.value, "comment": e.comment, "by": e.actor, "at": e.at.isoformat()}
        for e in session.scalars(select(FlagEvent).where(FlagEvent.flag_id == flag.id).order_by(FlagEvent.id))
    ]


def set_flag_status(session: Session, flag_id: str, *, status: str, comment: str, actor: str) -> FlagDict:
    """Finance marks a flag explained or resolved (or open again), with a comment; history is kept."""
    from ledger.facts import gather

    try:
        st = FlagStatus(status)
    except ValueError:
        raise InputError.single("status", "must be open, explained or resolved", value=status) from None
    if not comment or not comment.strip():
        raise InputError.single("comment", "say why (finance's comment is kept with the flag)")
    try:
        day = dt.date.fromisoformat(flag_id.split("/", 1)[0])
    except ValueError:
        raise InputError.single(
            "flag", "a flag id looks like 2026-12-01/short_delivery/<stop>", value=flag_id
        ) from None
    begin_write(session)
    flag = session.scalars(select(Flag).where(Flag.key == flag_id)).first()
    if flag is None:
        current = {f["id"]: f for f in compute_flags(session, gather(session, day))[0]}
        found = current.get(flag_id)
        if found is None:
            raise NotFound("flag", flag_id)
        flag = Flag(
            key=flag_id,
            on_date=day,
            kind=found["kind"],
            route=found["route"],
            stop=found["stop"],
            amount_fen=found["amount_fen"],
        )
        session.add(flag)
        session.flush()
    session.add(FlagEvent(flag_id=flag.id, status=st, comment=comment.strip(), actor=actor))
    session.flush()
    return {
        "id": flag_id,
        "kind": flag.kind,
        "route": flag.route,
        "stop": flag.stop,
        "amount_fen": flag.amount_fen,
        "status": st.value,
        "history": flag_history(session, flag_id),
    }


__all__ = ["STOP_RULES", "compute_flags", "flag_history", "set_flag_status"]
