"""Money text from integer fen: ¥1,234.50 and the Chinese uppercase amount."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from documents.money import chinese_uppercase, format_fen, parse_yuan, yuan_text


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (0, "¥0.00"),
        (5, "¥0.05"),
        (123450, "¥1,234.50"),
        (100, "¥1.00"),
        (-123450, "-¥1,234.50"),
        (123456789012, "¥1,234,567,890.12"),
    ],
)
def test_format_fen(fen: int, text: str) -> None:
    assert format_fen(fen) == text


@pytest.mark.parametrize(
    ("fen", "text"),
    [
        (123450, "壹仟贰佰叁拾肆元伍角"),
        (0, "零元整"),
        (100, "壹元整"),
        (1000, "壹拾元整"),
        (5, "伍分"),
        (50, "伍角"),
        (105, "壹元零伍分"),
        (1050, "壹拾元伍角"),
        (100400, "壹仟零肆元整"),
        (100040000, "壹佰万零肆佰元整"),
        (10500000, "壹拾万伍仟元整"),
        (10001000000, "壹亿零壹万元整"),
        (1000000400, "壹仟万零肆元整"),
        (107030, "壹仟零柒拾元叁角"),
        (-2550, "负贰拾伍元伍角"),
    ],
)
def test_chinese_uppercase(fen: int, text: str) -> None:
    assert chinese_uppercase(fen) == text


@pytest.mark.parametrize("bad", [1.5, "100", True, None])
def test_only_integer_fen(bad: object) -> None:
    with pytest.raises(TypeError):
        format_fen(bad)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        chinese_uppercase(bad)  # type: ignore[arg-type]


@given(st.integers(-(10**14), 10**14))
def test_parse_round_trip(fen: int) -> None:
    assert parse_yuan(yuan_text(fen)) == fen
    assert parse_yuan(format_fen(fen)) == fen


@given(st.integers(0, 10**14))
def test_uppercase_has_no_double_zero_and_ends_right(fen: int) -> None:
    text = chinese_uppercase(fen)
    assert "零零" not in text
    assert text.endswith(("整", "角", "分"))
    assert not text.startswith("零") or fen == 0


def test_parse_refuses_fractions_of_a_fen() -> None:
    with pytest.raises(ValueError):
        parse_yuan("1.234")
    with pytest.raises(ValueError):
        parse_yuan("abc")
