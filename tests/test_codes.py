"""The unified customer code: format and ISO 7064 MOD 11-2 check character."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from models.codes import (
    check_character,
    customer_code_problem,
    is_valid_customer_code,
    make_customer_code,
)


def test_known_check_character() -> None:
    # Same algorithm as the resident ID card; 12-digit body checked by hand:
    # weights 2^(12-i) mod 11 = 4,2,1,6,3,7,9,10,5,8,4,2
    body = "439901030017"
    weights = [4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    total = sum(int(d) * w for d, w in zip(body, weights, strict=True))
    expected = (12 - total % 11) % 11
    assert check_character(body) == ("X" if expected == 10 else str(expected))
    assert make_customer_code("439901", 3, 17) == body + check_character(body)


@pytest.mark.parametrize(
    ("code", "why"),
    [
        ("43990103001", "13 characters"),
        ("439901030017A", "13 characters"),
        ("", "13 characters"),
    ],
)
def test_bad_format_is_explained(code: str, why: str) -> None:
    problem = customer_code_problem(code)
    assert problem is not None and why in problem


def test_wrong_check_character_names_expected() -> None:
    good = make_customer_code("439901", 5, 321)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    problem = customer_code_problem(wrong)
    assert problem is not None and f"expected {good[-1]}" in problem


bodies = st.text(alphabet="0123456789", min_size=12, max_size=12)


@given(bodies, st.integers(0, 11), st.integers(1, 9))
def test_any_single_digit_typo_is_caught(body: str, pos: int, delta: int) -> None:
    code = body + check_character(body)
    typo = body[:pos] + str((int(body[pos]) + delta) % 10) + body[pos + 1 :]
    assert not is_valid_customer_code(typo + code[-1])


@given(bodies, st.integers(0, 10))
def test_adjacent_swaps_are_caught(body: str, pos: int) -> None:
    if body[pos] == body[pos + 1]:
        return
    code = body + check_character(body)
    swapped = body[:pos] + body[pos + 1] + body[pos] + body[pos + 2 :]
    assert not is_valid_customer_code(swapped + code[-1])
