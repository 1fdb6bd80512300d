"""``dispatch outcome simulate``: a realistic, seeded day of outcomes, handovers and store reports.

What a clerk would key in from the drivers' paper notes, for the day's plan:
most stops delivered in full, signed, cash collected with a receipt from the
driver's book; and planted faults for reconciliation to find: two short
deliveries (one out of stock, one damaged), a refusal (its receipt voided), a
note the shop would not sign, and a driver handing over 50 yuan less than he
collected. Each write is its own transaction with a deterministic idempotency
key (``sim:<date>:…``): running it again replays, it never doubles anything.
Stops that already have an outcome are left alone.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select

from ledger.cash import record_handover, record_remittance, record_store_report
from ledger.notes import ensure_notes
from ledger.orm import ReceiptBook
from ledger.outcomes import current_outcome, record_outcome
from ledger.receipts import assign_receipt_number, issue_book, void_receipt
from ledger.schemas import DENOMINATIONS_FEN, LineIn, OutcomeIn
from models import clock
from models.db import session_scope
from models.errors import Conflict
from models.orm import Customer, Depot, Staff
from models.planning import DeliveryNote, DispatchOrder, Plan, PlanRoute, PlanStop, StopKind
from models.settings import Settings
from services.planning import find_plan

SHORT_CASH_FEN = 5000  # the planted handover shortfall: 50 yuan


@dataclass
class _Stop:
    code: str
    kind: str
    route: str
    driver_id: int | None
    depot_kind: str
    lines: list[dict[str, Any]]
    at: dt.datetime
    terms: str | None = None
    signer: str = "店主"
    lat: float | None = None
    lon: float | None = None


@dataclass
class SimResult:
    date: str
    recorded: int = 0
    skipped: int = 0
    faults: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    handovers: list[dict[str, Any]] = field(default_factory=list)
    store_reports: list[dict[str, Any]] = field(default_factory=list)
    remittances: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "date": self.date,
            "recorded": self.recorded,
            "skipped": self.skipped,
            "faults": dict(self.faults),
            "handovers": self.handovers,
            "store_reports": self.store_reports,
            "remittances": self.remittances,
            "notes": self.notes,
        }


def _stops(settings: Settings, day: dt.date | None) -> tuple[dt.date, list[_Stop], dict[int, str]]:
    with session_scope(settings) as s:
        plan: Plan = find_plan(s, date=day)
        out: list[_Stop] = []
        staff = {st.id: st.code for st in s.scalars(select(Staff))}
        for r in s.scalars(select(PlanRoute).where(PlanRoute.plan_id == plan.id).order_by(PlanRoute.number)):
            depot = s.get(Depot, r.depot_id)
            for st in s.scalars(select(PlanStop).where(PlanStop.route_id == r.id).order_by(PlanStop.seq)):
                at = clock.local_time(plan.delivery_date, st.service_start_s)
                item = _Stop(
                    code=st.code,
                    kind=st.kind.value,
                    route=r.code,
                    driver_id=r.driver_id,
                    depot_kind=depot.kind.value if depot else "centre",
                    lines=list(st.lines or []),
                    at=at,
                )
                if st.kind == StopKind.DELIVERY and st.dispatch_order_id:
                    c: Customer = s.get(DispatchOrder, st.dispatch_order_id).customer  # type: ignore[union-attr]
                    item.terms, item.lat, item.lon = c.payment_terms.value, c.lat, c.lon
                    item.signer = c.contact_name or "店主"
                elif st.target_depot_id:
                    mgr = s.scalars(
                        select(Staff).where(
                            Staff.depot_id == st.target_depot_id, Staff.role == "store_manager"
                        )
                    ).first()
                    item.signer = mgr.name if mgr else "门店经理"
                if current_outcome(s, st.id) is None:
                    out.append(item)
                else:
                    out.append(
                        _Stop(
                            code=st.code,
                            kind="done",
                            route=r.code,
                            driver_id=r.driver_id,
                            depot_kind=item.depot_kind,
                            lines=[],
                            at=at,
                        )
                    )
        return plan.delivery_date, out, staff


def _books(settings: Settings, day: dt.date, stops: list[_Stop], staff: dict[int, str]) -> None:
    """Issue a 200-receipt book to every collector with no book of their own or their store's."""
    from ledger.receipts import holder_books

    drivers = sorted({s.driver_id for s in stops if s.driver_id and s.terms == "cod"})
    with session_scope(settings) as s:
        for sid in drivers:
            member = s.get(Staff, sid)
            if member is None or holder_books(s, member, day):
                continue
            top = s.scalar(select(func.max(ReceiptBook.last_number))) or 0
            first = (top // 1000 + 1) * 1000 + 1
            issue_book(
                s,
                staff_code=staff[sid],
                first=first,
                last=first + 199,
                on_date=day,
                actor="simulate",
                note="simulated day",
            )


def _plant(rng: random.Random, stops: list[_Stop]) -> dict[str, str]:
    """Which stops get which fault: centre cash customers preferred, so the cash effect shows."""
    pool = [s for s in stops if s.kind == "delivery" and s.terms == "cod" and s.depot_kind == "centre"]
    pool = pool or [s for s in stops if s.kind == "delivery"]
    rng.shuffle(pool)
    faults = ["refused", "short_out_of_stock", "short_damaged", "not_signed"]
    return {s.code: f for s, f in zip(pool, faults, strict=False)}


def _lines(stop: _Stop, fault: str | None, rng: random.Random) -> list[LineIn]:
    out = []
    target = max(range(len(stop.lines)), key=lambda i: stop.lines[i]["cases"]) if stop.lines else 0
    for i, ln in enumerate(stop.lines):
        cases = int(ln["cases"])
        if fault == "refused":
            out.append(
                LineIn(
                    product=ln["product"],
                    delivered_cases=0,
                    shortfall="refused",
                    reason="店主称价格有误，拒收 price dispute",
                )
            )
        elif fault in ("short_out_of_stock", "short_damaged") and i == target and cases > 1:
            less = min(cases - 1, 1 + rng.randrange(2))
            if fault == "short_out_of_stock":
                line = LineIn(
                    product=ln["product"],
                    delivered_cases=cases - less,
                    shortfall="short",
                    reason="装车时缺货 out of stock at loading",
                )
            else:
                line = LineIn(
                    product=ln["product"],
                    delivered_cases=cases - less,
                    shortfall="damaged",
                    reason="运输中包装破损 bags split in transit",
                )
            out.append(line)
        else:
            out.append(LineIn(product=ln["product"], delivered_cases=cases))
    return out


def simulate_day(
    settings: Settings,
    day: dt.date | None = None,
    *,
    seed: int = 7,
    handovers: bool = True,
    actor: str = "simulate",
) -> dict[str, Any]:
    """Record a realistic day of outcomes for the plan of ``day`` (see the module docstring)."""
    rng = random.Random(seed)
    day, stops, staff = _stops(settings, day)
    res = SimResult(date=day.isoformat())
    _books(settings, day, stops, staff)
    with session_scope(settings) as s:  # the paper notes the drivers carried: numbered once
        ensure_notes(s, find_plan(s, date=day))
    faults = _plant(rng, stops)
    for st in stops:
        if st.kind == "done":
            res.skipped += 1
            continue
        fault = faults.get(st.code)
        lines = _lines(st, fault, rng)
        billed = sum(
            ln.delivered_cases * int(p.get("price_fen", 0)) for ln, p in zip(lines, st.lines, strict=True)
        )
        cod = st.kind == "delivery" and st.terms == "cod"
        receipt = None
        with session_scope(settings) as s:
            if cod and st.driver_id:
                note = s.scalars(
                    select(DeliveryNote).where(
                        DeliveryNote.stop_id
                        == select(PlanStop.id).where(PlanStop.code == st.code).scalar_subquery()
                    )
                ).first()
                receipt = note.receipt_number if note else None
                if receipt is None:  # no book when the notes were numbered: the number goes on the note
                    receipt = assign_receipt_number(s, staff_id=st.driver_id, on_date=day, actor=actor)
                    if note is not None:
                        note.receipt_number = receipt
                if fault == "refused" and receipt:
                    void_receipt(s, receipt, reason="拒收，收据作废 goods refused", on_date=day, actor=actor)
                    receipt = None
            data = OutcomeIn(
                stop=st.code,
                lines=lines,
                signed=fault != "not_signed",
                signer_name=st.signer if fault != "not_signed" else None,
                not_signed_reason="店主外出，店员不肯签字 owner out, assistant would not sign"
                if fault == "not_signed"
                else None,
                occurred_at=st.at + dt.timedelta(minutes=rng.randint(-10, 20)),
                lat=round(st.lat + rng.uniform(-2e-4, 2e-4), 6) if st.lat is not None else None,
                lon=round(st.lon + rng.uniform(-2e-4, 2e-4), 6) if st.lon is not None else None,
                payment_method=st.terms if st.kind == "delivery" else None,  # type: ignore[arg-type]
                cash_collected_fen=billed if cod else 0,
                receipt_number=receipt,
            )
            record_outcome(s, data, idempotency_key=f"sim:{day}:{st.code}", actor=actor)
        res.recorded += 1
        if fault:
            res.faults[fault].append(st.code)
    if handovers:
        _end_of_day(settings, day, stops, staff, rng, res, actor)
    return res.as_dict()


def _denominations(fen: int) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in DENOMINATIONS_FEN:
        n, fen = divmod(fen, d)
        if n:
            out[str(d)] = n
    return out


def _end_of_day(
    settings: Settings,
    day: dt.date,
    stops: list[_Stop],
    staff: dict[int, str],
    rng: random.Random,
    res: SimResult,
    actor: str,
) -> None:
    from ledger.reconcile import reconcile

    with session_scope(settings) as s:
        rec = reconcile(s, day)
    centre_drivers = sorted(
        d["staff"]
        for d in rec["drivers"]
        if d["collected_fen"] and any(r["depot"] == "DC" for r in rec["routes"] if r["driver"] == d["staff"])
    )
    short = centre_drivers[rng.randrange(len(centre_drivers))] if centre_drivers else None
    for d in rec["drivers"]:
        counted = max(0, d["collected_fen"] - (SHORT_CASH_FEN if d["staff"] == short else 0))
        data = {
            "staff": d["staff"],
            "on_date": day.isoformat(),
            "counted_fen": counted,
            "denominations": _denominations(counted) if counted % 10 == 0 else None,
            "notes_returned": d["signed"],
            "note": "simulated handover",
        }
        try:
            with session_scope(settings) as s:
                res.handovers.append(
                    record_handover(s, data, idempotency_key=f"sim:{day}:handover:{d['staff']}", actor=actor)
                )
        except Conflict as exc:
            res.notes.append(f"handover of {d['staff']} not recorded: {exc}")
        if d["staff"] == short:
            res.faults["cash_short_at_handover"].append(d["staff"])
    for store in rec["stores"]:
        if not store["routes"]:
            continue
        report = {
            "store": store["store"],
            "on_date": day.isoformat(),
            "stops": store["with_outcome"],
            "delivered_cases": store["delivered_cases"],
            "cash_fen": store["collected_fen"],
        }
        with session_scope(settings) as s:
            res.store_reports.append(
                record_store_report(
                    s, report, idempotency_key=f"sim:{day}:report:{store['store']}", actor=actor
                )
            )
        with session_scope(settings) as s:
            on_hand = rec_store_cash(s, store["store"])
            if on_hand > 0:
                res.remittances.append(
                    record_remittance(
                        s,
                        {
                            "store": store["store"],
                            "on_date": day.isoformat(),
                            "amount_fen": on_hand,
                            "note": "simulated end-of-day remittance",
                        },
                        idempotency_key=f"sim:{day}:remit:{store['store']}",
                        actor=actor,
                    )
                )


def rec_store_cash(session: Any, store: str) -> int:
    from ledger.postings import balance

    return balance(session, f"cash:store:{store}")


__all__ = ["simulate_day"]
