"""Cut-off consolidation of a delivery day, in one transaction.

For delivery day D: every received order due on or before D is merged into
its customer's dispatch order for D (lines summed per product, source orders
linked), together with that customer's earlier *held* dispatch order, if any
("merged automatically into that customer's next order"). Each dispatch order
is then checked (customer active, products known and active, credit limit for
cash-on-delivery customers, stock) and is either confirmed or held with a
reason a dispatcher can read. Products whose day's demand exceeds the free
stock are rationed fairly (``optimizer.rationing``). Every merge and decision
is written to the order events (the audit trail).

Eligibility for the centre or a store is decided at planning time, against
the stock and depots of that moment (:mod:`services.plan_build`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ledger.postings import balance, receivable_spec
from models.enums import CustomerStatus, OrderStatus, PaymentTerms
from models.orm import Customer, DepotStock, Order, OrderEvent, OrderLine, Product, Township
from models.planning import Consolidation, DispatchOrder, DispatchOrderLine, DispatchStatus
from models.settings import Settings
from optimizer.consolidate import SourceOrder, consolidate
from optimizer.rationing import Claim, ration_products

CST = dt.timezone(dt.timedelta(hours=8))


def cut_off_at(settings: Settings, delivery_date: dt.date) -> dt.datetime:
    """The cut-off moment for ``delivery_date``: the configured time on the day before (China time)."""
    hh, mm = (int(x) for x in settings.cut_off.split(":"))
    return dt.datetime.combine(delivery_date - dt.timedelta(days=1), dt.time(hh, mm), tzinfo=CST)


def _event(order: Order, new: OrderStatus, reason: str, actor: str, **detail: Any) -> None:
    order.events.append(
        OrderEvent(
            from_status=order.status.value if order.status else None,
            to_status=new.value,
            reason=reason,
            actor=actor,
            detail=detail or None,
        )
    )
    order.status = new


def _next_number(session: Session, day: dt.date) -> int:
    prefix = f"CO{day:%Y%m%d}"
    last = session.scalar(
        select(func.max(DispatchOrder.number)).where(DispatchOrder.number.like(f"{prefix}%"))
    )
    return int(last[len(prefix) :]) + 1 if last else 1


def normal_volumes(session: Session, customer_ids: list[int], before: dt.date) -> dict[int, int]:
    """Average cases per past order of each customer (at least 1): the weight for rationing."""
    if not customer_ids:
        return {}
    per_order = (
        select(Order.customer_id, func.sum(OrderLine.cases).label("cases"))
        .join(OrderLine, OrderLine.order_id == Order.id)
        .where(
            Order.customer_id.in_(customer_ids),
            Order.delivery_date < before,
            Order.status.in_([OrderStatus.DELIVERED, OrderStatus.SETTLED, OrderStatus.SHORT]),
        )
        .group_by(Order.id, Order.customer_id)
        .subquery()
    )
    rows = session.execute(
        select(per_order.c.customer_id, func.avg(per_order.c.cases)).group_by(per_order.c.customer_id)
    ).all()
    got = {int(c): max(1, round(float(a))) for c, a in rows}
    return {c: got.get(c, 1) for c in customer_ids}


def consolidate_day(
    session: Session,
    settings: Settings,
    delivery_date: dt.date,
    *,
    actor: str = "system",
    emergency: bool | None = None,
) -> dict[str, Any]:
    """Consolidate the orders for ``delivery_date`` (idempotent: a second run merges only new orders).

    ``emergency``: ``None`` rations automatically when demand exceeds stock;
    ``False`` never rations (short orders then fail the stock check at planning).
    """
    sources = session.scalars(
        select(Order)
        .options(selectinload(Order.lines), selectinload(Order.customer))
        .where(Order.status == OrderStatus.RECEIVED, Order.delivery_date <= delivery_date)
        .order_by(Order.received_at, Order.number)
    ).all()
    cons = Consolidation(
        delivery_date=delivery_date, cut_off_at=cut_off_at(settings, delivery_date), actor=actor
    )
    session.add(cons)
    session.flush()
    products = {p.id: p for p in session.scalars(select(Product))}
    code_of = {p.id: p.code for p in products.values()}
    by_customer: dict[int, list[Order]] = defaultdict(list)
    for o in sources:
        by_customer[o.customer_id].append(o)
    existing = {
        d.customer_id: d
        for d in session.scalars(
            select(DispatchOrder)
            .options(selectinload(DispatchOrder.lines))
            .where(DispatchOrder.delivery_date == delivery_date)
        )
    }
    earlier_holds = {
        d.customer_id: d
        for d in session.scalars(
            select(DispatchOrder)
            .options(selectinload(DispatchOrder.lines))
            .where(
                DispatchOrder.status == DispatchStatus.HELD,
                DispatchOrder.delivery_date < delivery_date,
                DispatchOrder.customer_id.in_(list(by_customer)),
            )
        )
    }
    seq = _next_number(session, delivery_date)
    touched: list[DispatchOrder] = []
    merged_holds = 0
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
        d = existing.get(customer_id)
        if d is None:
            d = DispatchOrder(
                number=f"CO{delivery_date:%Y%m%d}{seq:04d}",
                delivery_date=delivery_date,
                customer_id=customer_id,
                consolidation_id=cons.id,
                status=DispatchStatus.CONFIRMED,
                flags=[],
            )
            seq += 1
            session.add(d)
            session.flush()
        lines = {ln.product_id: ln for ln in d.lines}
        by_code = {p.code: p for p in products.values()}
        for code, cases in merged.lines.items():
            p = by_code[code]
            if p.id in lines:
                lines[p.id].ordered_cases += cases
                lines[p.id].cases = lines[p.id].ordered_cases
            else:
                lines[p.id] = DispatchOrderLine(
                    product_id=p.id, ordered_cases=cases, cases=cases, price_fen=p.price_fen
                )
                d.lines.append(lines[p.id])
        flags = list(d.flags or [])
        flags += [
            {"kind": "duplicate", "text": f.text(), "orders": list(f.orders), "product": f.product}
            for f in merged.duplicates
        ]
        held = earlier_holds.get(customer_id)
        if held is not None:
            _merge_hold(session, held, d, lines, actor)
            flags.append({"kind": "merged_hold", "text": f"held order {held.number} merged into this one"})
            merged_holds += 1
        d.flags = flags
        for o in orders:
            o.dispatch_order_id = d.id
            _event(
                o,
                OrderStatus.CONSOLIDATED,
                f"consolidated into {d.number}",
                actor,
                dispatch_order=d.number,
                duplicates=[f.text() for f in merged.duplicates] or None,
            )
        touched.append(d)
    session.flush()
    rationed = _ration_if_short(session, delivery_date, touched, products, emergency)
    decisions = {"confirmed": 0, "held": 0}
    for d in touched:
        _check(session, d, products, actor, decisions)
    session.flush()
    summary = {
        "consolidation": cons.id,
        "date": delivery_date.isoformat(),
        "source_orders": len(sources),
        "dispatch_orders": len(touched),
        "merged_holds": merged_holds,
        "duplicates_flagged": sum(1 for d in touched for f in (d.flags or []) if f["kind"] == "duplicate"),
        "rationed_products": rationed,
        **decisions,
    }
    cons.summary = summary
    return summary


def _merge_hold(
    session: Session,
    held: DispatchOrder,
    into: DispatchOrder,
    lines: dict[int, DispatchOrderLine],
    actor: str,
) -> None:
    for ln in held.lines:
        if ln.product_id in lines:
            lines[ln.product_id].ordered_cases += ln.ordered_cases
            lines[ln.product_id].cases = lines[ln.product_id].ordered_cases
        else:
            lines[ln.product_id] = DispatchOrderLine(
                product_id=ln.product_id,
                ordered_cases=ln.ordered_cases,
                cases=ln.ordered_cases,
                price_fen=ln.price_fen,
            )
            into.lines.append(lines[ln.product_id])
    for src in session.scalars(select(Order).where(Order.dispatch_order_id == held.id)):
        src.dispatch_order_id = into.id
        _event(src, src.status, f"held order {held.number} merged into {into.number}", actor)
    held.status = DispatchStatus.MERGED
    held.merged_into_id = into.id
    into.held_since = held.held_since or held.delivery_date


def _ration_if_short(
    session: Session,
    day: dt.date,
    orders: list[DispatchOrder],
    products: dict[int, Product],
    emergency: bool | None,
) -> list[dict[str, Any]]:
    """Emergency mode: share each short product's free stock with weighted max-min fairness."""
    if emergency is False or not orders:
        return []
    demand: dict[int, int] = defaultdict(int)
    for d in orders:
        for ln in d.lines:
            demand[ln.product_id] += ln.cases
    free = dict(
        session.execute(
            select(
                DepotStock.product_id, func.sum(DepotStock.on_hand_cases - DepotStock.reserved_cases)
            ).group_by(DepotStock.product_id)
        ).all()
    )
    short = {p: q for p, q in demand.items() if q > int(free.get(p, 0) or 0)}
    if not short and not emergency:
        return []
    weights = normal_volumes(session, [d.customer_id for d in orders], day)
    customers = {
        c.id: c
        for c in session.scalars(select(Customer).where(Customer.id.in_([d.customer_id for d in orders])))
    }
    township_name = dict(session.execute(select(Township.id, Township.name_zh)).all())
    claims: dict[str, list[Claim]] = defaultdict(list)
    for d in orders:
        for ln in d.lines:
            if ln.product_id in short:
                c = customers[d.customer_id]
                claims[products[ln.product_id].code].append(
                    Claim(
                        id=d.number,
                        customer=c.code,
                        township=township_name.get(c.township_id, str(c.township_id)),
                        ordered_cases=ln.cases,
                        weight=weights.get(d.customer_id, 1),
                    )
                )
    supply = {products[p].code: max(0, int(free.get(p, 0) or 0)) for p in short}
    results = ration_products(claims, supply)
    out = []
    by_number = {d.number: d for d in orders}
    for code, res in results.items():
        pid = next(p.id for p in products.values() if p.code == code)
        for number, cases in res.allocation.items():
            d = by_number[number]
            ln = next(x for x in d.lines if x.product_id == pid)
            if cases < ln.cases:
                ln.cases = cases
                d.rationed = True
                d.flags = [
                    *(d.flags or []),
                    {
                        "kind": "rationed",
                        "product": code,
                        "text": f"{code}: rationed to {cases} of {ln.ordered_cases} cases",
                    },
                ]
        out.append(
            {
                "product": code,
                "ordered": sum(c.ordered_cases for c in claims[code]),
                "supplied": supply[code],
                "allocated": res.allocated_cases,
                "level": float(res.level) if res.level is not None else None,
                "townships": [
                    {
                        "township": t.township,
                        "orders": t.claims,
                        "ordered": t.ordered_cases,
                        "allocated": t.allocated_cases,
                        "fill_per_mille": t.fill_per_mille,
                    }
                    for t in res.townships
                ],
            }
        )
    return out


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
    sources = list(session.scalars(select(Order).where(Order.dispatch_order_id == d.id)))
    if reasons:
        hold(d, "; ".join(reasons), actor, sources)
        decisions["held"] += 1
    else:
        d.status = DispatchStatus.CONFIRMED
        d.hold_reason = None
        for o in sources:
            if o.status in (OrderStatus.CONSOLIDATED, OrderStatus.HELD):
                o.hold_reason = None
                _event(o, OrderStatus.CONFIRMED, f"checked and confirmed in {d.number}", actor)
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
            OrderStatus.HELD,
        ):
            o.hold_reason = reason
            _event(o, OrderStatus.HELD, reason, actor, dispatch_order=d.number)
