"""The facts of one delivery day, gathered once for reconciliation: stops, outcomes, ledger, cash.

Amounts billed and collected per stop are read from the ledger (the entries
of the postings of that stop's outcomes, reversals included), not from the
outcome rows, so reconciliation checks the books themselves.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ledger.orm import (
    AccountType,
    Entry,
    Handover,
    LedgerAccount,
    Posting,
    PostingKind,
    StopOutcome,
    StoreReport,
)
from ledger.postings import balances
from models.orm import Customer, Depot, Staff
from models.planning import DeliveryNote, DispatchOrder, Plan, PlanRoute, PlanStop, StopKind
from services.planning import find_plan


@dataclass
class StopFact:
    code: str
    seq: int
    route: str
    kind: str
    driver: str | None
    depot: str
    customer: str | None
    customer_name: str
    terms: str | None
    lines: list[dict[str, Any]]
    outcome: StopOutcome | None = None
    billed_fen: int = 0
    collected_fen: int = 0
    note_receipt: str | None = None

    @property
    def ordered_cases(self) -> int:
        return sum(int(ln.get("ordered_cases", ln["cases"])) for ln in self.lines)

    @property
    def planned_cases(self) -> int:
        return sum(int(ln["cases"]) for ln in self.lines)

    @property
    def planned_fen(self) -> int:
        """The value of what was loaded for the stop (0 for a store replenishment)."""
        if self.kind != StopKind.DELIVERY:
            return 0
        return sum(int(ln["cases"]) * int(ln["price_fen"]) for ln in self.lines)

    @property
    def delivered_cases(self) -> int:
        return sum(ln["delivered_cases"] for ln in self.outcome.lines) if self.outcome else 0

    @property
    def damaged(self) -> list[dict[str, Any]]:
        """The outcome's lines with cases damaged in transit: product, cases, line price, value."""
        if self.outcome is None:
            return []
        return [
            {
                "product": ln["product"],
                "cases": ln["planned_cases"] - ln["delivered_cases"],
                "price_fen": ln["price_fen"],
                "value_fen": (ln["planned_cases"] - ln["delivered_cases"]) * ln["price_fen"],
            }
            for ln in self.outcome.lines
            if ln.get("shortfall") == "damaged" and ln["planned_cases"] > ln["delivered_cases"]
        ]

    @property
    def damaged_cases(self) -> int:
        return sum(d["cases"] for d in self.damaged)

    @property
    def damaged_fen(self) -> int:
        return sum(d["value_fen"] for d in self.damaged)

    @property
    def cod(self) -> bool:
        return bool(
            self.outcome and self.outcome.payment_method and self.outcome.payment_method.value == "cod"
        )


@dataclass
class RouteFact:
    code: str
    vehicle: str
    depot: str
    depot_kind: str
    driver: str | None
    driver_name: str | None


@dataclass
class DayFacts:
    day: dt.date
    plan: Plan
    routes: list[RouteFact]
    stops: list[StopFact]
    handovers: dict[str, list[Handover]] = field(default_factory=dict)  # staff code →
    staff: dict[str, Staff] = field(default_factory=dict)
    store_reports: dict[str, StoreReport] = field(default_factory=dict)  # store code → latest
    remitted: dict[str, int] = field(default_factory=dict)  # store code → fen paid in that day
    depots: dict[int, Depot] = field(default_factory=dict)
    balances: dict[str, int] = field(default_factory=dict)  # account code → balance (all time)


def gather(session: Session, day: dt.date | None) -> DayFacts:
    """Everything reconciliation needs about ``day`` (default: the latest planned day)."""
    plan = find_plan(session, date=day)
    day = plan.delivery_date
    depots = {d.id: d for d in session.scalars(select(Depot))}
    staff_by_id = {s.id: s for s in session.scalars(select(Staff))}
    routes_q = (
        select(PlanRoute)
        .where(PlanRoute.plan_id == plan.id)
        .order_by(PlanRoute.number)
        .options(
            selectinload(PlanRoute.vehicle),
            selectinload(PlanRoute.stops)
            .selectinload(PlanStop.dispatch_order)
            .selectinload(DispatchOrder.customer),
        )
    )
    routes: list[RouteFact] = []
    stops: list[StopFact] = []
    for r in session.scalars(routes_q):
        drv = staff_by_id.get(r.driver_id) if r.driver_id else None
        depot = depots[r.depot_id]
        routes.append(
            RouteFact(
                code=r.code,
                vehicle=r.vehicle.plate,
                depot=depot.code,
                depot_kind=depot.kind.value,
                driver=drv.code if drv else None,
                driver_name=drv.name if drv else None,
            )
        )
        for s in r.stops:
            c: Customer | None = s.dispatch_order.customer if s.dispatch_order else None
            target = depots.get(s.target_depot_id) if s.target_depot_id else None
            stops.append(
                StopFact(
                    code=s.code,
                    seq=s.seq,
                    route=r.code,
                    kind=s.kind.value,
                    driver=drv.code if drv else None,
                    depot=depot.code,
                    customer=c.code if c else None,
                    customer_name=c.name if c else (target.name_zh if target else ""),
                    terms=c.payment_terms.value if c else None,
                    lines=list(s.lines or []),
                )
            )
    facts = DayFacts(
        day=day,
        plan=plan,
        routes=routes,
        stops=stops,
        depots=depots,
        staff={s.code: s for s in staff_by_id.values()},
    )
    _outcomes(session, plan, facts)
    _cash(session, facts)
    return facts


def _outcomes(session: Session, plan: Plan, facts: DayFacts) -> None:
    by_code = {s.code: s for s in facts.stops}
    ids = dict(session.execute(select(PlanStop.id, PlanStop.code).where(PlanStop.plan_id == plan.id)).all())
    latest = (
        select(StopOutcome.stop_id, func.max(StopOutcome.version).label("v"))
        .where(StopOutcome.stop_id.in_(ids))
        .group_by(StopOutcome.stop_id)
        .subquery()
    )
    q = select(StopOutcome).join(
        latest, (latest.c.stop_id == StopOutcome.stop_id) & (latest.c.v == StopOutcome.version)
    )
    for o in session.scalars(q):
        by_code[ids[o.stop_id]].outcome = o
    money = (
        select(StopOutcome.stop_id, LedgerAccount.type, func.sum(Entry.amount_fen))
        .join(Posting, Posting.outcome_id == StopOutcome.id)
        .join(Entry, Entry.posting_id == Posting.id)
        .join(LedgerAccount, LedgerAccount.id == Entry.account_id)
        .where(StopOutcome.stop_id.in_(ids))
        .group_by(StopOutcome.stop_id, LedgerAccount.type)
    )
    for stop_id, typ, total in session.execute(money):
        f = by_code[ids[stop_id]]
        if typ == AccountType.REVENUE:
            f.billed_fen = -int(total)
        elif typ == AccountType.CASH:
            f.collected_fen = int(total)
    for stop_id, receipt in session.execute(
        select(DeliveryNote.stop_id, DeliveryNote.receipt_number).where(DeliveryNote.stop_id.in_(ids))
    ):
        by_code[ids[stop_id]].note_receipt = receipt


def _cash(session: Session, facts: DayFacts) -> None:
    by_staff: dict[str, list[Handover]] = defaultdict(list)
    staff_code = {s.id: c for c, s in facts.staff.items()}
    for h in session.scalars(select(Handover).where(Handover.on_date == facts.day).order_by(Handover.id)):
        by_staff[staff_code[h.staff_id]].append(h)
    facts.handovers = dict(by_staff)
    for rep in session.scalars(
        select(StoreReport).where(StoreReport.on_date == facts.day).order_by(StoreReport.id)
    ):
        facts.store_reports[facts.depots[rep.depot_id].code] = rep  # the latest report counts
    q = (
        select(LedgerAccount.depot_id, func.sum(Entry.amount_fen))
        .join(Entry, Entry.account_id == LedgerAccount.id)
        .join(Posting, Posting.id == Entry.posting_id)
        .where(
            Posting.kind == PostingKind.REMITTANCE,
            Posting.value_date == facts.day,
            LedgerAccount.type == AccountType.CASH,
            Entry.amount_fen < 0,
        )
    )
    for depot_id, total in session.execute(q.group_by(LedgerAccount.depot_id)):
        if depot_id is not None:
            facts.remitted[facts.depots[depot_id].code] = -int(total)
    facts.balances = balances(session)


__all__ = ["DayFacts", "RouteFact", "StopFact", "gather"]
