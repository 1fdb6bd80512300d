"""Read and write tables as CSV or XLSX, with Chinese or English headers.

A *layout* is a list of :class:`Column`: its key, English and Chinese
headers, whether it is required, and a parser from the cell text to a value.
Reading a file maps its headers (either language, in any order) to keys;
every bad cell becomes a :class:`~models.errors.FieldError` naming the row
(as a spreadsheet shows it: the header is row 1) and the column, so that a
file is rejected whole with every error listed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from models import clock
from models.errors import FieldError, InputError

Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    key: str
    en: str
    zh: str
    required: bool = True
    parse: Parser = str
    doc: str = ""

    def header(self, lang: str) -> str:
        return self.zh if lang == "zh" else self.en


class CellError(ValueError):
    """Raised by a parser: the message is the reason shown to the user."""


def _norm(h: str) -> str:
    return re.sub(r"[\s_()（）]+", "", h.strip().lower())


def read_rows(
    path: Path, layout: Sequence[Column]
) -> tuple[list[tuple[int, dict[str, Any]]], list[FieldError]]:
    """Parse ``path`` (``.csv`` or ``.xlsx``) against ``layout``.

    Returns ``(rows, errors)``: each row is ``(spreadsheet row number, {key: value})``
    with only the cells that parsed; ``errors`` lists every problem found.
    Blank rows are skipped.
    """
    header, raw_rows = _read_raw(path)
    errors: list[FieldError] = []
    by_name: dict[str, Column] = {}
    for col in layout:
        by_name[_norm(col.en)] = col
        by_name[_norm(col.zh)] = col
        by_name[_norm(col.key)] = col
    positions: dict[str, int] = {}
    for i, h in enumerate(header):
        found = by_name.get(_norm(h or ""))
        if found is None:
            if (h or "").strip():
                errors.append(FieldError(field=h, row=1, reason="unknown column", value=h))
            continue
        if found.key in positions:
            errors.append(FieldError(field=found.en, row=1, reason="column appears twice", value=h))
        positions[found.key] = i
    for col in layout:
        if col.required and col.key not in positions:
            errors.append(
                FieldError(field=col.en, row=1, reason=f"missing column (header {col.en!r} or {col.zh!r})")
            )
    if errors:
        return [], errors
    rows: list[tuple[int, dict[str, Any]]] = []
    for n, cells in raw_rows:
        if all(not (c or "").strip() for c in cells):
            continue
        values: dict[str, Any] = {}
        for col in layout:
            if col.key not in positions:
                continue
            pos = positions[col.key]
            text = (cells[pos] if pos < len(cells) else "") or ""
            text = text.strip()
            if not text:
                if col.required:
                    errors.append(FieldError(field=col.en, row=n, reason="required", value=None))
                continue
            try:
                values[col.key] = col.parse(text)
            except (CellError, ValueError, InvalidOperation) as exc:
                errors.append(FieldError(field=col.en, row=n, reason=str(exc), value=text))
        rows.append((n, values))
    return rows, errors


def _read_raw(path: Path) -> tuple[list[str], list[tuple[int, list[str]]]]:
    suffix = path.suffix.lower()
    if suffix == ".csv":
        data = path.read_bytes()
        text = _decode(data)
        reader = csv.reader(io.StringIO(text))
        all_rows = list(reader)
    elif suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        wb = load_workbook(path, read_only=True, data_only=True)
        ws = wb.worksheets[0]
        all_rows = [[_cell_text(v) for v in r] for r in ws.iter_rows(values_only=True)]
        wb.close()
    else:
        raise InputError.single("file", "must be .csv or .xlsx", value=path.name)
    if not all_rows:
        raise InputError.single("file", "is empty (no header row)", value=path.name)
    return [h.strip() for h in all_rows[0]], [(i + 2, r) for i, r in enumerate(all_rows[1:])]


def _decode(data: bytes) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise InputError.single("file", "is neither UTF-8 nor GB18030 text")


def _cell_text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v)


def write_rows(
    path: Path, layout: Sequence[Column], rows: Iterable[dict[str, Any]], *, lang: str = "zh"
) -> int:
    """Write ``rows`` (dicts of display text) to ``path`` (.csv or .xlsx); return the count."""
    header = [c.header(lang) for c in layout]
    body = [[_display(r.get(c.key)) for c in layout] for r in rows]
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as f:
            w = csv.writer(f)
            w.writerow(header)
            w.writerows(body)
    elif path.suffix.lower() == ".xlsx":
        from openpyxl import Workbook

        wb = Workbook()
        ws = wb.active
        ws.append(header)
        for r in body:
            ws.append(r)
        for i, _ in enumerate(header):
            ws.column_dimensions[chr(ord("A") + i) if i < 26 else "A" + chr(ord("A") + i - 26)].width = 16
        wb.save(path)
    else:
        raise InputError.single("file", "must end in .csv or .xlsx", value=path.name)
    return len(body)


def _display(v: Any) -> str:
    if v is None:
        return ""
    return str(v)


# ---- cell parsers ---------------------------------------------------------------

_TRUE = {"1", "y", "yes", "true", "是", "有", "√"}
_FALSE = {"0", "n", "no", "false", "否", "无", "×"}


def parse_bool(text: str) -> bool:
    t = text.strip().lower()
    if t in _TRUE:
        return True
    if t in _FALSE:
        return False
    raise CellError("must be yes/no (是/否, 1/0, true/false)")


def parse_int(text: str, *, minimum: int | None = None) -> int:
    t = text.strip().replace(",", "")
    if not re.fullmatch(r"[+-]?\d+", t):
        raise CellError("must be a whole number")
    v = int(t)
    if minimum is not None and v < minimum:
        raise CellError(f"must be at least {minimum}")
    return v


def positive_int(text: str) -> int:
    return parse_int(text, minimum=1)


def non_negative_int(text: str) -> int:
    return parse_int(text, minimum=0)


def parse_yuan_to_fen(text: str) -> int:
    """Yuan as text (``1,234.50``, ``¥12``) to integer fen, exactly; at most 2 decimals."""
    t = text.strip().replace(",", "").replace("¥", "").replace("￥", "").replace("元", "")
    try:
        d = Decimal(t)
    except InvalidOperation:
        raise CellError("must be an amount in yuan, e.g. 1234.50") from None
    if d != d.quantize(Decimal("0.01")):
        raise CellError("has more than 2 decimals (fen is the smallest unit)")
    if d < 0:
        raise CellError("must not be negative")
    return int(d * 100)


def fen_to_yuan_text(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    fen = abs(fen)
    return f"{sign}{fen // 100}.{fen % 100:02d}"


def parse_date(text: str) -> dt.date:
    t = text.strip().split(" ")[0].replace("/", "-").replace(".", "-")
    t = re.sub(r"年|月", "-", t).replace("日", "")
    try:
        return dt.date.fromisoformat("-".join(p.zfill(2) for p in t.split("-")))
    except ValueError:
        raise CellError("must be a date YYYY-MM-DD") from None


def parse_datetime(text: str) -> dt.datetime:
    t = text.strip().replace("/", "-").replace("T", " ")
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S%z", "%Y-%m-%d %H:%M%z"):
        try:
            v = dt.datetime.strptime(t, fmt)
            break
        except ValueError:
            continue
    else:
        try:
            v = dt.datetime.fromisoformat(t)
        except ValueError:
            raise CellError("must be a date and time YYYY-MM-DD HH:MM") from None
    if v.tzinfo is None:
        v = v.replace(tzinfo=clock.zone())  # the installation's local time
    return v


def parse_clock(text: str) -> int:
    """``HH:MM`` to seconds since midnight (``24:00`` allowed)."""
    m = re.fullmatch(r"(\d{1,2})[:：](\d{2})", text.strip())
    if not m:
        raise CellError("must be a time HH:MM")
    h, mi = int(m.group(1)), int(m.group(2))
    if mi > 59 or h > 24 or (h == 24 and mi):
        raise CellError("must be a time between 00:00 and 24:00")
    return h * 3600 + mi * 60


def clock_text(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"


def parse_windows(text: str) -> list[tuple[int, int]]:
    """``08:00-12:00;14:00-18:00`` → [(28800, 43200), (50400, 64800)]; at most two, in order."""
    parts = [p for p in re.split(r"[;；,，]", text) if p.strip()]
    if not 1 <= len(parts) <= 2:
        raise CellError("must be one or two windows like 08:00-12:00;14:00-18:00")
    out = []
    for p in parts:
        a, sep, b = p.strip().replace("～", "-").replace("~", "-").replace("—", "-").partition("-")
        if not sep:
            raise CellError("each window must be HH:MM-HH:MM")
        o, c = parse_clock(a), parse_clock(b)
        if o >= c:
            raise CellError("a window must close after it opens")
        out.append((o, c))
    if len(out) == 2 and out[1][0] < out[0][1]:
        raise CellError("the second window must start after the first one closes")
    return out


def windows_text(windows: Sequence[tuple[int, int]]) -> str:
    return ";".join(f"{clock_text(o)}-{clock_text(c)}" for o, c in windows)


def parse_lat(text: str) -> float:
    from models.orm import CHINA_LAT

    v = float(text)
    if not CHINA_LAT[0] <= v <= CHINA_LAT[1]:
        raise CellError(f"latitude outside China ({CHINA_LAT[0]}–{CHINA_LAT[1]})")
    return v


def parse_lon(text: str) -> float:
    from models.orm import CHINA_LON

    v = float(text)
    if not CHINA_LON[0] <= v <= CHINA_LON[1]:
        raise CellError(f"longitude outside China ({CHINA_LON[0]}–{CHINA_LON[1]})")
    return v


_PHONE = re.compile(r"^(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})$")


def parse_phone(text: str) -> str:
    t = re.sub(r"[\s-]", "", text) if text.startswith("1") else text.replace(" ", "")
    if not _PHONE.match(t):
        raise CellError("must be an 11-digit mobile number or a landline like 0731-12345678")
    return t


def enum_parser(enum_cls: Any) -> Parser:
    def parse(text: str) -> Any:
        try:
            return enum_cls.parse(text)
        except ValueError:
            allowed = ", ".join(f"{m.value} ({m.zh})" for m in enum_cls)
            raise CellError(f"must be one of: {allowed}") from None

    return parse


def raise_if(errors: list[FieldError], context: str) -> None:
    if errors:
        errors.sort(key=lambda e: (e.row or 0, e.field))
        raise InputError(errors, context=context)
