"""The monthly statement of a monthly-settlement customer (reportlab PDF, embedded CJK font).

Built from the plain data of :func:`ledger.statements.statement`; reuses the
route pack's page template, styles and tables (:mod:`documents.layout`) and
money formatting (:mod:`documents.money`). ``lang`` is ``zh`` or ``en``;
customer and product names are printed as stored.
"""

from __future__ import annotations

import io
from typing import Any

from reportlab.lib.units import mm
from reportlab.platypus import BaseDocTemplate, Spacer

from documents.layout import MARGIN, PAGE_W, facts_table, front_template, grid_table, para, styles
from documents.money import chinese_uppercase, format_fen

_L: dict[str, tuple[str, str]] = {
    "title": ("客户对账单", "Customer statement"),
    "customer": ("客户", "Customer"),
    "code": ("客户编码", "Customer code"),
    "period": ("对账期间", "Period"),
    "terms": ("结算方式", "Payment terms"),
    "credit_limit": ("信用额度", "Credit limit"),
    "opening": ("期初余额", "Opening balance"),
    "closing": ("期末余额", "Closing balance"),
    "billed": ("本期送货", "Delivered this period"),
    "paid": ("本期收款", "Paid this period"),
    "adjust": ("更正", "Corrections"),
    "date": ("日期", "Date"),
    "doc": ("单据", "Document"),
    "items": ("品项", "Items"),
    "signed": ("签收", "Signed by"),
    "debit": ("应收", "Charge"),
    "credit": ("已收", "Payment"),
    "balance": ("余额", "Balance"),
    "total": ("合计", "Total"),
    "in_words": ("大写", "In words"),
    "not_signed": ("未签收", "not signed"),
    "monthly": ("月结", "Monthly"),
    "cod": ("货到付款", "Cash on delivery"),
    "kind_delivery": ("送货", "Delivery"),
    "kind_payment": ("银行收款", "Bank payment"),
    "kind_cash_collected": ("现金收款", "Cash payment"),
    "kind_reversal": ("更正冲销", "Correction (reversal)"),
    "over_limit": ("已超过信用额度", "Over the credit limit"),
    "unsigned_note": ("有 {n} 笔送货未签收，请核对", "{n} deliveries are not signed; please check"),
    "confirm": (
        "请核对后签字盖章回传。如有异议请于收到后 7 日内联系服务中心。",
        "Please check, sign and return. Queries within 7 days of receipt to the service centre.",
    ),
    "customer_sign": ("客户签章", "Customer signature"),
    "page": ("第 {n} 页", "Page {n}"),
    "empty": ("本期无往来", "No transactions this period"),
}


def _t(key: str, lang: str) -> str:
    zh, en = _L[key]
    return en if lang == "en" else zh


def render_statement(data: dict[str, Any], *, lang: str = "zh") -> bytes:
    """The statement PDF for ``data`` (from ``ledger.statements.statement``)."""
    if lang not in ("zh", "en"):
        raise ValueError(f"unknown language {lang!r}; expected zh or en")
    st = styles()
    buf = io.BytesIO()
    c = data["customer"]
    title = f"{data['issuer'][lang]} · {_t('title', lang)}"
    footer = f"{title} · {c['code']} · {data['month']}"
    doc = BaseDocTemplate(
        buf,
        pagesize=(PAGE_W, 297 * mm),
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN,
        bottomMargin=MARGIN,
        title=title,
        author=data["issuer"][lang],
    )
    doc.addPageTemplates([front_template(lambda n: f"{footer} · {_t('page', lang).format(n=n)}")])
    width = PAGE_W - 2 * MARGIN
    story: list[Any] = [para(title, st.title), Spacer(1, 2 * mm)]
    story.append(
        facts_table(
            [
                (_t("customer", lang), c["name"]),
                (_t("code", lang), c["code"]),
                (_t("period", lang), f"{data['period'][0]} – {data['period'][1]}"),
                (_t("terms", lang), _t(c["terms"], lang) if c["terms"] in ("monthly", "cod") else c["terms"]),
                (_t("credit_limit", lang), format_fen(c["credit_limit_fen"])),
                (_t("opening", lang), format_fen(data["opening_fen"])),
            ],
            (28 * mm, width / 2 - 28 * mm),
        )
    )
    story.append(Spacer(1, 4 * mm))
    head = [_t(k, lang) for k in ("date", "doc", "items", "signed", "debit", "credit", "balance")]
    rows: list[list[Any]] = [head]
    for ln in data["lines"]:
        items = "\n".join(
            f"{it['name_en' if lang == 'en' else 'name_zh'] or it['product']} "
            f"{it['cases']} × {format_fen(it['price_fen'])}"
            for it in ln["items"]
        )
        doc_no = ln["note_number"] or ln["stop"] or ""
        kind = _t(f"kind_{ln['kind']}", lang) if f"kind_{ln['kind']}" in _L else ln["kind"]
        signer = (
            (ln["signer"] or "")
            if ln["signed"]
            else (_t("not_signed", lang) if ln["signed"] is False else "")
        )
        rows.append(
            [
                ln["date"],
                para(f"{kind}\n{doc_no}", st.cell),
                para(items, st.cell),
                para(signer, st.cell),
                format_fen(ln["debit_fen"]) if ln["debit_fen"] else "",
                format_fen(ln["credit_fen"]) if ln["credit_fen"] else "",
                format_fen(ln["balance_fen"]),
            ]
        )
    if len(rows) == 1:
        rows.append(["", _t("empty", lang), "", "", "", "", ""])
    rows.append(
        [
            _t("total", lang),
            "",
            "",
            "",
            format_fen(sum(ln["debit_fen"] for ln in data["lines"])),
            format_fen(sum(ln["credit_fen"] for ln in data["lines"])),
            format_fen(data["closing_fen"]),
        ]
    )
    money = 21 * mm
    cols = [19 * mm, 40 * mm, width - 19 * mm - 40 * mm - 20 * mm - 3 * money, 20 * mm, money, money, money]
    story.append(grid_table(rows, cols, right_cols=(4, 5, 6), total_row=True, font_size=8.5))
    story.append(Spacer(1, 4 * mm))
    summary = [
        (_t("billed", lang), format_fen(data["billed_fen"])),
        (_t("paid", lang), format_fen(data["paid_fen"])),
        (_t("adjust", lang), format_fen(data["adjustments_fen"])),
        (_t("closing", lang), format_fen(data["closing_fen"])),
    ]
    if lang == "zh":
        summary.append((_t("in_words", lang), chinese_uppercase(data["closing_fen"])))
    story.append(facts_table(summary, (28 * mm, width / 2 - 28 * mm)))
    notes = []
    if data.get("over_limit"):
        notes.append(_t("over_limit", lang))
    if data.get("unsigned"):
        notes.append(_t("unsigned_note", lang).format(n=data["unsigned"]))
    notes.append(_t("confirm", lang))
    story += [Spacer(1, 4 * mm)] + [para(n, st.body) for n in notes]
    story += [Spacer(1, 10 * mm), para(f"{_t('customer_sign', lang)}: ______________________", st.body)]
    doc.build(story)
    return buf.getvalue()


__all__ = ["render_statement"]
