"""Cash that goes missing (or turns up) at handover, and finance's decisions on it.

At a handover the counted cash moves to the centre (or the store); whatever
the ledger says the staff member still holds is then a **cash difference**:
it moves off their cash account to their suspense account
``cash_diff:staff:<code>`` (debit: short, credit: over), so ``cash:staff`` is
back to zero and the difference waits for finance. One difference per staff
member and handover day (several handovers on a day net out).

Finance decides, with a reason, per staff member and day:

=========================  ================================  ===============================
decision                   debit (+)                         credit (−)
=========================  ================================  ===============================
``charge`` (short)         ``receivable:staff:<code>``       ``cash_diff:staff:<code>``
``write_off`` (short)      ``expense:cash_write_off``        ``cash_diff:staff:<code>``
``other_income`` (over)    ``cash_diff:staff:<code>``        ``revenue:other_income``
``return`` (over)          ``cash_diff:staff:<code>``        ``cash:centre`` / ``cash:store:…``
``repay`` (charged short)  ``cash:centre`` / ``cash:store:…``  ``receivable:staff:<code>``
=========================  ================================  ===============================

Each is a balanced posting plus a ``cash_decisions`` row (reason, actor,
date), idempotent on its key like every ledger write. A repayment pays the
oldest charged shortfalls first. :func:`cash_differences` lists each
difference with what was decided and its state: ``pending``, ``charged``,
``repaid``, ``written_off`` (short) or ``other_income``, ``returned`` (over).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ledger.orm import (
    AccountType,
    CashDecision,
    CashDecisionAction,
    Entry,
    Handover,
    LedgerAccount,
    Posting,
    PostingKind,
)
from ledger.postings import balance, depot_cash_spec, ensure_accounts, post, staff_cash_spec
from ledger.schemas import CashDecisionIn, RepaymentIn, parse
from ledger.tx import begin_write, content_hash, lock
from models import clock
from models.errors import Conflict, InputError
from models.orm import Depot, Staff

WRITE_OFF = "expense:cash_write_off"
OTHER_INCOME = "revenue:other_income"
A = CashDecisionAction
_SHORT_ACTIONS = (A.CHARGE, A.WRITE_OFF)
_PAST = {
    A.CHARGE: "charged",
    A.WRITE_OFF: "written_off",
    A.OTHER_INCOME: "other_income",
    A.RETURN: "returned",
    A.REPAY: "repaid",
}
_KIND = {
    A.CHARGE: PostingKind.SHORTFALL_CHARGED,
    A.WRITE_OFF: PostingKind.SHORTFALL_WRITTEN_OFF,
    A.OTHER_INCOME: PostingKind.OVERAGE_INCOME,
    A.RETURN: PostingKind.OVERAGE_RETURNED,
    A.REPAY: PostingKind.STAFF_REPAYMENT,
}


# --- accounts --------------------------------------------------------------------------------------


def suspense_code(staff_code: str) -> str:
    return f"cash_diff:staff:{staff_code}"


def staff_receivable_code(staff_code: str) -> str:
    return f"receivable:staff:{staff_code}"


def suspense_spec(s: Staff) -> dict[str, Any]:
    return {
        "code": suspense_code(s.code),
        "type": AccountType.SUSPENSE,
        "name": f"现金差异待处理 cash differences {s.name}"[:100],
        "staff_id": s.id,
    }


def staff_receivable_spec(s: Staff) -> dict[str, Any]:
    return {
        "code": staff_receivable_code(s.code),
        "type": AccountType.RECEIVABLE,
        "name": f"员工欠款 owed by {s.name}"[:100],
        "staff_id": s.id,
    }


def write_off_spec() -> dict[str, Any]:
    return {"code": WRITE_OFF, "type": AccountType.EXPENSE, "name": "现金短款核销 cash written off"}


def other_income_spec() -> dict[str, Any]:
    return {"code": OTHER_INCOME, "type": AccountType.REVENUE, "name": "其他收入 other income (cash over)"}


# --- at the handover ---------------------------------------------------------------------------------


def post_cash_difference(
    session: Session, staff: Staff, handover: Handover, *, held: int, key: str, request_hash: str, actor: str
) -> str | None:
    """Move what is left on the staff member's cash account after ``handover`` to their suspense account.

    ``held`` is what they held before it; returns the posting id (``None`` when nothing is left).
    """
    diff = held - handover.counted_fen  # > 0: cash short; < 0: cash over
    if diff == 0:
        return None
    acc = ensure_accounts(session, [staff_cash_spec(staff), suspense_spec(staff)])
    what = "short" if diff > 0 else "over"
    return post(
        session,
        kind=PostingKind.CASH_DIFFERENCE,
        key=f"{key}/difference",
        request_hash=request_hash,
        value_date=handover.on_date,
        legs=[(acc[suspense_code(staff.code)], diff), (acc[f"cash:staff:{staff.code}"], -diff)],
        actor=actor,
        handover_id=handover.id,
        memo=f"cash {what} {abs(diff)} fen at the handover of {staff.code}: pending a finance decision",
    )


# --- reading: the differences and their state ------------------------------------------------------


def _amounts(session: Session, staff_ids: set[int] | None) -> dict[tuple[int, dt.date], int]:
    """Signed difference (+ short, − over) per (staff id, handover day), from the ledger."""
    q = (
        select(Handover.staff_id, Handover.on_date, func.sum(Entry.amount_fen))
        .join(Posting, Posting.handover_id == Handover.id)
        .join(Entry, Entry.posting_id == Posting.id)
        .join(LedgerAccount, LedgerAccount.id == Entry.account_id)
        .where(Posting.kind == PostingKind.CASH_DIFFERENCE, LedgerAccount.type == AccountType.SUSPENSE)
        .group_by(Handover.staff_id, Handover.on_date)
    )
    if staff_ids is not None:
        q = q.where(Handover.staff_id.in_(staff_ids))
    return {(sid, day): int(total) for sid, day, total in session.execute(q)}


def _decision_dict(
    d: CashDecision, staff: Staff, depot: Depot | None, *, replayed: bool | None = None
) -> dict[str, Any]:
    out = {
        "id": d.id,
        "staff": staff.code,
        "action": d.action.value,
        "date": d.difference_date.isoformat() if d.difference_date else None,
        "decided_on": d.value_date.isoformat(),
        "amount_fen": d.amount_fen,
        "reason": d.reason,
        "depot": depot.code if depot else None,
        "posting": d.posting_id,
        "by": d.actor,
        "at": d.at.isoformat(),
    }
    if replayed is not None:
        out["replayed"] = replayed
    return out


def _state(r: dict[str, Any]) -> str:
    """pending, else what finance did: charged (until repaid), repaid, written_off, returned, other_income."""
    if r["pending_fen"]:
        return "pending"
    if r["charged_fen"]:
        return "repaid" if r["repaid_fen"] >= r["charged_fen"] else "charged"
    for name in ("written_off", "returned", "other_income"):
        if r[f"{name}_fen"]:
            return name
    return "settled"  # several handovers of the day net to nothing


def cash_differences(
    session: Session,
    *,
    staff: str | None = None,
    day: dt.date | None = None,
    pending_only: bool = False,
) -> list[dict[str, Any]]:
    """Every staff member's cash difference per handover day, with finance's decisions and its state.

    ``difference_fen`` is counted − held (negative: short), as at the handover;
    ``pending_fen`` what still waits for a decision (always ≥ 0).
    """
    people = {s.id: s for s in session.scalars(select(Staff))}
    ids = None
    if staff is not None:
        ids = {i for i, s in people.items() if s.code == staff}
        if not ids:
            raise InputError.single("staff", "no such staff member", value=staff)
    amounts = _amounts(session, ids)
    q = select(CashDecision).order_by(CashDecision.id)
    if ids is not None:
        q = q.where(CashDecision.staff_id.in_(ids))
    decisions = list(session.scalars(q))
    depots = {d.id: d for d in session.scalars(select(Depot))}
    per: dict[tuple[int, dt.date], list[CashDecision]] = defaultdict(list)
    repaid_total: dict[int, int] = defaultdict(int)
    for d in decisions:
        if d.action == A.REPAY:
            repaid_total[d.staff_id] += d.amount_fen
        else:
            assert d.difference_date is not None
            per[(d.staff_id, d.difference_date)].append(d)
    rows: list[tuple[int, dict[str, Any]]] = []
    for sid, on in sorted(set(amounts) | set(per), key=lambda k: (k[1], people[k[0]].code)):
        signed = amounts.get((sid, on), 0)
        got = {f"{a}_fen": 0 for a in ("charged", "written_off", "other_income", "returned", "repaid")}
        for d in per[(sid, on)]:
            got[f"{_PAST[d.action]}_fen"] += d.amount_fen
        remaining = (
            signed
            - got["charged_fen"]
            - got["written_off_fen"]
            + got["other_income_fen"]
            + got["returned_fen"]
        )
        rows.append(
            (
                sid,
                {
                    "id": f"{on.isoformat()}/{people[sid].code}",
                    "staff": people[sid].code,
                    "name": people[sid].name,
                    "date": on.isoformat(),
                    "kind": "short" if signed > 0 else "over" if signed < 0 else "none",
                    "difference_fen": -signed,
                    "amount_fen": abs(signed),
                    **got,
                    "pending_fen": abs(remaining),
                    "pending_kind": "short" if remaining > 0 else "over" if remaining < 0 else None,
                    "decisions": [
                        _decision_dict(d, people[sid], depots.get(d.depot_id or 0)) for d in per[(sid, on)]
                    ],
                },
            )
        )
    out = []
    for sid, r in rows:  # oldest first: a repayment pays the oldest charged shortfalls first
        r["repaid_fen"] = take = min(repaid_total[sid], r["charged_fen"])
        repaid_total[sid] -= take
        r["state"] = _state(r)
        if (day is None or r["date"] == day.isoformat()) and (r["pending_fen"] or not pending_only):
            out.append(r)
    return out


def difference(session: Session, staff: str, day: dt.date) -> dict[str, Any] | None:
    """One staff member's cash difference of ``day`` (``None`` if there is none)."""
    return next(iter(cash_differences(session, staff=staff, day=day)), None)


# --- writing: decisions and repayments -------------------------------------------------------------


def _key(key: str) -> str:
    if not isinstance(key, str) or not key.strip() or len(key) > 150:
        raise InputError.single("idempotency_key", "must be 1–150 characters", value=key)
    return key.strip()


def _actor(actor: str) -> str:
    if not isinstance(actor, str) or not actor.strip() or len(actor) > 64:
        raise InputError.single("actor", "say who decides (1–64 characters)", value=actor)
    return actor.strip()


def _staff(session: Session, code: str) -> Staff:
    s = lock(session, select(Staff).where(Staff.code == code))
    if s is None:
        raise InputError.single("staff", "no such staff member", value=code)
    return s


def _depot(session: Session, code: str | None, fallback: int | None = None) -> Depot:
    if code is not None:
        d = session.scalars(select(Depot).where(Depot.code == code)).first()
        if d is None:
            raise InputError.single("to", "no such depot", value=code)
        return d
    if fallback is not None:
        d = session.get(Depot, fallback)
        if d is not None:
            return d
    return session.scalars(select(Depot).where(Depot.kind == "centre")).one()


def _prior(session: Session, key: str, h: str) -> CashDecision | None:
    prior = session.scalars(select(CashDecision).where(CashDecision.idempotency_key == key)).first()
    if prior is not None and prior.content_hash != h:
        raise Conflict(f"idempotency key {key!r} was already used for a different request")
    return prior


def _result(session: Session, row: CashDecision, *, replayed: bool) -> dict[str, Any]:
    """A decision as written (or replayed), with its difference's state now (a repayment: what is owed)."""
    staff = session.get(Staff, row.staff_id)
    assert staff is not None
    out = _decision_dict(
        row, staff, session.get(Depot, row.depot_id) if row.depot_id else None, replayed=replayed
    )
    if row.difference_date is None:
        out["owes_fen"] = balance(session, staff_receivable_code(staff.code))
    else:
        out["difference"] = difference(session, staff.code, row.difference_date)
    return out


def _write(session: Session, key: str, h: str, write: Any) -> dict[str, Any]:
    """Run ``write`` in a savepoint; a concurrent writer of the same key is answered as a replay."""
    try:
        with session.begin_nested():
            return write()
    except IntegrityError:
        prior = _prior(session, key, h)
        if prior is not None:
            return _result(session, prior, replayed=True)
        raise


def _decide(
    session: Session,
    data: CashDecisionIn | dict[str, Any],
    action: CashDecisionAction,
    *,
    idempotency_key: str,
    actor: str,
) -> dict[str, Any]:
    d = parse(CashDecisionIn, data)
    key, actor = _key(idempotency_key), _actor(actor)
    begin_write(session)
    staff = _staff(session, d.staff)
    h = content_hash({"op": action.value, **d.model_dump(mode="json")})
    prior = _prior(session, key, h)
    if prior is not None:
        return _result(session, prior, replayed=True)
    on = d.decided_on or clock.today()
    if on < d.on_date:
        raise InputError.single(
            "decided_on", f"a decision cannot precede the handover of {d.on_date}", value=on.isoformat()
        )
    diff = difference(session, staff.code, d.on_date)
    want = "short" if action in _SHORT_ACTIONS else "over"
    if diff is None or diff["pending_kind"] != want:
        now = "none" if diff is None else f"{diff['state']}, {diff['pending_fen']} fen pending"
        raise InputError.single(
            "on_date",
            f"{staff.code} has no cash {want} pending a decision on that day ({now})",
            value=d.on_date.isoformat(),
        )
    amount = d.amount_fen or diff["pending_fen"]
    if amount > diff["pending_fen"]:
        raise InputError.single(
            "amount_fen", f"more than the {diff['pending_fen']} fen still pending", value=amount
        )
    depot = None
    if action == A.RETURN:
        last = session.scalars(
            select(Handover.to_depot_id)
            .where(Handover.staff_id == staff.id, Handover.on_date == d.on_date)
            .order_by(Handover.id.desc())
        ).first()
        depot = _depot(session, d.to, last)
    elif d.to is not None:
        raise InputError.single("to", "only returning an overage pays cash out of a depot", value=d.to)
    other = {
        A.CHARGE: staff_receivable_spec(staff),
        A.WRITE_OFF: write_off_spec(),
        A.OTHER_INCOME: other_income_spec(),
        A.RETURN: depot_cash_spec(depot) if depot else None,
    }[action]
    assert other is not None
    susp = suspense_spec(staff)
    acc = ensure_accounts(session, [susp, other])
    sign = 1 if want == "short" else -1  # short: other +, suspense −; over: suspense +, other −
    legs = [(acc[other["code"]], sign * amount), (acc[susp["code"]], -sign * amount)]

    def write() -> dict[str, Any]:
        pid = post(
            session,
            kind=_KIND[action],
            key=f"{key}/decision",
            request_hash=h,
            value_date=on,
            legs=legs,
            actor=actor,
            memo=f"{action.value} the cash {want} of {staff.code} on {d.on_date}: {d.reason}",
        )
        row = CashDecision(
            idempotency_key=key,
            content_hash=h,
            staff_id=staff.id,
            action=action,
            difference_date=d.on_date,
            value_date=on,
            amount_fen=amount,
            reason=d.reason,
            depot_id=depot.id if depot else None,
            posting_id=pid,
            actor=actor,
        )
        session.add(row)
        session.flush()
        return _result(session, row, replayed=False)

    return _write(session, key, h, write)


def charge_shortfall(
    session: Session, data: CashDecisionIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> dict[str, Any]:
    """Finance charges a cash shortfall to the staff member: it becomes their debt (``receivable:staff``)."""
    return _decide(session, data, A.CHARGE, idempotency_key=idempotency_key, actor=actor)


def write_off_shortfall(
    session: Session, data: CashDecisionIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> dict[str, Any]:
    """Finance writes a cash shortfall off as the company's loss (``expense:cash_write_off``)."""
    return _decide(session, data, A.WRITE_OFF, idempotency_key=idempotency_key, actor=actor)


def overage_to_income(
    session: Session, data: CashDecisionIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> dict[str, Any]:
    """Finance keeps a cash overage as other income (``revenue:other_income``)."""
    return _decide(session, data, A.OTHER_INCOME, idempotency_key=idempotency_key, actor=actor)


def return_overage(
    session: Session, data: CashDecisionIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> dict[str, Any]:
    """Finance pays a cash overage back out of the depot that took it in (or ``to``)."""
    return _decide(session, data, A.RETURN, idempotency_key=idempotency_key, actor=actor)


def record_staff_repayment(
    session: Session, data: RepaymentIn | dict[str, Any], *, idempotency_key: str, actor: str
) -> dict[str, Any]:
    """A staff member pays a charged shortfall back in cash: centre (or store) cash +, their receivable −."""
    d = parse(RepaymentIn, data)
    key, actor = _key(idempotency_key), _actor(actor)
    begin_write(session)
    staff = _staff(session, d.staff)
    h = content_hash({"op": "repay", **d.model_dump(mode="json")})
    prior = _prior(session, key, h)
    if prior is not None:
        return _result(session, prior, replayed=True)
    recv = staff_receivable_spec(staff)
    owed = balance(session, recv["code"])
    if d.amount_fen > owed:
        raise InputError.single("amount_fen", f"{staff.code} owes {owed} fen", value=d.amount_fen)
    depot = _depot(session, d.to)
    desk = depot_cash_spec(depot)
    acc = ensure_accounts(session, [recv, desk])

    def write() -> dict[str, Any]:
        pid = post(
            session,
            kind=PostingKind.STAFF_REPAYMENT,
            key=f"{key}/repayment",
            request_hash=h,
            value_date=d.on_date,
            legs=[(acc[desk["code"]], d.amount_fen), (acc[recv["code"]], -d.amount_fen)],
            actor=actor,
            memo=f"repayment by {staff.code} at {depot.code}: {d.reason}",
        )
        row = CashDecision(
            idempotency_key=key,
            content_hash=h,
            staff_id=staff.id,
            action=A.REPAY,
            difference_date=None,
            value_date=d.on_date,
            amount_fen=d.amount_fen,
            reason=d.reason,
            depot_id=depot.id,
            posting_id=pid,
            actor=actor,
        )
        session.add(row)
        session.flush()
        return _result(session, row, replayed=False)

    return _write(session, key, h, write)


__all__ = [
    "OTHER_INCOME",
    "WRITE_OFF",
    "cash_differences",
    "charge_shortfall",
    "difference",
    "overage_to_income",
    "post_cash_difference",
    "record_staff_repayment",
    "return_overage",
    "staff_receivable_code",
    "suspense_code",
    "write_off_shortfall",
]
