"""Next-morning reconciliation: per route, driver, store and customer, and every difference flagged.

``reconcile(session, date)`` reads (it writes nothing) and returns a
JSON-serialisable dict; money is integer fen. The top level carries at least
``date, stops, signed, billed_fen, collected_fen, handed_over_fen, flags``
(see ``docs/ledger.md`` for every field):

* ``stops``: planned stops of the day's plan (the confirmed version, else the
  latest); ``signed``: of those, how many have a signed note;
* ``billed_fen``: goods delivered × price, from the ledger; ``due_fen``: the
  cash-on-delivery part of it; ``collected_fen``: cash collected at stops;
  ``handed_over_fen``: cash counted at the day's handovers;
* ``flags``: ``{id, kind, route, stop, amount_fen, status, detail, comment, by, at}``;
* ``cash_differences``: each staff member's cash difference at the day's
  handovers and its state (pending, charged, repaid, written_off, …);
  ``pending_cash_differences``: those of any day still waiting for finance;
* ``damaged``: cases damaged in transit per route, depot and product, valued
  at the line price (``damaged_cases``, ``damaged_fen``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

from sqlalchemy.orm import Session

from ledger.facts import DayFacts, StopFact, gather
from ledger.flags import compute_flags
from ledger.postings import check_ledger
from ledger.shortfalls import cash_differences, staff_receivable_code


def reconcile(session: Session, date: dt.date | None = None) -> dict[str, Any]:
    """The reconciliation of ``date`` (default: the latest planned day). Raises NotFound without a plan."""
    facts = gather(session, date)
    flags, cleared = compute_flags(session, facts)
    stops = facts.stops
    with_outcome = [s for s in stops if s.outcome is not None]
    handed = sum(h.counted_fen for hs in facts.handovers.values() for h in hs)
    collected = sum(s.collected_fen for s in stops)
    audit = check_ledger(session)
    differences = cash_differences(session, day=facts.day)
    return {
        "date": facts.day.isoformat(),
        "plan": {"id": facts.plan.id, "version": facts.plan.version, "status": facts.plan.status.value},
        "stops": len(stops),
        "deliveries": sum(1 for s in stops if s.kind == "delivery"),
        "with_outcome": len(with_outcome),
        "outcome_missing": len(stops) - len(with_outcome),
        "signed": sum(1 for s in with_outcome if s.outcome is not None and s.outcome.signed),
        "delivered": _count(with_outcome, "delivered"),
        "short": _count(with_outcome, "short"),
        "refused": _count(with_outcome, "refused"),
        "ordered_cases": sum(s.ordered_cases for s in stops),
        "planned_cases": sum(s.planned_cases for s in stops),
        "delivered_cases": sum(s.delivered_cases for s in stops),
        "planned_fen": sum(s.planned_fen for s in stops),
        "billed_fen": sum(s.billed_fen for s in stops),
        "due_fen": sum(s.billed_fen for s in stops if s.cod),
        "on_account_fen": sum(s.billed_fen for s in stops if s.outcome is not None and not s.cod),
        "collected_fen": collected,
        "handed_over_fen": handed,
        "cash_difference_fen": handed - collected,
        "flag_counts": dict(sorted(Counter(f["kind"] for f in flags).items())),
        "open_flags": sum(1 for f in flags if f["status"] == "open"),
        "flags": flags,
        "cleared_flags": cleared,
        "routes": _routes(facts),
        "drivers": _drivers(facts, differences),
        "stores": _stores(facts),
        "customers": _customers(facts),
        "stop_details": [_stop(s) for s in stops],
        "damaged_cases": sum(s.damaged_cases for s in stops),
        "damaged_fen": sum(s.damaged_fen for s in stops),
        "damaged": _damaged(facts),
        "cash_differences": differences,
        "pending_cash_differences": cash_differences(session, pending_only=True),
        "ledger": {
            "balanced": audit["balanced"],
            "postings": audit["postings"],
            "entries": audit["entries"],
            "total_fen": audit["total_fen"],
        },
    }


def _count(stops: list[StopFact], status: str) -> int:
    return sum(1 for s in stops if s.outcome is not None and s.outcome.status.value == status)


def _sums(stops: list[StopFact]) -> dict[str, int]:
    return {
        "stops": len(stops),
        "with_outcome": sum(1 for s in stops if s.outcome is not None),
        "signed": sum(1 for s in stops if s.outcome is not None and s.outcome.signed),
        "ordered_cases": sum(s.ordered_cases for s in stops),
        "planned_cases": sum(s.planned_cases for s in stops),
        "delivered_cases": sum(s.delivered_cases for s in stops),
        "planned_fen": sum(s.planned_fen for s in stops),
        "billed_fen": sum(s.billed_fen for s in stops),
        "due_fen": sum(s.billed_fen for s in stops if s.cod),
        "collected_fen": sum(s.collected_fen for s in stops),
        "damaged_cases": sum(s.damaged_cases for s in stops),
        "damaged_fen": sum(s.damaged_fen for s in stops),
    }


def _damaged(facts: DayFacts) -> list[dict[str, Any]]:
    """Cases damaged in transit per route, source depot and product: out of saleable stock, not billed."""
    per: dict[tuple[str, str, str], dict[str, Any]] = {}
    for s in facts.stops:
        for d in s.damaged:
            row = per.setdefault(
                (s.route, s.depot, d["product"]),
                {
                    "route": s.route,
                    "depot": s.depot,
                    "product": d["product"],
                    "cases": 0,
                    "value_fen": 0,
                    "stops": [],
                },
            )
            row["cases"] += d["cases"]
            row["value_fen"] += d["value_fen"]
            row["stops"].append(s.code)
    return [per[k] for k in sorted(per)]


def _routes(facts: DayFacts) -> list[dict[str, Any]]:
    out = []
    for r in facts.routes:
        mine = [s for s in facts.stops if s.route == r.code]
        handed = sum(h.counted_fen for h in facts.handovers.get(r.driver or "", []))
        out.append(
            {
                "route": r.code,
                "vehicle": r.vehicle,
                "depot": r.depot,
                "driver": r.driver,
                "driver_name": r.driver_name,
                **_sums(mine),
                "handed_over_fen": handed,
            }
        )
    return out


def _drivers(facts: DayFacts, differences: list[dict[str, Any]]) -> list[dict[str, Any]]:
    codes = sorted({s.driver for s in facts.stops if s.driver} | set(facts.handovers))
    out = []
    for code in codes:
        mine = [s for s in facts.stops if s.driver == code]
        hs = facts.handovers.get(code, [])
        staff = facts.staff.get(code)
        handed = sum(h.counted_fen for h in hs)
        sums = _sums(mine)
        out.append(
            {
                "staff": code,
                "name": staff.name if staff else None,
                "role": staff.role.value if staff else None,
                "routes": sorted({s.route for s in mine}),
                **sums,
                "handed_over_fen": handed,
                "difference_fen": handed - sums["collected_fen"],
                "handovers": len(hs),
                "notes_returned": sum(h.notes_returned for h in hs),
                "handed_to": sorted({facts.depots[h.to_depot_id].code for h in hs}),
                "cash_on_hand_fen": facts.balances.get(f"cash:staff:{code}", 0),
                "cash_difference": next((d for d in differences if d["staff"] == code), None),
                "owes_fen": facts.balances.get(staff_receivable_code(code), 0),
            }
        )
    return out


def _stores(facts: DayFacts) -> list[dict[str, Any]]:
    store_routes: dict[str, list[str]] = defaultdict(list)
    for r in facts.routes:
        if r.depot_kind == "store":
            store_routes[r.depot].append(r.code)
    codes = sorted(set(store_routes) | set(facts.store_reports) | set(facts.remitted))
    out = []
    for code in codes:
        mine = [s for s in facts.stops if s.route in store_routes.get(code, [])]
        depot_id = next((d.id for d in facts.depots.values() if d.code == code), None)
        handed_in = sum(
            h.counted_fen for hs in facts.handovers.values() for h in hs if h.to_depot_id == depot_id
        )
        rep = facts.store_reports.get(code)
        out.append(
            {
                "store": code,
                "routes": store_routes.get(code, []),
                **_sums(mine),
                "handed_in_fen": handed_in,
                "remitted_fen": facts.remitted.get(code, 0),
                "cash_on_hand_fen": facts.balances.get(f"cash:store:{code}", 0),
                "report": None
                if rep is None
                else {
                    "stops": rep.stops,
                    "delivered_cases": rep.delivered_cases,
                    "cash_fen": rep.cash_fen,
                    "note": rep.note,
                },
            }
        )
    return out


def _customers(facts: DayFacts) -> list[dict[str, Any]]:
    per: dict[str, list[StopFact]] = defaultdict(list)
    for s in facts.stops:
        if s.customer:
            per[s.customer].append(s)
    return [
        {
            "customer": code,
            "name": ss[0].customer_name,
            "terms": ss[0].terms,
            **_sums(ss),
            "receivable_fen": facts.balances.get(f"receivable:{code}", 0),
        }
        for code, ss in sorted(per.items())
    ]


def _stop(s: StopFact) -> dict[str, Any]:
    o = s.outcome
    return {
        "stop": s.code,
        "route": s.route,
        "kind": s.kind,
        "customer": s.customer,
        "name": s.customer_name,
        "terms": s.terms,
        "driver": s.driver,
        "planned_cases": s.planned_cases,
        "delivered_cases": s.delivered_cases,
        "damaged_cases": s.damaged_cases,
        "planned_fen": s.planned_fen,
        "billed_fen": s.billed_fen,
        "collected_fen": s.collected_fen,
        "status": o.status.value if o else "missing",
        "version": o.version if o else None,
        "signed": o.signed if o else None,
        "signer": o.signer_name if o else None,
        "receipt_number": o.receipt_number if o else None,
    }


__all__ = ["reconcile"]
