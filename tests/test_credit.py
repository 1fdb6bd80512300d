"""The cash-on-delivery credit limit counts what the customer already owes, from the ledger."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

import pytest
from sqlalchemy import select

from ledger.orm import PostingKind
from ledger.postings import ensure_accounts, post, receivable_spec, revenue_spec
from models.db import session_scope
from models.enums import OrderStatus, PaymentTerms
from models.orm import Customer, Order
from models.planning import DispatchOrder, DispatchStatus
from models.settings import Settings
from services.consolidation import consolidate_day

DAY = dt.date(2026, 12, 1)


def _consolidate(settings: Settings, customer_id: int) -> DispatchOrder:
    with session_scope(settings) as s:
        consolidate_day(s, settings, DAY, actor="test")
    with session_scope(settings) as s:
        d = s.scalars(
            select(DispatchOrder).where(
                DispatchOrder.delivery_date == DAY, DispatchOrder.customer_id == customer_id
            )
        ).one()
        s.expunge(d)
        return d


def _cod_customer(settings: Settings) -> tuple[int, int]:
    """A cash-on-delivery customer with open orders for the day: (customer id, their value in fen)."""
    with session_scope(settings) as s:
        value: dict[int, int] = defaultdict(int)
        open_orders = select(Order).where(Order.delivery_date <= DAY, Order.status == OrderStatus.RECEIVED)
        for o in s.scalars(open_orders):
            value[o.customer_id] += sum(ln.cases * ln.price_fen for ln in o.lines)
        for cid in sorted(value):
            c = s.get(Customer, cid)
            if c.payment_terms == PaymentTerms.CASH_ON_DELIVERY and value[cid] and c.status.value == "active":
                return cid, value[cid]
    raise AssertionError("no cash-on-delivery customer with orders")


def _set_limit(settings: Settings, customer_id: int, fen: int) -> None:
    with session_scope(settings) as s:
        s.get(Customer, customer_id).credit_limit_fen = fen


def _owe(settings: Settings, customer_id: int, fen: int) -> None:
    """An earlier delivery not yet paid for: receivable + fen."""
    with session_scope(settings) as s:
        c = s.get(Customer, customer_id)
        acc = ensure_accounts(s, [receivable_spec(c), revenue_spec()])
        post(s, kind=PostingKind.DELIVERY, key=f"test:owed:{c.code}", request_hash="t",
             value_date=DAY - dt.timedelta(days=15), actor="test",
             legs=[(acc[receivable_spec(c)["code"]], fen), (acc[revenue_spec()["code"]], -fen)])


@pytest.mark.parametrize(
    ("slack", "owed", "held"), [(0, 0, False), (-1, 0, True), (0, 1, True), (500, 500, False)]
)
def test_order_value_plus_unpaid_against_the_limit(
    county_settings: Settings, slack: int, owed: int, held: bool
) -> None:
    customer_id, value = _cod_customer(county_settings)
    _set_limit(county_settings, customer_id, value + slack)
    if owed:
        _owe(county_settings, customer_id, owed)
    d = _consolidate(county_settings, customer_id)
    assert d.value_fen == value
    assert (d.status == DispatchStatus.HELD) is held, d.hold_reason
    if held:
        assert "exceeds the cash-on-delivery credit limit" in d.hold_reason
        assert ("unpaid ¥0.01" in d.hold_reason) is (owed == 1)
