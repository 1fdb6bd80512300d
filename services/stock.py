"""Goods received and counted adjustments of a depot's stock: one writer, one movement each.

Stock rows are changed only by append-only movements (``stock_movements``);
this module owns the ones a person makes: a receipt (a salt-factory delivery,
厂方直配) and a counted adjustment. Plans reserve stock and outcomes draw it
down elsewhere (:mod:`services.plan_ops`, :mod:`ledger.stock`).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ledger.tx import lock
from models.errors import InputError
from models.orm import Depot, DepotStock, Product
from models.planning import StockMovement

REASONS = ("receipt", "adjust")


@dataclass(frozen=True)
class StockLevel:
    depot: str
    product: str
    on_hand: int
    reserved: int
    safety: int

    @property
    def free(self) -> int:
        return self.on_hand - self.reserved


def adjust_stock(
    session: Session,
    *,
    depot: Depot,
    product: str,
    on_hand_delta: int,
    reason: str,
    note: str = "",
    actor: str = "system",
) -> StockLevel:
    """Record goods received (``receipt``) or a counted adjustment (``adjust``) at ``depot``.

    Raises :class:`InputError` for an unknown product or reason, a non-integer
    delta, or a delta that would leave negative stock.
    """
    if reason not in REASONS:
        raise InputError.single("reason", f"must be one of {', '.join(REASONS)}", value=reason)
    if isinstance(on_hand_delta, bool) or not isinstance(on_hand_delta, int):
        raise InputError.single("on_hand_delta", "must be a whole number of cases", value=on_hand_delta)
    p = session.scalar(select(Product).where(Product.code == product))
    if p is None:
        raise InputError.single("product", "unknown product", value=product)
    row = lock(
        session, select(DepotStock).where(DepotStock.depot_id == depot.id, DepotStock.product_id == p.id)
    )
    if row is None:
        row = DepotStock(
            depot_id=depot.id, product_id=p.id, on_hand_cases=0, reserved_cases=0, safety_cases=0
        )
        session.add(row)
        session.flush()
    if row.on_hand_cases + on_hand_delta < 0:
        raise InputError.single(
            "on_hand_delta", f"would leave {row.on_hand_cases + on_hand_delta} cases", value=on_hand_delta
        )
    row.on_hand_cases += on_hand_delta
    session.add(
        StockMovement(
            depot_id=depot.id,
            product_id=p.id,
            on_hand_delta=on_hand_delta,
            reason=reason,
            note=note,
            actor=actor,
        )
    )
    session.flush()
    return StockLevel(depot.code, p.code, row.on_hand_cases, row.reserved_cases, row.safety_cases)


__all__ = ["REASONS", "StockLevel", "adjust_stock"]
