"""Tests of optimizer.rationing: hand-checked examples and properties of the rule."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from optimizer.errors import ProblemError
from optimizer.rationing import (
    RULE_LARGEST_REMAINDER,
    RULE_LOWEST_LEVEL,
    Claim,
    RulesInputError,
    ration,
    ration_products,
)

ROUNDINGS = ("lowest_level", "largest_remainder")


def claim(ident: str, ordered: int, weight: int = 1, township: str = "T") -> Claim:
    return Claim(ident, f"C-{ident}", township, ordered, weight)


def reference_level(claims: list[Claim], supply: int) -> Fraction:
    """Water level by walking the breakpoints of f(λ) = Σ min(o, λw) (independent of the module)."""
    points = sorted({Fraction(c.ordered_cases, c.weight) for c in claims} | {Fraction(0)})

    def f(lam: Fraction) -> Fraction:
        return sum((min(Fraction(c.ordered_cases), lam * c.weight) for c in claims), Fraction(0))

    prev = points[0]
    for b in points[1:]:
        if f(b) >= supply:
            slope = sum(c.weight for c in claims if Fraction(c.ordered_cases, c.weight) > prev)
            return prev + (supply - f(prev)) / slope
        prev = b
    raise AssertionError("supply not below demand")


# --- hand-checked examples -------------------------------------------------

DOC_CLAIMS = [
    Claim("A1", "c1", "Anping", 40, 20),
    Claim("A2", "c2", "Anping", 30, 5),
    Claim("B1", "c3", "Baishui", 4, 5),
    Claim("B2", "c4", "Baishui", 10, 2),
    Claim("C1", "c5", "Chengguan", 20, 8),
]


def test_example_of_the_docs_lowest_level() -> None:
    r = ration(DOC_CLAIMS, 50)
    # B1 needs 4 < 1.31 * 5, so it is filled; the rest share 46 cases over weight 35.
    assert r.level == pytest.approx(46 / 35)
    assert r.allocation == {"A1": 25, "A2": 7, "B1": 4, "B2": 3, "C1": 11}
    assert r.rationed and r.allocated_cases == 50 and r.short_cases == 54 and r.leftover_cases == 0
    fills = {t.township: (t.ordered_cases, t.allocated_cases, t.fill_per_mille) for t in r.townships}
    assert fills == {"Anping": (70, 32, 457), "Baishui": (14, 7, 500), "Chengguan": (20, 11, 550)}
    assert r.township("Baishui").short_cases == 7
    assert r.township("Anping").fill_rate == pytest.approx(32 / 70)
    assert r.rule == RULE_LOWEST_LEVEL and "注水" in r.rule and "water-filling" in r.rule


def test_example_of_the_docs_largest_remainder() -> None:
    r = ration(DOC_CLAIMS, 50, rounding="largest_remainder")
    # shares 26.29, 6.57, 4, 2.63, 10.51: floors 26+6+4+2+10 = 48, the 2 left to B2 (.63) and A2 (.57)
    assert r.allocation == {"A1": 26, "A2": 7, "B1": 4, "B2": 3, "C1": 10}
    assert r.rule == RULE_LARGEST_REMAINDER


def test_equal_weights_share_equally() -> None:
    r = ration([claim("a", 10), claim("b", 10), claim("c", 10)], 15)
    assert sorted(r.allocation.values()) == [5, 5, 5]
    r = ration([claim("a", 10), claim("b", 10), claim("c", 10)], 16)
    assert r.allocation == {"a": 6, "b": 5, "c": 5}  # tie on level and fill rate: lowest order number


def test_small_order_is_filled_and_its_rest_shared() -> None:
    r = ration([claim("a", 2), claim("b", 100), claim("c", 100)], 40)
    assert r.allocation == {"a": 2, "b": 19, "c": 19}
    assert r.level == pytest.approx(19)


def test_weight_doubles_the_share() -> None:
    r = ration([claim("kiosk", 50, weight=2), claim("shop", 50, weight=4)], 30)
    assert r.allocation == {"kiosk": 10, "shop": 20}


def test_lowest_level_never_leaves_a_township_dry_where_largest_remainder_does() -> None:
    claims = [claim("A1", 10, weight=1, township="A"), claim("B1", 2, weight=100, township="B")]
    fair = ration(claims, 2)
    assert fair.allocation == {"A1": 1, "B1": 1}
    textbook = ration(claims, 2, rounding="largest_remainder")
    assert textbook.allocation == {"A1": 0, "B1": 2}  # A at 0 %, B at 100 %: why it is not the default
    assert (textbook.township("A").fill_per_mille, textbook.township("B").fill_per_mille) == (0, 1000)


def test_enough_stock_everyone_gets_the_order() -> None:
    r = ration([claim("a", 3), claim("b", 0), claim("c", 7)], 12)
    assert r.allocation == {"a": 3, "b": 0, "c": 7}
    assert not r.rationed and r.level is None and r.leftover_cases == 2 and r.short_cases == 0


def test_no_stock_and_no_claims() -> None:
    r = ration([claim("a", 3, township="X")], 0)
    assert r.allocation == {"a": 0} and r.township("X").fill_per_mille == 0 and r.level == 0.0
    empty = ration([], 5)
    assert empty.allocation == {} and empty.townships == () and empty.leftover_cases == 5


def test_township_with_nothing_ordered_counts_as_filled() -> None:
    r = ration([claim("a", 0, township="X"), claim("b", 5, township="Y")], 2)
    assert r.township("X").fill_per_mille == 1000 and r.township("X").fill_rate == 1.0
    with pytest.raises(KeyError):
        r.township("Z")


def test_ration_products() -> None:
    out = ration_products(
        {"salt": [claim("o1", 10), claim("o2", 10)], "soy": [claim("o1", 4)]},
        {"salt": 10, "soy": 9, "sugar": 3},
    )
    assert list(out) == ["salt", "soy"]
    assert out["salt"].allocation == {"o1": 5, "o2": 5} and out["soy"].allocation == {"o1": 4}


# --- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"ordered_cases": -1}, "claims.ordered_cases"),
        ({"ordered_cases": 2.5}, "claims.ordered_cases"),
        ({"weight": 0}, "claims.weight"),
        ({"weight": True}, "claims.weight"),
        ({"township": ""}, "claims.township"),
    ],
)
def test_bad_claim_names_field_and_order(kwargs: dict[str, object], field: str) -> None:
    values: dict[str, object] = {
        "id": "ORD-7",
        "customer": "C1",
        "township": "T",
        "ordered_cases": 1,
        "weight": 1,
    }
    values.update(kwargs)
    with pytest.raises(RulesInputError) as info:
        Claim(**values)  # type: ignore[arg-type]
    assert info.value.field == field and info.value.id == "ORD-7"
    assert field in str(info.value) and "ORD-7" in str(info.value)
    assert isinstance(info.value, ValueError) and isinstance(info.value, ProblemError)


def test_bad_ration_inputs() -> None:
    with pytest.raises(RulesInputError, match="supply_cases"):
        ration([claim("a", 1)], -1)
    with pytest.raises(RulesInputError, match="more than once") as info:
        ration([claim("a", 1), claim("a", 2)], 1)
    assert info.value.id == "a"
    with pytest.raises(RulesInputError, match="rounding"):
        ration([claim("a", 1)], 1, rounding="nearest")  # type: ignore[arg-type]
    with pytest.raises(RulesInputError, match="no supply") as info:
        ration_products({"salt": [claim("a", 1)]}, {})
    assert info.value.id == "salt"
    with pytest.raises(RulesInputError, match="supply_by_product"):
        ration_products({"salt": [claim("a", 1)]}, {"salt": -3})
    with pytest.raises(RulesInputError, match=r"claims_by_product\[salt\]\.id"):
        ration_products({"salt": [claim("a", 1), claim("a", 1)]}, {"salt": 1})


# --- properties ----------------------------------------------------------------

TOWNS = ("Anping", "Baishui", "Chengguan", "Dongxiang")


@st.composite
def problems(draw: st.DrawFn, max_claims: int = 25) -> tuple[list[Claim], int]:
    n = draw(st.integers(0, max_claims))
    claims = [
        Claim(
            f"O{k:03d}",
            f"C{k}",
            draw(st.sampled_from(TOWNS)),
            draw(st.integers(0, 60)),
            draw(st.integers(1, 40)),
        )
        for k in range(n)
    ]
    demand = sum(c.ordered_cases for c in claims)
    supply = draw(st.integers(0, demand + 10))
    return claims, supply


@settings(max_examples=150, deadline=None)
@given(problems(), st.sampled_from(ROUNDINGS))
def test_bounds_and_total(problem: tuple[list[Claim], int], rounding: str) -> None:
    claims, supply = problem
    r = ration(claims, supply, rounding=rounding)  # type: ignore[arg-type]
    assert set(r.allocation) == {c.id for c in claims}
    for c in claims:
        assert 0 <= r.allocation[c.id] <= c.ordered_cases
    demand = sum(c.ordered_cases for c in claims)
    assert r.allocated_cases == min(supply, demand) and r.rationed == (supply < demand)
    for t in r.townships:
        mine = [c for c in claims if c.township == t.township]
        assert t.ordered_cases == sum(c.ordered_cases for c in mine)
        assert t.allocated_cases == sum(r.allocation[c.id] for c in mine)
        assert t.fill_per_mille <= 1000 and (t.fill_per_mille == 1000) == (t.short_cases == 0)


@settings(max_examples=150, deadline=None)
@given(problems())
def test_weighted_max_min_fair(problem: tuple[list[Claim], int]) -> None:
    """No case can move from j to a short claim i without leaving j below where i was."""
    claims, supply = problem
    a = ration(claims, supply).allocation
    for i in claims:
        if a[i.id] < i.ordered_cases:
            for j in claims:  # a_i / w_i >= (a_j - 1) / w_j
                assert a[i.id] * j.weight >= (a[j.id] - 1) * i.weight, (i, j, a)


@settings(max_examples=150, deadline=None)
@given(problems(), st.sampled_from(ROUNDINGS))
def test_close_to_the_continuous_water_level(problem: tuple[list[Claim], int], rounding: str) -> None:
    claims, supply = problem
    if supply >= sum(c.ordered_cases for c in claims):
        return
    lam = reference_level(claims, supply)
    r = ration(claims, supply, rounding=rounding)  # type: ignore[arg-type]
    assert r.level == pytest.approx(float(lam))
    for c in claims:
        share = min(Fraction(c.ordered_cases), lam * c.weight)
        assert r.allocation[c.id] <= math.ceil(share)  # never above the upper quota
        if rounding == "largest_remainder":
            assert r.allocation[c.id] >= math.floor(share)


@settings(max_examples=100, deadline=None)
@given(problems(), st.data())
def test_deterministic_and_independent_of_input_order(
    problem: tuple[list[Claim], int], data: st.DataObject
) -> None:
    claims, supply = problem
    shuffled = data.draw(st.permutations(claims))
    assert ration(claims, supply) == ration(shuffled, supply) == ration(list(claims), supply)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(1, 60),
    st.integers(1, 10),
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 20)), max_size=6),
    st.data(),
)
def test_double_weight_gets_about_double(
    ordered: int, weight: int, others: list[tuple[int, int]], data: st.DataObject
) -> None:
    claims = [claim("single", ordered, weight), claim("double", ordered, 2 * weight)]
    claims += [claim(f"x{k}", o, w) for k, (o, w) in enumerate(others)]
    # scarce enough that "double" stays below its order: supply <= f(ordered / 2w), so λ·2w <= ordered
    cap = Fraction(ordered, 2 * weight)
    most = math.floor(sum(min(Fraction(c.ordered_cases), cap * c.weight) for c in claims))
    supply = data.draw(st.integers(0, most))
    a = ration(claims, supply).allocation
    assert abs(a["double"] - 2 * a["single"]) <= 2


@settings(max_examples=150, deadline=None)
@given(problems())
def test_no_township_dry_while_another_is_full(problem: tuple[list[Claim], int]) -> None:
    claims, supply = problem
    wanting = [c for c in claims if c.ordered_cases > 0]
    if supply < len(wanting):
        return
    r = ration(claims, supply)
    assert all(r.allocation[c.id] >= 1 for c in wanting)
    per_mille = [t.fill_per_mille for t in r.townships]
    assert not (0 in per_mille and 1000 in per_mille)
