"""Cut-off consolidation of a delivery day, in one transaction.

For delivery day D: every received order due on or before D and received
before D's cut-off (the day before, 16:00 local time by default) is merged into
its customer's dispatch order for D (lines summed per product, source orders
linked); an order received after the cut-off waits for the next day's
consolidation. Earlier open orders join the day (carry-over: unassigned,
released, never confirmed; held orders and back-orders when the customer orders
again — :mod:`services.carry_over`). Each dispatch order is then checked
(customer active, products still sold, the credit limit of cash-on-delivery
customers) and is either confirmed or held with a reason a dispatcher can read.
Products whose demand exceeds the stock that can reach the orders are rationed
(:mod:`services.emergency`). Every merge and decision is written to the order
events (the audit trail).

Eligibility for the centre or a store is decided at planning time, against
the stock and depots of that moment (:mod:`services.plan_build`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ledger.postings import balance, receivable_spec
from models import clock
from models.enums import CustomerStatus, OrderStatus, PaymentTerms
from models.lifecycle import transition
from models.orm import Customer, Order, Product
from models.planning import Consolidation, DispatchOrder, DispatchStatus
from models.settings import Settings
from optimizer.consolidate import SourceOrder, consolidate
from services.carry_over import carry_over, merge_backorders, merge_earlier_holds
from services.day_orders import DayBook, add_cases, add_flag, sources_of
from services.emergency import ration_day


def cut_off_at(settings: Settings, delivery_date: dt.date) -> dt.datetime:
    """The cut-off moment for ``delivery_date``: the configured time on the day before (local time)."""
    hh, mm = (int(x) for x in settings.cut_off.split(":"))
    return clock.at_local(delivery_date - dt.timedelta(days=1), hh, mm)


def consolidate_day(
    session: Session,
    settings: Settings,
    delivery_date: dt.date,
    *,
    actor: str = "system",
    emergency: bool | None = None,
) -> dict[str, Any]:
    """Consolidate the orders for ``delivery_date`` (idempotent: a second run merges only new orders).

    Orders received after the day's cut-off wait for the next consolidation;
    earlier open orders are carried into the day (:mod:`services.carry_over`).
    ``emergency``: ``None`` rations automatically when demand exceeds the stock
    that can reach the orders; ``False`` never rations (short orders then fail
    the stock check at planning); ``True`` always reports the shares.
    """
    cut = cut_off_at(settings, delivery_date)
    received = session.scalars(
        select(Order)
        .options(selectinload(Order.lines), selectinload(Order.customer))
        .where(Order.status == OrderStatus.RECEIVED, Order.delivery_date <= delivery_date)
        .order_by(Order.received_at, Order.number)
    ).all()
    sources = [o for o in received if o.received_at <= cut]
    late = [o for o in received if o.received_at > cut]
    cons = Consolidation(delivery_date=delivery_date, cut_off_at=cut, actor=actor)
    session.add(cons)
    session.flush()
    products = {p.id: p for p in session.scalars(select(Product))}
    book = DayBook(session, delivery_date, cons, products)
    duplicates = _add_sources(session, book, sources, products, actor)
    carried = carry_over(session, book, actor=actor)
    holds = merge_earlier_holds(session, book, actor=actor)
    backorders = merge_backorders(session, book, actor=actor)
    session.flush()
    rationed = ration_day(session, delivery_date, _rationable(book), products, emergency)
    decisions = {"confirmed": 0, "held": 0}
    for d in book.touched.values():
        _check(session, d, products, actor, decisions)
    session.flush()
    summary = {
        "consolidation": cons.id,
        "date": delivery_date.isoformat(),
        "cut_off_at": cut.isoformat(),
        "source_orders": len(sources),
        "after_cut_off": [
            {"order": o.number, "received_at": o.received_at.isoformat(), "customer": o.customer.code}
            for o in late
        ],
        "dispatch_orders": len(book.touched),
        "carried": carried,
        "merged_holds": len(holds),
        "backorders": backorders,
        "duplicates_flagged": duplicates,
        "rationed_products": rationed,
        **decisions,
    }
    cons.summary = summary
    return summary


def _add_sources(
    session: Session, book: DayBook, sources: Sequence[Order], products: dict[int, Product], actor: str
) -> int:
    """Merge the received orders into their customers' dispatch orders; the likely duplicates flagged."""
    code_of = {p.id: p.code for p in products.values()}
    by_code = {p.code: p for p in products.values()}
    by_customer: dict[int, list[Order]] = defaultdict(list)
    for o in sources:
        by_customer[o.customer_id].append(o)
    flagged = 0
    for customer_id, orders in sorted(by_customer.items(), key=lambda kv: kv[1][0].customer.code):
        customer = orders[0].customer
        merged = consolidate(
            [
                SourceOrder(
                    o.number,
                    customer.code,
                    o.channel.value,
                    o.received_at,
                    {code_of[ln.product_id]: ln.cases for ln in o.lines},
                )
                for o in orders
            ]
        )[0]
        d = book.order_for(customer_id)
        for code, cases in merged.lines.items():
            add_cases(d, by_code[code].id, cases, by_code[code].price_fen)
        for f in merged.duplicates:
            add_flag(d, "duplicate", f.text(), orders=list(f.orders), product=f.product)
            flagged += 1
        for o in orders:
            o.dispatch_order_id = d.id
            transition(
                o,
                OrderStatus.CONSOLIDATED,
                f"consolidated into {d.number}",
                actor,
                detail={
                    "dispatch_order": d.number,
                    "duplicates": [f.text() for f in merged.duplicates] or None,
                },
            )
    return flagged


def _rationable(book: DayBook) -> list[DispatchOrder]:
    """The day's orders that compete for stock: every one not held, merged or cancelled (and all touched)."""
    live = (DispatchStatus.CONFIRMED, DispatchStatus.PLANNED, DispatchStatus.UNASSIGNED)
    return [d for cid, d in sorted(book.by_customer.items()) if cid in book.touched or d.status in live]


def _check(
    session: Session, d: DispatchOrder, products: dict[int, Product], actor: str, decisions: dict[str, int]
) -> None:
    customer = session.get(Customer, d.customer_id)
    assert customer is not None
    d.total_cases = sum(ln.cases for ln in d.lines)
    d.total_kg = sum(ln.cases * products[ln.product_id].case_weight_kg for ln in d.lines)
    d.value_fen = sum(ln.cases * ln.price_fen for ln in d.lines)
    reasons = []
    if customer.status != CustomerStatus.ACTIVE:
        reasons.append(f"customer {customer.code} is {customer.status.value}")
    inactive = sorted(products[ln.product_id].code for ln in d.lines if not products[ln.product_id].active)
    if inactive:
        reasons.append(f"product no longer sold: {', '.join(inactive)}")
    if customer.payment_terms == PaymentTerms.CASH_ON_DELIVERY and customer.credit_limit_fen > 0:
        unpaid = max(0, balance(session, receivable_spec(customer)["code"]))
        if d.value_fen + unpaid > customer.credit_limit_fen:
            owed = f" + unpaid ¥{unpaid / 100:,.2f}" if unpaid else ""
            reasons.append(
                f"order value ¥{d.value_fen / 100:,.2f}{owed} exceeds the cash-on-delivery credit limit "
                f"¥{customer.credit_limit_fen / 100:,.2f}"
            )
    if d.total_cases == 0:
        reasons.append("no stock to ration to this order")
    sources = sources_of(session, d)
    if reasons:
        hold(d, "; ".join(reasons), actor, sources)
        decisions["held"] += 1
    else:
        d.status = DispatchStatus.CONFIRMED
        d.hold_reason = None
        for o in sources:
            if o.status in (OrderStatus.CONSOLIDATED, OrderStatus.HELD):
                transition(o, OrderStatus.CONFIRMED, f"checked and confirmed in {d.number}", actor)
        decisions["confirmed"] += 1


def hold(d: DispatchOrder, reason: str, actor: str, sources: list[Order]) -> None:
    """Hold a dispatch order and its source orders with ``reason`` (kept for the next order)."""
    d.status = DispatchStatus.HELD
    d.hold_reason = reason
    d.held_since = d.held_since or d.delivery_date
    for o in sources:
        if o.status in (
            OrderStatus.CONSOLIDATED,
            OrderStatus.CONFIRMED,
            OrderStatus.ASSIGNED,
            OrderStatus.PLANNED,
            OrderStatus.HELD,
        ):
            if o.status in (OrderStatus.ASSIGNED, OrderStatus.PLANNED):
                transition(o, OrderStatus.CONFIRMED, f"taken off the plan: {reason}", actor)
            transition(
                o, OrderStatus.HELD, reason, actor, hold_reason=reason, detail={"dispatch_order": d.number}
            )
