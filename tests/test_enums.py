"""Vocabularies parse from codes and labels; the order lifecycle is closed."""

from __future__ import annotations

import itertools

import pytest

from models.enums import (
    OPEN_ORDER_STATUSES,
    ORDER_TRANSITIONS,
    Channel,
    CustomerType,
    OrderStatus,
    can_transition,
)


@pytest.mark.parametrize("text", ["inbound_call", "客户来电", "Customer inbound call", " INBOUND_CALL "])
def test_channel_parses_code_and_both_labels(text: str) -> None:
    assert Channel.parse(text) is Channel.INBOUND_CALL


def test_unknown_value_lists_the_allowed_ones() -> None:
    with pytest.raises(ValueError, match="county_supermarket"):
        CustomerType.parse("hypermarket")


def test_lifecycle_covers_every_status_and_terminal_states_are_final() -> None:
    assert set(ORDER_TRANSITIONS) == set(OrderStatus)
    for terminal in (OrderStatus.SETTLED, OrderStatus.MERGED, OrderStatus.CANCELLED):
        assert not ORDER_TRANSITIONS[terminal]
        assert terminal not in OPEN_ORDER_STATUSES


def test_the_happy_path_is_allowed_and_shortcuts_are_not() -> None:
    path = ["received", "consolidated", "confirmed", "assigned", "planned", "delivered", "settled"]
    for a, b in itertools.pairwise(path):
        assert can_transition(OrderStatus(a), OrderStatus(b))
    assert not can_transition(OrderStatus.RECEIVED, OrderStatus.PLANNED)
    assert not can_transition(OrderStatus.SETTLED, OrderStatus.RECEIVED)
    assert can_transition(OrderStatus.HELD, OrderStatus.CONFIRMED)
