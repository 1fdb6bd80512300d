"""Rationing when stock sits in the centre and in township stores: only reachable stock counts."""

from __future__ import annotations

from collections import defaultdict

import pytest
from hypothesis import given
from hypothesis import strategies as st

from optimizer.rationing import Claim, RulesInputError
from optimizer.rationing_reach import ration_reachable

TOWNS = ["白沙乡", "石门镇", "城关镇", "龙潭镇"]


@st.composite
def shortages(draw: st.DrawFn) -> tuple[list[Claim], int, dict[str, int]]:
    n = draw(st.integers(1, 25))
    claims = [
        Claim(
            f"CO{i:03d}",
            f"C{i}",
            draw(st.sampled_from(TOWNS)),
            draw(st.integers(0, 30)),
            draw(st.integers(1, 9)),
        )
        for i in range(n)
    ]
    shared = draw(st.integers(0, 200))
    local = {t: draw(st.integers(0, 40)) for t in TOWNS if draw(st.booleans())}
    return claims, shared, local


@given(shortages())
def test_shares_stay_within_what_each_claim_can_reach(case: tuple[list[Claim], int, dict[str, int]]) -> None:
    claims, shared, local = case
    r = ration_reachable(claims, shared=shared, local=local)
    alloc = r.allocation
    assert all(0 <= alloc[c.id] <= c.ordered_cases for c in claims)
    sourced = {s.township: s for s in r.sourced}
    for t, s in sourced.items():
        assert s.from_store <= local.get(t, 0)
        assert s.from_store + s.from_centre == sum(alloc[c.id] for c in claims if c.township == t)
    assert sum(s.from_centre for s in r.sourced) <= shared
    # nothing that could still reach an unfilled claim is left over
    short = [c for c in claims if alloc[c.id] < c.ordered_cases]
    if short:  # a claim stays short only when its store and the centre have nothing left
        assert sum(s.from_centre for s in r.sourced) == shared
        for c in short:
            assert sourced[c.township].from_store == local.get(c.township, 0)


@given(shortages())
def test_no_township_that_ordered_is_left_with_nothing_while_the_centre_has_stock(
    case: tuple[list[Claim], int, dict[str, int]],
) -> None:
    claims, shared, local = case
    r = ration_reachable(claims, shared=shared, local=local)
    ordering = {c.township for c in claims if c.ordered_cases > 0}
    got: dict[str, int] = defaultdict(int)
    for c in claims:
        got[c.township] += r.allocation[c.id]
    if shared >= len(ordering):
        assert all(got[t] > 0 for t in ordering)


def test_the_issue_repro_a_township_with_small_orders_gets_its_share() -> None:
    """88 cases for 186 ordered: 白沙乡 (no store, many small orders) must not end at zero."""
    claims = [Claim(f"B{i}", f"b{i}", "白沙乡", 3, 1) for i in range(6)]
    claims += [Claim(f"S{i}", f"s{i}", "石门镇", 12, 8) for i in range(14)]
    r = ration_reachable(claims, shared=70, local={"石门镇": 18})
    assert r.rationing.rationed and r.rationing.allocated_cases == 88
    assert r.rationing.township("白沙乡").allocated_cases >= 6  # every one of its orders gets a share


def test_a_stores_stock_reaches_only_its_own_township() -> None:
    claims = [Claim("A", "a", "石门镇", 10, 1), Claim("B", "b", "白沙乡", 10, 1)]
    r = ration_reachable(claims, shared=0, local={"石门镇": 30})
    assert r.allocation == {"A": 10, "B": 0}


def test_store_stock_is_used_before_the_centre_so_the_centre_goes_further() -> None:
    claims = [Claim("A", "a", "石门镇", 10, 1), Claim("B", "b", "白沙乡", 10, 1)]
    r = ration_reachable(claims, shared=10, local={"石门镇": 10})
    assert r.allocation == {"A": 10, "B": 10}


def test_bad_input_names_the_field() -> None:
    with pytest.raises(RulesInputError, match="shared"):
        ration_reachable([], shared=-1)
    with pytest.raises(RulesInputError, match="local"):
        ration_reachable([], shared=1, local={"x": 1.5})  # type: ignore[dict-item]
