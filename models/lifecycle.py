"""The order lifecycle: the one place an order's status changes, with its audit event.

Every status change of a source order goes through :func:`transition`, which
enforces :data:`models.enums.ORDER_TRANSITIONS`, keeps ``hold_reason`` in step
with the status (set when held, cleared otherwise — both written before
anything can flush, so the ``held_reason`` CHECK can never see one without the
other) and appends the event. :func:`note` records a decision that does not
change the status (a merge, a pin, a carry-over).
"""

from __future__ import annotations

from typing import Any

from models.enums import OrderStatus, can_transition
from models.errors import DispatchError
from models.orm import Order, OrderEvent


class LifecycleError(DispatchError):
    """A status change the order lifecycle does not allow (a bug, not a user's input)."""


def transition(
    order: Order,
    new: OrderStatus,
    reason: str,
    actor: str,
    *,
    hold_reason: str | None = None,
    detail: dict[str, Any] | None = None,
) -> bool:
    """Move ``order`` to ``new`` and record why; returns whether anything was recorded.

    ``hold_reason`` is required when ``new`` is ``held`` (a held order always
    says why); re-holding a held order with another reason records the new
    reason. Any other same-status call records nothing.

    Raises
    ------
    LifecycleError
        When the lifecycle does not allow ``order.status`` → ``new``, or a
        hold without a reason.
    """
    old = order.status
    if new == OrderStatus.HELD and not (hold_reason or "").strip():
        raise LifecycleError(f"order {order.number}: a hold needs a reason")
    if old == new and (new != OrderStatus.HELD or order.hold_reason == hold_reason):
        return False
    if old is not None and old != new and not can_transition(old, new):
        raise LifecycleError(f"order {order.number}: {old.value} → {new.value} is not allowed")
    order.status = new
    order.hold_reason = hold_reason if new == OrderStatus.HELD else None
    order.events.append(
        OrderEvent(
            from_status=old.value if old is not None else None,
            to_status=new.value,
            reason=reason,
            actor=actor,
            detail=detail or None,
        )
    )
    return True


def received(order: Order, reason: str, actor: str) -> None:
    """The first event of a new order (status ``received``)."""
    order.status = OrderStatus.RECEIVED
    order.events.append(
        OrderEvent(from_status=None, to_status=OrderStatus.RECEIVED.value, reason=reason, actor=actor)
    )


def note(order: Order, reason: str, actor: str, *, detail: dict[str, Any] | None = None) -> None:
    """Record a decision about ``order`` that leaves its status as it is."""
    status = order.status.value
    order.events.append(
        OrderEvent(from_status=status, to_status=status, reason=reason, actor=actor, detail=detail or None)
    )


__all__ = ["LifecycleError", "note", "received", "transition"]
