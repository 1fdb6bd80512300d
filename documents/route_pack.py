"""A route's printed pack: cover, stop and loading lists, one page of notes per stop.

Pages, in order:

1. the cover: date, vehicle, crew, departure, stops, km, duration, cases and
   kg, goods value and cash to collect, and a static route map;
2. the stop list (ETA and receiving window) and the loading list (load in
   reverse stop order); as many pages as the route needs;
3. per stop one page: its delivery note (transfer note for a store
   replenishment) in two copies, customer copy above and company copy below
   the cut line. Each copy shrinks to fit its half page, so the number of note
   pages always equals the number of stops.

Money is printed from integer fen (:mod:`documents.money`); the cover's sums
are sums over the same stops the notes print.
"""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import (
    BaseDocTemplate,
    FrameBreak,
    Image,
    KeepInFrame,
    NextPageTemplate,
    PageBreak,
    Spacer,
)

from documents.layout import (
    CASH,
    MARGIN,
    PAGE_H,
    PAGE_W,
    duration_text,
    facts_table,
    front_template,
    grid_table,
    half_page_templates,
    hms,
    label,
    para,
    styles,
    windows_text,
)
from documents.model import RouteDoc, StopDoc
from documents.money import format_fen
from documents.notes import note_copy
from models import clock

CONTENT_W = PAGE_W - 2 * MARGIN
HALF_H = (PAGE_H - 2 * MARGIN) / 2 - 6 * mm
MAP_W_MM, MAP_H_MM = 186, 150  # the cover's static map (the service renders it at this size)
MAP_H = MAP_H_MM * mm


def _cover(doc: RouteDoc, lang: str, route_map_png: bytes | None) -> list[Any]:
    st = styles()
    L = lambda k: label(k, lang)  # noqa: E731
    en = lang == "en"
    status = (
        L(doc.plan_status) if doc.plan_status in ("draft", "confirmed", "superseded") else doc.plan_status
    )
    story: list[Any] = [
        para(doc.issuer_en if en else doc.issuer_zh, st.small),
        para(f"{L('pack_title')}  {doc.code}" + (f"  【{L('reprint')}】" if doc.reprint else ""), st.title),
        para(f"{L('plan')} v{doc.plan_version} · {status}", st.small),
    ]
    if doc.plan_status != "confirmed":
        story.append(para(L("draft_warning"), st.body.clone("warn", textColor=CASH)))
    story.append(Spacer(1, 3 * mm))
    cash = para(format_fen(doc.cash_due_fen), st.big.clone("cashbig", textColor=CASH))
    pairs: list[tuple[str, Any]] = [
        (L("date"), doc.delivery_date.isoformat()),
        (L("vehicle"), f"{doc.vehicle}  {doc.vehicle_kind_en if en else doc.vehicle_kind_zh}"),
        (L("driver"), doc.driver or "—"),
        (L("loader"), doc.loader or "—"),
        (L("depot"), f"{doc.depot_name_en if en else doc.depot_name_zh} ({doc.depot_code})"),
        (L("departure"), f"{hms(doc.start_s)} → {hms(doc.end_s)}"),
        (L("stops"), str(len(doc.stops))),
        (L("distance"), f"{doc.distance_m / 1000:.1f} km"),
        (L("duration"), duration_text(doc.duration_s, lang)),
        (L("cases"), f"{doc.cases}"),
        (L("weight"), f"{doc.kg:,} kg"),
        (L("goods_value"), format_fen(doc.amount_fen)),
        (L("cod_stops"), f"{doc.cod_stops} / {sum(1 for s in doc.stops if s.is_delivery)}"),
        (L("cash_to_collect"), cash),
    ]
    story.append(facts_table(pairs, (26 * mm, CONTENT_W / 2 - 26 * mm)))
    if route_map_png:
        story += [
            Spacer(1, 4 * mm),
            para(L("route_map"), st.small),
            Spacer(1, 1 * mm),
            Image(io.BytesIO(route_map_png), width=CONTENT_W, height=MAP_H),
        ]
    return story


def _goods_text(s: StopDoc, lang: str) -> str:
    return "; ".join(f"{ln.name(lang)} ×{ln.cases}" for ln in s.lines)


def _lists(doc: RouteDoc, lang: str) -> list[Any]:
    st = styles()
    L = lambda k: label(k, lang)  # noqa: E731
    rows: list[list[Any]] = [
        [L("seq"), L("eta"), L("window"), L("customer"), L("address"), L("cases"), L("cash"), L("note_no")]
    ]
    for s in doc.stops:
        who: Any = (
            [para(s.name, st.cell), para(s.customer_code, st.small)]
            if s.customer_code
            else para(s.name, st.cell)
        )
        cash = (
            format_fen(s.cash_due_fen)
            if s.is_cod
            else (L("monthly_short") if s.is_delivery else L("transfer_short"))
        )
        rows.append(
            [
                str(s.seq),
                hms(s.eta_s),
                para(windows_text(s.windows).replace(", ", "\n"), st.cell),
                who,
                para(s.address, st.cell),
                str(s.cases),
                cash,
                s.note_number,
            ]
        )
    rows.append([L("total"), "", "", "", "", str(doc.cases), format_fen(doc.cash_due_fen), ""])
    widths = [8 * mm, 16 * mm, 22 * mm, 43 * mm, 39 * mm, 10 * mm, 20 * mm, 28 * mm]
    story: list[Any] = [
        para(f"{L('stop_list')} · {doc.code} · {doc.vehicle} · {doc.delivery_date}", st.h2),
        grid_table(rows, widths, right_cols=(5, 6), total_row=True, font_size=8.5, padding=2.5),
    ]
    totals = doc.loading_list()
    prod_rows: list[list[Any]] = [[L("code"), L("product"), L("cases"), L("weight")]]
    prod_rows += [
        [ln.product_code, para(ln.name(lang), st.cell), str(n), f"{n * ln.case_weight_kg:,} kg"]
        for ln, n in totals
    ]
    prod_rows.append([L("total"), "", str(doc.cases), f"{doc.kg:,} kg"])
    load_rows: list[list[Any]] = [[L("load_order"), L("seq"), L("customer"), L("goods")]]
    load_rows += [
        [str(i), str(s.seq), para(s.name, st.cell), para(_goods_text(s, lang), st.cell)]
        for i, s in enumerate(doc.loading_order(), start=1)
    ]
    story += [
        Spacer(1, 5 * mm),
        para(L("loading_list"), st.h2),
        para(L("loading_hint"), st.body),
        Spacer(1, 2 * mm),
        grid_table(prod_rows, [18 * mm, 90 * mm, 20 * mm, 30 * mm], right_cols=(2, 3), total_row=True),
        Spacer(1, 3 * mm),
        grid_table(load_rows, [18 * mm, 12 * mm, 60 * mm, CONTENT_W - 90 * mm], font_size=8.5),
    ]
    return story


def build_route_pack(
    doc: RouteDoc,
    *,
    lang: str = "zh",
    route_map_png: bytes | None = None,
    printed_at: dt.datetime | None = None,
) -> bytes:
    """The route pack as PDF bytes (see the module docstring for the pages)."""
    L = lambda k: label(k, lang)  # noqa: E731
    when = (printed_at or clock.local_now()).strftime("%Y-%m-%d %H:%M")
    issuer = doc.issuer_en if lang == "en" else doc.issuer_zh

    mark = f"{L('reprint')} · " if doc.reprint else ""

    def footer(n: int) -> str:
        page = L("page").format(n=n)
        return f"{mark}{doc.code} · {doc.vehicle} · {issuer} · {L('printed')} {when} · {page}"

    buf = io.BytesIO()
    pdf = BaseDocTemplate(
        buf,
        pagesize=(PAGE_W, PAGE_H),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=f"{L('pack_title')} {doc.code}",
        author=issuer,
        subject=f"{doc.delivery_date} {doc.vehicle}",
        creator="county-dispatch",
    )
    cut = "✂ - - - " + (L("copy_company")) + " - - -"
    pdf.addPageTemplates([front_template(footer), half_page_templates(cut, footer)])
    story: list[Any] = _cover(doc, lang, route_map_png)
    story += [PageBreak(), *_lists(doc, lang)]
    if doc.stops:
        story += [NextPageTemplate("halves"), PageBreak()]
    for i, s in enumerate(doc.stops):
        first, second = ("copy_customer", "copy_company") if s.is_delivery else ("copy_store", "copy_centre")
        story += [
            KeepInFrame(CONTENT_W, HALF_H, note_copy(doc, s, lang, first), mode="shrink"),
            FrameBreak(),
            KeepInFrame(CONTENT_W, HALF_H, note_copy(doc, s, lang, second), mode="shrink"),
        ]
        if i < len(doc.stops) - 1:
            story.append(FrameBreak())
    pdf.build(story)
    return buf.getvalue()


__all__ = ["build_route_pack"]
