"""Reconciliation rules: one small function per business rule, each yielding flags.

A flag is a dict ``{id, kind, route, stop, amount_fen, status, detail, …}``;
its id ``<date>/<kind>/<subject>`` (subject: stop, staff or store code,
receipt number or book) is the same each time the same difference is found.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ledger.facts import DayFacts, StopFact
from ledger.orm import FlagStatus, ReceiptBook, ReceiptEvent, ReceiptEventKind, StopOutcome
from ledger.receipts import format_number
from models.planning import DeliveryNote

FlagDict = dict[str, Any]


def _flag(
    facts: DayFacts,
    kind: str,
    subject: str,
    *,
    amount: int,
    route: str | None = None,
    stop: str | None = None,
    detail: str = "",
    **extra: Any,
) -> FlagDict:
    return {
        "id": f"{facts.day.isoformat()}/{kind}/{subject}",
        "kind": kind,
        "route": route,
        "stop": stop,
        "amount_fen": int(amount),
        "status": FlagStatus.OPEN.value,
        "detail": detail,
        **extra,
    }


def _stop_flag(facts: DayFacts, s: StopFact, kind: str, amount: int, detail: str) -> FlagDict:
    return _flag(
        facts,
        kind,
        s.code,
        amount=amount,
        route=s.route,
        stop=s.code,
        detail=detail,
        driver=s.driver,
        customer=s.customer,
    )


# --- stop rules ---------------------------------------------------------------------------------


def outcome_missing(facts: DayFacts, s: StopFact) -> Iterator[FlagDict]:
    if s.outcome is None:
        what = "store replenishment" if s.kind == "replenishment" else f"{s.planned_cases} cases"
        yield _stop_flag(facts, s, "outcome_missing", s.planned_fen, f"no outcome recorded yet ({what})")


def refused_goods(facts: DayFacts, s: StopFact) -> Iterator[FlagDict]:
    if s.outcome is not None and s.outcome.status.value == "refused":
        reasons = "; ".join(dict.fromkeys(ln["reason"] for ln in s.outcome.lines if ln.get("reason")))
        yield _stop_flag(facts, s, "refused", s.planned_fen, f"goods refused: {reasons or 'no reason given'}")


def short_delivery(facts: DayFacts, s: StopFact) -> Iterator[FlagDict]:
    if s.outcome is None or s.outcome.status.value != "short":
        return
    parts, missing = [], 0
    for ln in s.outcome.lines:
        gap = ln["planned_cases"] - ln["delivered_cases"]
        if gap:
            missing += gap * ln["price_fen"] if s.kind == "delivery" else 0
            why = ln.get("shortfall") or "short"
            parts.append(
                f"{ln['product']} {ln['delivered_cases']}/{ln['planned_cases']} {why}"
                + (f" ({ln['reason']})" if ln.get("reason") else "")
            )
    yield _stop_flag(facts, s, "short_delivery", missing, "; ".join(parts))


def missing_signature(facts: DayFacts, s: StopFact) -> Iterator[FlagDict]:
    if s.outcome is not None and not s.outcome.signed:
        yield _stop_flag(
            facts, s, "missing_signature", s.billed_fen, f"note not signed: {s.outcome.not_signed_reason}"
        )


def cash_at_stop(facts: DayFacts, s: StopFact) -> Iterator[FlagDict]:
    """Cash on delivery: cash collected must equal what was billed for the goods actually delivered."""
    if s.outcome is None or not s.cod or s.collected_fen == s.billed_fen:
        return
    diff = s.collected_fen - s.billed_fen
    kind = "cash_short" if diff < 0 else "cash_over"
    yield _stop_flag(facts, s, kind, abs(diff), f"due {s.billed_fen} fen, collected {s.collected_fen} fen")


def payment_terms(facts: DayFacts, s: StopFact) -> Iterator[FlagDict]:
    o = s.outcome
    if o is not None and s.terms and o.payment_method and o.payment_method.value != s.terms:
        yield _stop_flag(
            facts,
            s,
            "payment_terms",
            s.billed_fen,
            f"customer pays {s.terms}, outcome says {o.payment_method.value}",
        )


def receipt_missing(facts: DayFacts, s: StopFact) -> Iterator[FlagDict]:
    if s.outcome is not None and s.collected_fen > 0 and not s.outcome.receipt_number:
        yield _stop_flag(
            facts, s, "receipt_missing", s.collected_fen, "cash collected without a receipt number"
        )


def receipt_differs(facts: DayFacts, s: StopFact) -> Iterator[FlagDict]:
    """The receipt recorded for a stop is the one printed on its delivery note."""
    recorded = s.outcome.receipt_number if s.outcome is not None else None
    if recorded and s.note_receipt and recorded != s.note_receipt:
        yield _stop_flag(
            facts,
            s,
            "receipt_differs",
            s.collected_fen,
            f"receipt {recorded} recorded, but the note printed for the stop carries {s.note_receipt}",
        )


STOP_RULES: tuple[Callable[[DayFacts, StopFact], Iterator[FlagDict]], ...] = (
    outcome_missing,
    refused_goods,
    short_delivery,
    missing_signature,
    cash_at_stop,
    payment_terms,
    receipt_missing,
    receipt_differs,
)


# --- cash and notes per driver / store ------------------------------------------------------------


def driver_rules(facts: DayFacts) -> Iterator[FlagDict]:
    """Handover: cash handed over = cash collected; every signed note returned."""
    route_of: dict[str, str] = {}
    collected: dict[str, int] = defaultdict(int)
    signed: dict[str, int] = defaultdict(int)
    for s in facts.stops:
        if s.driver:
            route_of.setdefault(s.driver, s.route)
            collected[s.driver] += s.collected_fen
            signed[s.driver] += 1 if s.outcome is not None and s.outcome.signed else 0
    for staff in sorted(set(route_of) | set(facts.handovers)):
        hs = facts.handovers.get(staff, [])
        route = route_of.get(staff)
        if not hs:
            if collected[staff]:
                yield _flag(
                    facts,
                    "handover_missing",
                    staff,
                    amount=collected[staff],
                    route=route,
                    driver=staff,
                    detail=f"{staff} collected {collected[staff]} fen and has not handed over",
                )
            continue
        handed = sum(h.counted_fen for h in hs)
        diff = handed - collected[staff]
        if diff:
            kind = "cash_short" if diff < 0 else "cash_over"
            yield _flag(
                facts,
                kind,
                staff,
                amount=abs(diff),
                route=route,
                driver=staff,
                detail=f"{staff} collected {collected[staff]} fen, handed over {handed} fen",
            )
        returned = sum(h.notes_returned for h in hs)
        if returned < signed[staff]:
            yield _flag(
                facts,
                "notes_missing",
                staff,
                amount=0,
                route=route,
                driver=staff,
                detail=f"{staff} returned {returned} of {signed[staff]} signed notes",
            )


def store_rules(facts: DayFacts) -> Iterator[FlagDict]:
    """Each store with routes reports its day; the report agrees with the ledger."""
    per: dict[str, dict[str, int]] = defaultdict(lambda: {"stops": 0, "cases": 0, "cash": 0})
    first_route: dict[str, str] = {}
    for s in facts.stops:
        rf = next(r for r in facts.routes if r.code == s.route)
        if rf.depot_kind != "store":
            continue
        first_route.setdefault(rf.depot, s.route)
        agg = per[rf.depot]
        agg["stops"] += 1 if s.outcome is not None else 0
        agg["cases"] += s.delivered_cases
        agg["cash"] += s.collected_fen
    for store, agg in sorted(per.items()):
        rep = facts.store_reports.get(store)
        route = first_route[store]
        if rep is None and agg["stops"]:  # the store's routes ran (some outcome) but it has not reported
            yield _flag(
                facts,
                "store_report_missing",
                store,
                amount=agg["cash"],
                route=route,
                store=store,
                detail=f"store {store} has not reported its day",
            )
        if rep is None:
            continue
        diffs = [
            f"{name} reported {got}, ledger {want}"
            for name, got, want in (
                ("stops", rep.stops, agg["stops"]),
                ("cases", rep.delivered_cases, agg["cases"]),
                ("cash_fen", rep.cash_fen, agg["cash"]),
            )
            if got != want
        ]
        if diffs:
            yield _flag(
                facts,
                "store_report_mismatch",
                store,
                amount=abs(rep.cash_fen - agg["cash"]),
                route=route,
                store=store,
                detail=f"store {store}: " + "; ".join(diffs),
            )


# --- receipts -------------------------------------------------------------------------------------


def receipt_rules(session: Session, facts: DayFacts) -> Iterator[FlagDict]:
    """A receipt number is used once, belongs to the collector's book, and none is skipped."""
    today = [s for s in facts.stops if s.outcome is not None and s.outcome.receipt_number]
    numbers = {s.outcome.receipt_number for s in today}  # type: ignore[union-attr]
    shared = set(
        session.scalars(
            select(StopOutcome.receipt_number)
            .where(StopOutcome.receipt_number.in_(numbers))
            .group_by(StopOutcome.receipt_number)
            .having(func.count(func.distinct(StopOutcome.stop_id)) > 1)
        )
    )
    books = list(session.scalars(select(ReceiptBook)))
    for s in today:
        num = s.outcome.receipt_number  # type: ignore[union-attr]
        assert num is not None
        others = _current_users(session, num) if num in shared else [s.code]
        if len(others) > 1 and s.code == min(others):
            yield _flag(
                facts,
                "receipt_reuse",
                num,
                amount=s.collected_fen,
                route=s.route,
                stop=s.code,
                driver=s.driver,
                detail=f"receipt {num} is on {len(others)} stops: {', '.join(others)}",
            )
        book = next((b for b in books if b.first_number <= int(num) <= b.last_number), None)
        staff_ids, depot_ids = _holders(facts, s)
        if book is None or (book.staff_id not in staff_ids and book.depot_id not in depot_ids):
            who = "no issued book" if book is None else f"book {book.id} of another holder"
            yield _stop_flag(facts, s, "receipt_unknown", s.collected_fen, f"receipt {num} is from {who}")
    yield from _gaps(session, facts)


def _holders(facts: DayFacts, s: StopFact) -> tuple[set[int], set[int]]:
    staff = facts.staff.get(s.driver) if s.driver else None
    depot = next((d for d in facts.depots.values() if d.code == s.depot), None)
    return ({staff.id} if staff else set()), ({depot.id} if depot and depot.kind == "store" else set())


def _current_users(session: Session, number: str) -> list[str]:
    """Stops whose current outcome carries ``number``."""
    from ledger.outcomes import current_outcome
    from models.planning import PlanStop

    out = []
    for o in session.scalars(select(StopOutcome).where(StopOutcome.receipt_number == number)):
        cur = current_outcome(session, o.stop_id)
        if cur is not None and cur.id == o.id:
            stop = session.get(PlanStop, o.stop_id)
            out.append(stop.code if stop else str(o.stop_id))
    return sorted(out)


def _gaps(session: Session, facts: DayFacts) -> Iterator[FlagDict]:
    staff_ids = {facts.staff[r.driver].id: r.code for r in facts.routes if r.driver in facts.staff}
    depot_ids = {d.id for d in facts.depots.values() if d.code in {r.depot for r in facts.routes}}
    books = session.scalars(
        select(ReceiptBook)
        .where((ReceiptBook.staff_id.in_(staff_ids)) | (ReceiptBook.depot_id.in_(depot_ids)))
        .order_by(ReceiptBook.id)
    )
    pending = {
        n
        for (n,) in session.execute(
            select(DeliveryNote.receipt_number)
            .join(StopOutcome, StopOutcome.stop_id == DeliveryNote.stop_id, isouter=True)
            .where(DeliveryNote.receipt_number.is_not(None), StopOutcome.id.is_(None))
        )
    }
    for book in books:
        lo, hi = format_number(book.first_number), format_number(book.last_number)
        used = {
            int(n or 0)
            for n in session.scalars(
                select(StopOutcome.receipt_number).where(
                    StopOutcome.receipt_number >= lo, StopOutcome.receipt_number <= hi
                )
            )
        }
        void = set(
            session.scalars(
                select(ReceiptEvent.number).where(
                    ReceiptEvent.book_id == book.id, ReceiptEvent.kind == ReceiptEventKind.VOID
                )
            )
        )
        taken = used | void
        if not used:
            continue
        top = max(taken)
        missing = [
            n for n in range(book.first_number, top) if n not in taken and format_number(n) not in pending
        ]
        if missing:
            route = staff_ids.get(book.staff_id) if book.staff_id else None
            yield _flag(
                facts,
                "receipt_gap",
                f"book{book.id}",
                amount=0,
                route=route,
                detail=f"book {book.id}: receipts {_ranges(missing)} neither used nor voided",
            )


def _ranges(ns: list[int]) -> str:
    out, start, prev = [], ns[0], ns[0]
    for n in [*ns[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        out.append(format_number(start) if start == prev else f"{format_number(start)}–{format_number(prev)}")
        if n is not None:
            start = prev = n
    return ", ".join(out[:20]) + (f" (+{len(out) - 20} more)" if len(out) > 20 else "")


__all__ = ["STOP_RULES", "FlagDict", "driver_rules", "receipt_rules", "store_rules"]
