"""What an outcome does to stock and to the source orders.

A delivery draws stock down at the route's depot (movement ``deliver``:
on hand −delivered) and, when the plan was confirmed (so the stop's cases were
reserved), releases the stop's reservation (``deliver`` reserved −delivered,
``release`` for the cases not delivered). Cases a line reports ``damaged``
come back broken: they leave saleable stock at the source depot for its
damaged stock (``damaged``: on hand −n, damaged +n, and their reservation
released) and nothing puts them back on sale. A replenishment stop moves stock
from the centre (``transfer_out``) to the store (``transfer_in``). Movements
are append-only; ``depot_stock`` balances change in the same transaction, by
exactly the movement's deltas, so a correction can reverse them exactly.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ledger.orm import OutcomeStatus
from ledger.tx import dialect, lock
from models.enums import OrderStatus, can_transition
from models.lifecycle import note, transition
from models.orm import Depot, DepotStock, Order, Product
from models.planning import (
    DispatchOrder,
    DispatchStatus,
    Plan,
    PlanRoute,
    PlanStatus,
    PlanStop,
    StockMovement,
    StopKind,
)


def _row(session: Session, depot_id: int, product_id: int) -> DepotStock:
    q = select(DepotStock).where(DepotStock.depot_id == depot_id, DepotStock.product_id == product_id)
    row = lock(session, q)
    if row is None:  # first stock of this product here; a concurrent writer may create it too
        ins = postgresql.insert if dialect(session) == "postgresql" else sqlite.insert
        session.execute(
            ins(DepotStock)
            .values(
                depot_id=depot_id,
                product_id=product_id,
                on_hand_cases=0,
                reserved_cases=0,
                safety_cases=0,
                damaged_cases=0,
            )
            .on_conflict_do_nothing(index_elements=["depot_id", "product_id"])
        )
        row = lock(session, q)
    assert row is not None
    return row


def _move(
    session: Session,
    *,
    depot_id: int,
    product_id: int,
    on_hand: int,
    reserved: int,
    reason: str,
    plan_id: int,
    stop_id: int,
    actor: str,
    note: str,
    damaged: int = 0,
) -> int | None:
    """Apply a stock change (clamped so balances never go negative) and record the applied deltas.

    ``damaged`` moves cases between saleable and damaged stock (``on_hand`` must
    be its opposite): what leaves one enters the other, clamped to what is there.
    """
    row = _row(session, depot_id, product_id)
    if damaged:
        assert on_hand == -damaged, "a damaged-stock move takes from one balance what it gives the other"
        n = min(abs(damaged), row.on_hand_cases if damaged > 0 else row.damaged_cases)
        damaged = n if damaged > 0 else -n
        on_hand = -damaged
    on_hand = max(on_hand, -row.on_hand_cases)
    reserved = max(reserved, -row.reserved_cases)
    if on_hand == 0 and reserved == 0 and damaged == 0:
        return None
    session.execute(
        update(DepotStock)
        .where(DepotStock.id == row.id)
        .values(
            on_hand_cases=DepotStock.on_hand_cases + on_hand,
            reserved_cases=DepotStock.reserved_cases + reserved,
            damaged_cases=DepotStock.damaged_cases + damaged,
        )
    )
    m = StockMovement(
        depot_id=depot_id,
        product_id=product_id,
        on_hand_delta=on_hand,
        reserved_delta=reserved,
        damaged_delta=damaged,
        reason=reason,
        plan_id=plan_id,
        stop_id=stop_id,
        actor=actor,
        note=note,
    )
    session.add(m)
    session.flush()
    session.expire(row)
    return m.id


def apply_stock(
    session: Session,
    stop: PlanStop,
    route: PlanRoute,
    plan: Plan,
    delivered: dict[str, int],
    *,
    actor: str,
    note: str,
    damaged: dict[str, int] | None = None,
) -> list[int]:
    """Record the stock movements of a stop's outcome; returns their ids (stored on the outcome).

    ``damaged``: cases per product that came back damaged (of those not delivered).
    """
    damaged = damaged or {}
    products = {p.code: p.id for p in session.scalars(select(Product))}
    reserved = plan.status == PlanStatus.CONFIRMED
    centre = session.scalars(select(Depot).where(Depot.kind == "centre")).first()
    source = route.depot_id if stop.kind == StopKind.DELIVERY else (centre.id if centre else route.depot_id)
    out_reason = "deliver" if stop.kind == StopKind.DELIVERY else "transfer_out"
    ids: list[int | None] = []
    # lock stock rows in one global order (depot, product) so concurrent outcomes never deadlock
    for ln in sorted(stop.lines or [], key=lambda x: products[x["product"]]):
        pid, planned = products[ln["product"]], int(ln["cases"])
        d = delivered.get(ln["product"], 0)
        broken = min(damaged.get(ln["product"], 0), planned - d)
        ids.append(
            _move(
                session,
                depot_id=source,
                product_id=pid,
                on_hand=-d,
                reserved=-d if reserved else 0,
                reason=out_reason,
                plan_id=plan.id,
                stop_id=stop.id,
                actor=actor,
                note=note,
            )
        )
        if broken > 0:
            ids.append(
                _move(
                    session,
                    depot_id=source,
                    product_id=pid,
                    on_hand=-broken,
                    reserved=-broken if reserved else 0,
                    damaged=broken,
                    reason="damaged",
                    plan_id=plan.id,
                    stop_id=stop.id,
                    actor=actor,
                    note=f"{note}: damaged",
                )
            )
        if reserved and planned > d + broken:
            ids.append(
                _move(
                    session,
                    depot_id=source,
                    product_id=pid,
                    on_hand=0,
                    reserved=-(planned - d - broken),
                    reason="release",
                    plan_id=plan.id,
                    stop_id=stop.id,
                    actor=actor,
                    note=f"{note}: not delivered",
                )
            )
    if stop.kind == StopKind.REPLENISHMENT and stop.target_depot_id is not None:
        for ln in sorted(stop.lines or [], key=lambda x: products[x["product"]]):
            d = delivered.get(ln["product"], 0)
            ids.append(
                _move(
                    session,
                    depot_id=stop.target_depot_id,
                    product_id=products[ln["product"]],
                    on_hand=d,
                    reserved=0,
                    reason="transfer_in",
                    plan_id=plan.id,
                    stop_id=stop.id,
                    actor=actor,
                    note=note,
                )
            )
    return [i for i in ids if i is not None]


def reverse_stock(session: Session, movement_ids: list[int], *, actor: str, note: str) -> list[int]:
    """Undo movements exactly: the same reasons with the deltas negated."""
    out: list[int] = []
    moves = list(session.scalars(select(StockMovement).where(StockMovement.id.in_(movement_ids))))
    for m in sorted(moves, key=lambda m: (m.depot_id, m.product_id, m.id)):
        new = _move(
            session,
            depot_id=m.depot_id,
            product_id=m.product_id,
            on_hand=-m.on_hand_delta,
            reserved=-m.reserved_delta,
            damaged=-m.damaged_delta,
            reason=m.reason,
            plan_id=m.plan_id or 0,
            stop_id=m.stop_id or 0,
            actor=actor,
            note=f"{note}: reverses movement {m.id}",
        )
        if new is not None:
            out.append(new)
    return out


_ORDER_STATUS = {
    OutcomeStatus.DELIVERED: OrderStatus.DELIVERED,
    OutcomeStatus.SHORT: OrderStatus.SHORT,
    OutcomeStatus.REFUSED: OrderStatus.REFUSED,
}


def advance_orders(
    session: Session,
    stop: PlanStop,
    status: OutcomeStatus,
    *,
    actor: str,
    reason: str,
    detail: dict[str, Any],
) -> int:
    """Move the stop's source orders to delivered / short / refused, with an audit event each.

    The consolidated dispatch order becomes ``delivered`` when anything was
    delivered, and goes back to ``planned`` when a correction makes it a refusal.
    """
    if stop.dispatch_order_id is None:
        return 0
    d = session.get(DispatchOrder, stop.dispatch_order_id)
    if d is not None and d.status in (DispatchStatus.PLANNED, DispatchStatus.DELIVERED):
        d.status = DispatchStatus.PLANNED if status == OutcomeStatus.REFUSED else DispatchStatus.DELIVERED
    new = _ORDER_STATUS[status]
    n = 0
    for o in session.scalars(select(Order).where(Order.dispatch_order_id == stop.dispatch_order_id)):
        if o.status == new:
            note(o, reason, actor, detail=detail)  # a correction that restates the status
        elif can_transition(o.status, new):
            transition(o, new, reason, actor, detail=detail)
        else:
            continue
        n += 1
    return n


__all__ = ["advance_orders", "apply_stock", "reverse_stock"]
