"""Page templates, paragraph styles, tables and the QR code shared by the printed documents.

Everything is A4, set in the embedded CJK font (:mod:`documents.fonts`); the
labels are in :mod:`documents.labels` (re-exported here). Reusable for other
documents (monthly statements): ``styles()``, ``grid_table()``, ``qr_code()``,
``front_template()``, ``half_page_templates()``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Flowable, Frame, PageTemplate, Paragraph, Table, TableStyle

from documents.fonts import cjk_font
from documents.labels import LABELS, check_lang, label

PAGE_W, PAGE_H = A4
MARGIN = 12 * mm
INK = colors.HexColor("#1a1a1a")
MUTED = colors.HexColor("#555555")
RULE = colors.HexColor("#888888")
SHADE = colors.HexColor("#eeeeee")
ACCENT = colors.HexColor("#1f5fbf")
CASH = colors.HexColor("#b00020")


@dataclass(frozen=True)
class Styles:
    """The paragraph styles of one document (all in the embedded CJK font)."""

    title: ParagraphStyle
    h2: ParagraphStyle
    body: ParagraphStyle
    small: ParagraphStyle
    cell: ParagraphStyle
    cell_right: ParagraphStyle
    cell_head: ParagraphStyle
    big: ParagraphStyle
    big_right: ParagraphStyle
    centred: ParagraphStyle


@lru_cache(maxsize=4)
def styles(scale: float = 1.0) -> Styles:
    """The document styles; ``scale`` enlarges everything (1.0 = 10 pt body text)."""
    font = cjk_font()

    def s(name: str, size: float, **kw: Any) -> ParagraphStyle:
        return ParagraphStyle(
            name,
            fontName=font,
            fontSize=size * scale,
            leading=size * scale * 1.25,
            textColor=kw.pop("textColor", INK),
            **kw,
        )

    return Styles(
        title=s("title", 18, spaceAfter=4),
        h2=s("h2", 13, spaceBefore=6, spaceAfter=4),
        body=s("body", 10),
        small=s("small", 8, textColor=MUTED),
        cell=s("cell", 9),
        cell_right=s("cell_right", 9, alignment=TA_RIGHT),
        cell_head=s("cell_head", 8.5, textColor=MUTED),
        big=s("big", 15),
        big_right=s("big_right", 15, alignment=TA_RIGHT),
        centred=s("centred", 9, alignment=TA_CENTER),
    )


def para(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (``<``, ``>`` and ``&`` escaped; a newline breaks the line)."""
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return Paragraph(safe.replace("\n", "<br/>"), style)


def grid_table(
    rows: Sequence[Sequence[Any]],
    col_widths: Sequence[float],
    *,
    header_rows: int = 1,
    right_cols: Sequence[int] = (),
    total_row: bool = False,
    font_size: float = 9,
    padding: float = 3,
    zebra: bool = True,
) -> Table:
    """A ruled table: shaded header (repeated on every page), optional bold-ruled total row."""
    font = cjk_font()
    t = Table(list(rows), colWidths=list(col_widths), repeatRows=header_rows, hAlign="LEFT")
    style: list[tuple[Any, ...]] = [
        ("FONT", (0, 0), (-1, -1), font, font_size),
        ("TEXTCOLOR", (0, 0), (-1, -1), INK),
        ("GRID", (0, 0), (-1, -1), 0.4, RULE),
        ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ("TOPPADDING", (0, 0), (-1, -1), padding),
        ("BOTTOMPADDING", (0, 0), (-1, -1), padding),
        ("LEFTPADDING", (0, 0), (-1, -1), padding + 1),
        ("RIGHTPADDING", (0, 0), (-1, -1), padding + 1),
    ]
    if header_rows:
        style += [
            ("BACKGROUND", (0, 0), (-1, header_rows - 1), SHADE),
            ("TEXTCOLOR", (0, 0), (-1, header_rows - 1), MUTED),
        ]
    for c in right_cols:
        style.append(("ALIGN", (c, 0), (c, -1), "RIGHT"))
    if zebra:
        end = len(rows) - (2 if total_row else 1)
        for r in range(header_rows + 1, end + 1, 2):
            style.append(("BACKGROUND", (0, r), (-1, r), colors.HexColor("#f7f7f7")))
    if total_row:
        style += [("LINEABOVE", (0, -1), (-1, -1), 1.2, INK), ("BACKGROUND", (0, -1), (-1, -1), SHADE)]
    t.setStyle(TableStyle(style))
    return t


def facts_table(pairs: list[tuple[str, Any]], widths: tuple[float, float], scale: float = 1.0) -> Table:
    """Label/value pairs in two columns of (label, value)."""
    st = styles(scale)
    rows = []
    for i in range(0, len(pairs), 2):
        row: list[Any] = []
        for k, v in pairs[i : i + 2]:
            row += [para(k, st.cell_head), v if not isinstance(v, str) else para(v, st.body)]
        rows.append(row + [""] * (4 - len(row)))
    t = Table(rows, colWidths=[widths[0], widths[1], widths[0], widths[1]])
    t.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.3, MUTED),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return t


@lru_cache(maxsize=256)
def qr_matrix(value: str) -> tuple[tuple[bool, ...], ...]:
    """The QR code's modules (error correction M, no quiet zone), dark = True."""
    import qrcode
    from qrcode.constants import ERROR_CORRECT_M

    qr = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=0)
    qr.add_data(value)
    qr.make(fit=True)
    return tuple(tuple(bool(m) for m in row) for row in qr.get_matrix())


class QrCode(Flowable):
    """A vector QR code ``size`` points square: one filled path of the dark modules, row runs merged."""

    def __init__(self, value: str, size: float = 24 * mm) -> None:
        super().__init__()
        self.value = value
        self.size = size
        self.width = self.height = size

    def draw(self) -> None:
        rows = qr_matrix(self.value)
        n = len(rows)
        cell = self.size / n
        c = self.canv
        path = c.beginPath()
        for r, row in enumerate(rows):
            y = self.size - (r + 1) * cell
            x = 0
            while x < n:
                if row[x]:
                    start = x
                    while x < n and row[x]:
                        x += 1
                    path.rect(start * cell, y, (x - start) * cell, cell)
                else:
                    x += 1
        c.saveState()
        c.setFillColor(colors.black)
        c.drawPath(path, stroke=0, fill=1)
        c.restoreState()


def qr_code(value: str, size: float = 24 * mm) -> QrCode:
    """A QR code flowable carrying ``value``."""
    return QrCode(value, size)


class WriteBox(Flowable):
    """An empty ruled box to write in by hand, with a small caption in its corner."""

    def __init__(
        self, caption: str, width: float, height: float, *, thick: bool = False, colour: colors.Color = INK
    ) -> None:
        super().__init__()
        self.caption, self.width, self.height, self.thick, self.colour = caption, width, height, thick, colour

    def draw(self) -> None:
        c = self.canv
        c.setStrokeColor(self.colour)
        c.setLineWidth(1.4 if self.thick else 0.6)
        c.rect(0, 0, self.width, self.height)
        c.setFillColor(MUTED)
        c.setFont(cjk_font(), 7.5)
        c.drawString(2.5, self.height - 9, self.caption)


PageDecor = Callable[[Canvas, Any], None]


def front_template(footer: Callable[[int], str], *, template_id: str = "front") -> PageTemplate:
    """One full frame inside the margins; ``footer(page number)`` printed at the bottom."""
    frame = Frame(
        MARGIN,
        MARGIN + 6 * mm,
        PAGE_W - 2 * MARGIN,
        PAGE_H - 2 * MARGIN - 6 * mm,
        id=f"{template_id}-frame",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )

    def decorate(c: Canvas, doc: Any) -> None:
        c.saveState()
        c.setFont(cjk_font(), 7.5)
        c.setFillColor(MUTED)
        c.drawString(MARGIN, MARGIN, footer(c.getPageNumber()))
        c.restoreState()

    return PageTemplate(id=template_id, frames=[frame], onPage=decorate)


def half_page_templates(
    cut_text: str, footer: Callable[[int], str], *, template_id: str = "halves"
) -> PageTemplate:
    """Two frames, top and bottom half of the page, with a dashed cut line between them."""
    half = (PAGE_H - 2 * MARGIN) / 2
    gap = 5 * mm
    w = PAGE_W - 2 * MARGIN
    top = Frame(
        MARGIN,
        MARGIN + half + gap / 2,
        w,
        half - gap / 2 - 2 * mm,
        id=f"{template_id}-top",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )
    bottom = Frame(
        MARGIN,
        MARGIN + 4 * mm,
        w,
        half - gap / 2 - 4 * mm,
        id=f"{template_id}-bottom",
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )

    def decorate(c: Canvas, doc: Any) -> None:
        c.saveState()
        c.setStrokeColor(RULE)
        c.setDash(4, 3)
        y = MARGIN + half
        c.line(MARGIN - 6 * mm, y, PAGE_W - MARGIN + 6 * mm, y)
        c.setFont(cjk_font(), 7)
        c.setFillColor(MUTED)
        c.drawCentredString(PAGE_W / 2, y + 1.2 * mm, cut_text)
        c.setFont(cjk_font(), 7.5)
        c.drawString(MARGIN, MARGIN - 1 * mm, footer(c.getPageNumber()))
        c.restoreState()

    return PageTemplate(id=template_id, frames=[top, bottom], onPage=decorate)


def hms(seconds: int) -> str:
    """Seconds since midnight → ``HH:MM`` (``+1d`` past midnight)."""
    days, rest = divmod(int(seconds), 86400)
    text = f"{rest // 3600:02d}:{rest % 3600 // 60:02d}"
    return text + (f" +{days}d" if days else "")


def duration_text(seconds: int, lang: str = "zh") -> str:
    """``3 h 25 min`` / ``3小时25分``."""
    h, m = divmod(round(seconds / 60), 60)
    return f"{h}小时{m:02d}分" if lang == "zh" else f"{h} h {m:02d} min"


def windows_text(windows: Sequence[tuple[int, int]]) -> str:
    """Receiving windows ``08:00–12:00, 14:00–18:00``."""
    return ", ".join(f"{hms(a)}–{hms(b)}" for a, b in windows)


__all__ = [
    "ACCENT",
    "CASH",
    "LABELS",
    "MARGIN",
    "MUTED",
    "PAGE_H",
    "PAGE_W",
    "QrCode",
    "Styles",
    "WriteBox",
    "check_lang",
    "duration_text",
    "facts_table",
    "front_template",
    "grid_table",
    "half_page_templates",
    "hms",
    "label",
    "para",
    "qr_code",
    "qr_matrix",
    "styles",
    "windows_text",
]
