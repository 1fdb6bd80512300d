"""Bilingual labels of the printed documents: key → (Chinese, English).

``label(key, lang)`` picks one language (``zh`` default, ``en``). Names of
customers, addresses and people are printed as stored (Chinese).
"""

from __future__ import annotations

LANGS = ("zh", "en")

LABELS: dict[str, tuple[str, str]] = {
    # cover
    "pack_title": ("配送路线单", "Route pack"),
    "date": ("配送日期", "Delivery date"),
    "plan": ("方案", "Plan"),
    "route": ("路线", "Route"),
    "vehicle": ("车辆", "Vehicle"),
    "driver": ("司机", "Driver"),
    "loader": ("装卸工", "Loader"),
    "depot": ("出发地", "Depot"),
    "departure": ("出发时间", "Departure"),
    "return": ("返回时间", "Return"),
    "stops": ("站点数", "Stops"),
    "distance": ("里程", "Distance"),
    "duration": ("用时", "Duration"),
    "cases": ("箱数", "Cases"),
    "weight": ("重量", "Weight"),
    "goods_value": ("货值", "Goods value"),
    "cash_to_collect": ("应收现金", "Cash to collect"),
    "cod_stops": ("现金客户", "Cash customers"),
    "route_map": (
        "路线图（沿道路绘制，数字为送货顺序）",
        "Route map (along the roads; numbers = visiting order)",
    ),
    "none": ("无", "none"),
    "draft": ("草稿", "draft"),
    "confirmed": ("已确认", "confirmed"),
    "superseded": ("已作废", "superseded"),
    "draft_warning": ("注意：本方案尚未确认", "Note: this plan is not confirmed yet"),
    "reprint": ("重印", "REPRINT"),
    # stop list and loading list
    "stop_list": ("站点清单", "Stop list"),
    "seq": ("序", "#"),
    "eta": ("预计到达", "ETA"),
    "window": ("收货时间", "Window"),
    "customer": ("客户", "Customer"),
    "address": ("地址", "Address"),
    "cash": ("收现金", "Cash"),
    "note_no": ("单号", "Note no."),
    "total": ("合计", "Total"),
    "loading_list": ("装车清单", "Loading list"),
    "loading_hint": (
        "按送货倒序装车：最后一站的货最先装、放最里面；第一站的货最后装、放门口。",
        "Load in reverse stop order: the last stop's goods go in first (at the front), "
        "the first stop's last (by the door).",
    ),
    "load_order": ("装车顺序", "Load order"),
    "product": ("品名", "Product"),
    "code": ("编码", "Code"),
    "goods": ("货物", "Goods"),
    "monthly_short": ("月结", "monthly"),
    "transfer_short": ("调拨", "transfer"),
    # notes
    "delivery_note": ("送货单", "Delivery note"),
    "transfer_note": ("调拨单", "Transfer note"),
    "copy_customer": ("第一联 客户联", "Copy 1 · customer"),
    "copy_company": ("第二联 公司联（签收后交回）", "Copy 2 · company (return signed)"),
    "copy_store": ("第一联 门店联", "Copy 1 · store"),
    "copy_centre": ("第二联 中心联（签收后交回）", "Copy 2 · centre (return signed)"),
    "customer_code": ("客户编码", "Customer code"),
    "customer_name": ("客户名称", "Customer"),
    "to_store": ("收货门店", "Receiving store"),
    "order_no": ("订单号", "Order no."),
    "ordered": ("订购箱数", "Ordered"),
    "to_deliver": ("应送箱数", "To deliver"),
    "delivered": ("实收箱数", "Delivered"),
    "unit_price": ("单价", "Unit price"),
    "amount": ("金额", "Amount"),
    "payment_terms": ("结算方式", "Payment"),
    "terms_cod": ("现金（货到付款）", "Cash on delivery"),
    "terms_monthly": ("月结（本次不收现金）", "Monthly account (no cash now)"),
    "terms_transfer": ("内部调拨，不收款", "Internal transfer, no payment"),
    "cash_due": ("应收现金", "Cash due"),
    "in_words": ("大写", "In words"),
    "receipt_no": ("收据号", "Receipt no."),
    "cash_received": ("实收现金", "Cash received"),
    "sign_customer": ("客户签收", "Customer signature"),
    "sign_store": ("门店签收", "Store signature"),
    "sign_driver": ("司机签字", "Driver signature"),
    "sign_date": ("签收日期", "Date"),
    "note_footer": (
        "请当面点清品种数量；现金当面点清，一律开具收据，严禁私下结算。",
        "Check products and quantities on delivery; cash is counted on the spot and always receipted; "
        "no private settlement.",
    ),
    "page": ("第 {n} 页", "Page {n}"),
    "printed": ("打印", "printed"),
}


def label(key: str, lang: str = "zh") -> str:
    """The label for ``key`` in ``lang`` (``zh`` or ``en``); raises ``KeyError`` for an unknown key."""
    zh, en = LABELS[key]
    return en if lang == "en" else zh


def check_lang(lang: str) -> str:
    """``lang`` if it is ``zh`` or ``en``, else ``ValueError``."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {', '.join(LANGS)}")
    return lang


__all__ = ["LABELS", "LANGS", "check_lang", "label"]
