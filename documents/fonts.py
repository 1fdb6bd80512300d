"""The CJK font embedded in every PDF (registered with reportlab once per process).

reportlab's built-in ``STSong-Light`` is a CID font that is *not embedded*: a
phone without the font shows blanks. We embed WenQuanYi Zen Hei from Debian's
``fonts-wqy-zenhei`` (a TrueType collection; reportlab subsets and embeds it).
``DISPATCH_CJK_FONT`` may name another TrueType file (``.ttf``/``.ttc``; the
CFF-based Noto CJK ``.otf`` files cannot be embedded by reportlab).

    >>> from documents.fonts import cjk_font
    >>> name = cjk_font()          # "CJK", registered with a bold alias "CJK-Bold"
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

FONT_NAME = "CJK"
BOLD_NAME = "CJK-Bold"
DEBIAN_PACKAGE = "fonts-wqy-zenhei"
CANDIDATES: tuple[Path, ...] = (
    Path("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"),
    Path("/usr/share/fonts/wqy-zenhei/wqy-zenhei.ttc"),  # Fedora
    Path("/usr/local/share/fonts/wqy-zenhei.ttc"),
)

_lock = threading.Lock()
_registered: str | None = None


class FontMissing(RuntimeError):
    """No embeddable CJK font on this machine."""


def font_path() -> Path:
    """The TrueType file to embed: ``DISPATCH_CJK_FONT`` or the first installed candidate.

    Raises :class:`FontMissing` naming the Debian package to install.
    """
    override = os.environ.get("DISPATCH_CJK_FONT")
    if override:
        p = Path(override)
        if not p.is_file():
            raise FontMissing(f"DISPATCH_CJK_FONT={override} is not a file")
        return p
    for p in CANDIDATES:
        if p.is_file():
            return p
    raise FontMissing(
        "no CJK TrueType font for PDFs: install the Debian package "
        f"{DEBIAN_PACKAGE} (`sudo apt-get install {DEBIAN_PACKAGE}` or `make doc-debs`), "
        "or set DISPATCH_CJK_FONT to a .ttf/.ttc file"
    )


def cjk_font() -> str:
    """Register the embedded CJK font (once) and return its reportlab name (``"CJK"``).

    ``<b>`` in paragraphs maps to ``"CJK-Bold"`` (the same face: Zen Hei has no
    bold; :mod:`documents.layout` thickens headings with a stroke instead).
    """
    global _registered
    if _registered:
        return _registered
    with _lock:
        if _registered:
            return _registered
        from reportlab.lib.fonts import addMapping
        from reportlab.pdfbase import pdfmetrics
        from reportlab.pdfbase.ttfonts import TTFont

        path = font_path()
        index = 0 if path.suffix.lower() == ".ttc" else None
        kwargs = {"subfontIndex": index} if index is not None else {}
        try:
            pdfmetrics.registerFont(TTFont(FONT_NAME, str(path), **kwargs))
            pdfmetrics.registerFont(TTFont(BOLD_NAME, str(path), **kwargs))
        except Exception as exc:  # reportlab raises TTFError and plain errors alike
            raise FontMissing(f"cannot embed {path}: {exc} (install {DEBIAN_PACKAGE})") from exc
        for bold in (0, 1):
            for italic in (0, 1):
                addMapping(FONT_NAME, bold, italic, BOLD_NAME if bold else FONT_NAME)
        _registered = FONT_NAME
        return _registered


__all__ = ["BOLD_NAME", "FONT_NAME", "FontMissing", "cjk_font", "font_path"]
