"""A delivery note (or a store's transfer note): one copy, sized for half an A4 page.

Header with the issuer, note number and a QR code carrying the stop's id;
customer and route facts; the lines (ordered, to deliver, an empty
"delivered" column, unit price, amount); payment terms with, for
cash-on-delivery customers, the cash-due box (figures and Chinese uppercase),
the receipt number (or an empty box to fill from a paper receipt book) and a
box for the cash received; signature and date boxes.
"""

from __future__ import annotations

from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import Spacer, Table, TableStyle

from documents.layout import (
    CASH,
    MARGIN,
    MUTED,
    PAGE_W,
    WriteBox,
    facts_table,
    grid_table,
    hms,
    label,
    para,
    qr_code,
    styles,
    windows_text,
)
from documents.model import RouteDoc, StopDoc
from documents.money import chinese_uppercase, format_fen

CONTENT_W = PAGE_W - 2 * MARGIN


NOTE_SCALE = 1.1


def note_copy(doc: RouteDoc, s: StopDoc, lang: str, copy_key: str) -> list[Any]:
    st = styles(NOTE_SCALE)
    L = lambda k: label(k, lang)  # noqa: E731
    en = lang == "en"
    title = L("delivery_note") if s.is_delivery else L("transfer_note")
    head_left = [
        para(doc.issuer_en if en else doc.issuer_zh, st.small),
        para(f"{title}  {s.note_number}" + (f"  【{L('reprint')}】" if doc.reprint else ""), st.big),
        para(L(copy_key), st.small),
    ]
    qr = [qr_code(s.qr_payload, 21 * mm), para(s.stop_code, st.small.clone("qrc", fontSize=6, leading=7))]
    head = Table([[head_left, qr]], colWidths=[CONTENT_W - 26 * mm, 26 * mm])
    head.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    who = L("customer_name") if s.is_delivery else L("to_store")
    info = [
        (L("date"), doc.delivery_date.isoformat()),
        (L("customer_code"), s.customer_code or "—"),
        (who, s.name),
        (L("order_no"), s.order_number or "—"),
        (L("address"), s.address or "—"),
        (L("eta"), f"{hms(s.eta_s)}  ({windows_text(s.windows)})"),
        (L("route"), f"{doc.code} #{s.seq}"),
        (L("vehicle"), f"{doc.vehicle} · {doc.driver or '—'}"),
    ]
    story: list[Any] = [
        head,
        Spacer(1, 1.5 * mm),
        facts_table(info, (21 * mm, CONTENT_W / 2 - 21 * mm), NOTE_SCALE),
        Spacer(1, 2 * mm),
    ]
    if s.is_delivery:
        rows: list[list[Any]] = [
            [
                L("product"),
                L("code"),
                L("ordered"),
                L("to_deliver"),
                L("delivered"),
                L("unit_price"),
                L("amount"),
            ]
        ]
        rows += [
            [
                para(ln.name(lang), st.cell),
                ln.product_code,
                str(ln.ordered_cases),
                str(ln.cases),
                "",
                format_fen(ln.price_fen),
                format_fen(ln.amount_fen),
            ]
            for ln in s.lines
        ]
        rows.append(
            [
                L("total"),
                "",
                str(sum(ln.ordered_cases for ln in s.lines)),
                str(s.cases),
                "",
                "",
                format_fen(s.amount_fen),
            ]
        )
        widths = [56 * mm, 16 * mm, 18 * mm, 18 * mm, 22 * mm, 24 * mm, CONTENT_W - 154 * mm]
        story.append(
            grid_table(
                rows, widths, right_cols=(2, 3, 5, 6), total_row=True, zebra=False, padding=2.6, font_size=9.5
            )
        )
    else:
        rows = [[L("product"), L("code"), L("to_deliver"), L("delivered")]]
        rows += [[para(ln.name(lang), st.cell), ln.product_code, str(ln.cases), ""] for ln in s.lines]
        rows.append([L("total"), "", str(s.cases), ""])
        story.append(
            grid_table(
                rows,
                [90 * mm, 30 * mm, 30 * mm, CONTENT_W - 150 * mm],
                right_cols=(2,),
                total_row=True,
                zebra=False,
                padding=2.6,
                font_size=9.5,
            )
        )
    story += [
        Spacer(1, 2 * mm),
        money_and_signatures(doc, s, lang),
        Spacer(1, 1 * mm),
        para(L("note_footer"), st.small),
    ]
    return story


def money_and_signatures(doc: RouteDoc, s: StopDoc, lang: str) -> Table:
    st = styles(NOTE_SCALE)
    L = lambda k: label(k, lang)  # noqa: E731
    left_w = 104 * mm
    right_w = CONTENT_W - left_w - 3 * mm
    if s.is_cod:
        due = Table(
            [
                [para(f"{L('payment_terms')}: {L('terms_cod')}", st.cell), ""],
                [
                    para(L("cash_due"), st.cell_head),
                    para(format_fen(s.cash_due_fen), st.big.clone("c", textColor=CASH)),
                ],
                [para(L("in_words"), st.cell_head), para(chinese_uppercase(s.cash_due_fen), st.body)],
                [
                    para(L("receipt_no"), st.cell_head),
                    para(s.receipt_number, st.big) if s.receipt_number else WriteBox("", 60 * mm, 9 * mm),
                ],
                [para(L("cash_received"), st.cell_head), WriteBox("¥", 60 * mm, 9 * mm)],
            ],
            colWidths=[22 * mm, left_w - 26 * mm],
        )
        due.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 1.4, CASH),
                    ("SPAN", (0, 0), (1, 0)),
                    ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                    ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ]
            )
        )
        left: Any = due
    else:
        text = L("terms_monthly") if s.is_delivery else L("terms_transfer")
        left = Table([[para(f"{L('payment_terms')}: {text}", st.body)]], colWidths=[left_w - 4 * mm])
        left.setStyle(
            TableStyle(
                [
                    ("BOX", (0, 0), (-1, -1), 0.6, MUTED),
                    ("TOPPADDING", (0, 0), (-1, -1), 6),
                    ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
                ]
            )
        )
    signer = L("sign_customer") if s.is_delivery else L("sign_store")
    right = Table(
        [
            [WriteBox(signer, right_w, 20 * mm, thick=True)],
            [WriteBox(L("sign_date"), right_w, 9 * mm)],
            [WriteBox(L("sign_driver"), right_w, 11 * mm)],
        ],
        colWidths=[right_w],
    )
    right.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
            ]
        )
    )
    outer = Table([[left, right]], colWidths=[left_w, right_w + 3 * mm])
    outer.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 0),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
                ("ALIGN", (1, 0), (1, 0), "RIGHT"),
            ]
        )
    )
    return outer


__all__ = ["NOTE_SCALE", "money_and_signatures", "note_copy"]
