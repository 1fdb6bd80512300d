"""The unified customer code (统一客户编码): format and check character.

A code is 13 characters: the 6-digit county administrative division code, a
2-digit township number, a 4-digit serial and one check character computed
with ISO 7064 MOD 11-2 (as on Chinese resident ID cards: ``0``–``9`` or ``X``).
A mistyped digit or two swapped neighbours are caught by the check character.
"""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^\d{12}[0-9X]$")
_WEIGHTS = [pow(2, 12 - i, 11) for i in range(12)]  # 2^(n-1) mod 11 for positions 13..2


def check_character(body: str) -> str:
    """ISO 7064 MOD 11-2 check character of the 12-digit ``body``."""
    if len(body) != 12 or not body.isdigit():
        raise ValueError("the code body must be 12 digits")
    total = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def make_customer_code(county: str, township_no: int, serial: int) -> str:
    """Build a valid code from its parts (county: 6 digits; township 0–99; serial 0–9999)."""
    if len(county) != 6 or not county.isdigit():
        raise ValueError("county code must be 6 digits")
    if not 0 <= township_no <= 99 or not 0 <= serial <= 9999:
        raise ValueError("township number must be 0–99 and serial 0–9999")
    body = f"{county}{township_no:02d}{serial:04d}"
    return body + check_character(body)


def customer_code_problem(code: str) -> str | None:
    """Why ``code`` is not a valid unified customer code, or ``None`` if it is."""
    if not isinstance(code, str):
        return "must be text"
    if not _PATTERN.match(code):
        return "must be 12 digits followed by a check digit or X (13 characters)"
    expected = check_character(code[:12])
    if code[12] != expected:
        return f"check character is {code[12]}, expected {expected}"
    return None


def is_valid_customer_code(code: str) -> bool:
    return customer_code_problem(code) is None
