"""Money for printing: integer fen in, text out.

Money is integer fen everywhere inside the product (see ``docs/ARCHITECTURE.md``);
these helpers format it once, at the border::

    >>> format_fen(123450)
    '¥1,234.50'
    >>> format_fen(-5)
    '-¥0.05'
    >>> chinese_uppercase(123450)
    '壹仟贰佰叁拾肆元伍角'
    >>> chinese_uppercase(100)
    '壹元整'
    >>> parse_yuan("1,234.5")
    123450

The uppercase form follows the People's Bank of China rules for amounts on
vouchers: financial digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟万亿, one 零 for any
run of zeros between non-zero digits, 整 after 元 when there are no 角/分.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_SMALL_UNITS = ("仟", "佰", "拾", "")
_GROUP_UNITS = ("", "万", "亿", "万亿")
MAX_FEN = 10**16 * 100 - 1  # below 1 亿亿 yuan


def _check(fen: int) -> int:
    if isinstance(fen, bool) or not isinstance(fen, int):
        raise TypeError(f"money must be integer fen, got {type(fen).__name__} {fen!r}")
    return fen


def yuan_text(fen: int) -> str:
    """Fen as yuan with thousands separators and two decimals, no symbol: ``1,234.50``."""
    fen = _check(fen)
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def format_fen(fen: int, *, symbol: str = "¥") -> str:
    """Fen as money text: ``¥1,234.50``; negative amounts ``-¥1,234.50``."""
    text = yuan_text(fen)
    return f"-{symbol}{text[1:]}" if text.startswith("-") else f"{symbol}{text}"


def _group(n: int) -> str:
    """0 < n < 10000 in financial digits; inner zero runs become one 零, leading zeros dropped."""
    out: list[str] = []
    pending_zero = False
    for unit, digit in zip(_SMALL_UNITS, f"{n:04d}", strict=True):
        d = int(digit)
        if d == 0:
            pending_zero = bool(out)
            continue
        if pending_zero:
            out.append("零")
        out.append(_DIGITS[d] + unit)
        pending_zero = False
    return "".join(out)


def _integer_upper(n: int) -> str:
    if n == 0:
        return "零"
    groups = []
    while n:
        n, g = divmod(n, 10000)
        groups.append(g)
    out = ""
    skipped = False
    for i in reversed(range(len(groups))):
        g = groups[i]
        if g == 0:
            skipped = bool(out)
            continue
        if out and (skipped or g < 1000):
            out += "零"
        out += _group(g) + _GROUP_UNITS[i]
        skipped = False
    return out


def chinese_uppercase(fen: int) -> str:
    """Fen as the Chinese uppercase amount for receipts: 123450 → ``壹仟贰佰叁拾肆元伍角``.

    ``0`` → ``零元整``; ``105`` → ``壹元零伍分``; ``5`` → ``伍分``; a negative
    amount gets the prefix ``负``. Raises ``TypeError`` for anything but an int,
    ``ValueError`` beyond 10^16 yuan.
    """
    fen = _check(fen)
    if abs(fen) > MAX_FEN:
        raise ValueError(f"amount too large for an uppercase amount: {fen} fen")
    prefix = "负" if fen < 0 else ""
    yuan, rest = divmod(abs(fen), 100)
    jiao, fen_digit = divmod(rest, 10)
    if rest == 0:
        return f"{prefix}{_integer_upper(yuan)}元整"
    out = f"{_integer_upper(yuan)}元" if yuan else ""
    if jiao:
        out += _DIGITS[jiao] + "角"
    if fen_digit:
        if yuan and not jiao:
            out += "零"
        out += _DIGITS[fen_digit] + "分"
    return prefix + out


def parse_yuan(text: str) -> int:
    """Yuan text (``1,234.5``, ``¥12``, ``-0.05``) → integer fen; refuses fractions of a fen."""
    cleaned = text.strip().replace(",", "").replace("¥", "").replace("￥", "").replace(" ", "")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise ValueError(f"not an amount in yuan: {text!r}") from None
    fen = value * 100
    if fen != fen.to_integral_value():
        raise ValueError(f"more than two decimals: {text!r}")
    return int(fen)


__all__ = ["chinese_uppercase", "format_fen", "parse_yuan", "yuan_text"]
