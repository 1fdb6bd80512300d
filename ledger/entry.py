"""Clerk entry of paper notes: turn what is written on a signed delivery note into an ``OutcomeIn``.

Used by ``dispatch outcome record`` (one stop) and by the CSV/XLSX import;
the web app will send ``OutcomeIn`` directly.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.schemas import LineIn, OutcomeIn, parse
from models import clock
from models.errors import InputError, NotFound
from models.planning import DispatchOrder, Plan, PlanStop, StopKind

SHORTFALLS = {
    "short": "short",
    "少送": "short",
    "refused": "refused",
    "拒收": "refused",
    "damaged": "damaged",
    "破损": "damaged",
}


def find_stop(session: Session, code: str) -> PlanStop:
    stop = session.scalars(select(PlanStop).where(PlanStop.code == code.strip())).first()
    if stop is None:
        raise NotFound("stop", code)
    return stop


def stop_time(session: Session, stop: PlanStop) -> dt.datetime:
    """The stop's planned service start, as an instant (China time)."""
    plan = session.get(Plan, stop.plan_id)
    assert plan is not None
    return clock.local_time(plan.delivery_date, stop.service_start_s)


def stop_terms(session: Session, stop: PlanStop) -> str | None:
    """``cod`` or ``monthly`` for a delivery, ``None`` for a replenishment."""
    if stop.kind != StopKind.DELIVERY or stop.dispatch_order_id is None:
        return None
    d = session.get(DispatchOrder, stop.dispatch_order_id)
    return d.customer.payment_terms.value if d else None


def parse_pairs(text: str | None, field: str) -> dict[str, str]:
    """``"S001=8, S004=1"`` → {"S001": "8", "S004": "1"}."""
    out: dict[str, str] = {}
    for part in re.split(r"[,;，；]", text or ""):
        if not part.strip():
            continue
        if "=" not in part:
            raise InputError.single(field, "write PRODUCT=VALUE, separated by commas", value=part.strip())
        k, v = part.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def clerk_outcome(
    session: Session,
    stop_code: str,
    *,
    delivered: dict[str, int] | None = None,
    shortfalls: dict[str, str] | None = None,
    signer: str | None = None,
    not_signed: str | None = None,
    cash_fen: int | None = None,
    payment: str | None = None,
    receipt: str | None = None,
    at: dt.datetime | None = None,
    lat: float | None = None,
    lon: float | None = None,
    signature: bytes | None = None,
    photo: bytes | None = None,
    note: str = "",
) -> OutcomeIn:
    """An outcome from a paper note: products not named were delivered in full.

    ``shortfalls`` maps a product to ``kind`` or ``kind:reason`` (kind: short,
    refused, damaged). A cash-on-delivery stop needs ``cash_fen`` unless nothing
    was delivered.
    """
    stop = find_stop(session, stop_code)
    delivered = dict(delivered or {})
    lines: list[LineIn] = []
    planned = {ln["product"]: int(ln["cases"]) for ln in stop.lines or []}
    unknown = sorted(set(delivered) - set(planned))
    if unknown:
        raise InputError.single(
            "delivered", f"not on stop {stop.code}: {', '.join(unknown)}", value=unknown[0]
        )
    short_map = dict(shortfalls or {})
    for product, cases in planned.items():
        got = delivered.get(product, cases)
        kind, _, reason = short_map.get(product, "").partition(":")
        kind_norm = SHORTFALLS.get(kind.strip().lower()) if kind.strip() else None
        if kind.strip() and kind_norm is None:
            raise InputError.single("shortfall", "must be short, refused or damaged", value=kind)
        lines.append(
            parse(
                LineIn,
                {
                    "product": product,
                    "delivered_cases": got,
                    "shortfall": kind_norm if got < cases else None,
                    "reason": reason.strip(),
                },
            )
        )
    terms = payment or stop_terms(session, stop)
    billed = sum(
        ln.delivered_cases * int(p["price_fen"]) for ln, p in zip(lines, stop.lines or [], strict=True)
    )
    if cash_fen is None:
        if terms == "cod" and billed and stop.kind == StopKind.DELIVERY:
            raise InputError.single(
                "cash",
                f"stop {stop.code} is cash on delivery: give the cash collected "
                f"(due {billed} fen for what was delivered)",
            )
        cash_fen = 0
    data: dict[str, Any] = {
        "stop": stop.code,
        "lines": lines,
        "signed": not_signed is None,
        "signer_name": signer,
        "not_signed_reason": not_signed,
        "occurred_at": at or stop_time(session, stop),
        "lat": lat,
        "lon": lon,
        "payment_method": terms if stop.kind == StopKind.DELIVERY else None,
        "cash_collected_fen": cash_fen,
        "receipt_number": receipt,
        "signature": signature,
        "photo": photo,
        "note": note,
    }
    return parse(OutcomeIn, data)


__all__ = ["clerk_outcome", "find_stop", "parse_pairs", "stop_terms", "stop_time"]
