"""The documented column layouts of the customer and order files.

Headers may be English or Chinese, in any order; see ``docs/import-format.md``.
"""

from __future__ import annotations

from models.codes import customer_code_problem
from models.enums import Channel, CustomerStatus, CustomerType, PaymentTerms
from services.tabular import (
    CellError,
    Column,
    enum_parser,
    non_negative_int,
    parse_bool,
    parse_date,
    parse_datetime,
    parse_lat,
    parse_lon,
    parse_phone,
    parse_windows,
    parse_yuan_to_fen,
    positive_int,
)


def parse_customer_code(text: str) -> str:
    code = text.strip().upper()
    problem = customer_code_problem(code)
    if problem:
        raise CellError(f"not a unified customer code: {problem}")
    return code


def parse_cycle(text: str) -> int:
    v = positive_int(text)
    if v > 366:
        raise CellError("must be at most 366 days")
    return v


CUSTOMER_COLUMNS: list[Column] = [
    Column(
        "code",
        "customer_code",
        "客户编码",
        True,
        parse_customer_code,
        "13-character unified customer code with its check character",
    ),
    Column("name", "name", "客户名称", True, str, "shop or institution name"),
    Column(
        "type",
        "type",
        "客户类型",
        True,
        enum_parser(CustomerType),
        "county_supermarket, market_town_supermarket, grocery, restaurant, institution, food_processor",
    ),
    Column("township", "township", "乡镇", True, str, "township code (T03) or Chinese name (白沙乡)"),
    Column("village", "village", "村", False, str, "village name"),
    Column("lat", "lat", "纬度", True, parse_lat, "WGS-84 latitude (inside China)"),
    Column("lon", "lon", "经度", True, parse_lon, "WGS-84 longitude (inside China)"),
    Column("address", "address", "地址", False, str, "street address (personal data)"),
    Column("contact_name", "contact_name", "联系人", False, str, "contact person (personal data)"),
    Column("phone", "phone", "联系电话", False, parse_phone, "mobile or landline (personal data)"),
    Column("cycle_days", "cycle_days", "配送周期(天)", False, parse_cycle, "default 15 (half-monthly)"),
    Column("service_24h", "service_24h", "24小时服务", False, parse_bool, "yes/no; default no"),
    Column(
        "payment_terms",
        "payment_terms",
        "结算方式",
        False,
        enum_parser(PaymentTerms),
        "cod (货到付款) or monthly (月结); default cod",
    ),
    Column(
        "credit_limit_fen",
        "credit_limit_yuan",
        "信用额度(元)",
        False,
        parse_yuan_to_fen,
        "yuan with at most 2 decimals; default 0",
    ),
    Column("manager", "customer_manager", "客户经理", False, str, "staff code or name"),
    Column(
        "windows",
        "receiving_hours",
        "收货时间",
        False,
        parse_windows,
        "one or two windows, e.g. 08:00-12:00;14:00-18:00; default 08:00-18:00",
    ),
    Column("status", "status", "状态", False, enum_parser(CustomerStatus), "active, suspended, closed"),
]

ORDER_COLUMNS: list[Column] = [
    Column(
        "number",
        "order_number",
        "订单号",
        False,
        str,
        "rows with the same number are lines of one order; blank: one order per row group "
        "(same customer, channel, received time and external reference)",
    ),
    Column("customer", "customer_code", "客户编码", True, parse_customer_code, "must exist in the register"),
    Column(
        "channel",
        "channel",
        "渠道",
        True,
        enum_parser(Channel),
        "visit (客户经理拜访), store_report (门店报单), outbound_call (客服外呼), inbound_call (客户来电)",
    ),
    Column(
        "received_at",
        "received_at",
        "接单时间",
        True,
        parse_datetime,
        "YYYY-MM-DD HH:MM, China Standard Time unless an offset is given",
    ),
    Column("delivery_date", "delivery_date", "送货日期", True, parse_date, "YYYY-MM-DD"),
    Column("product", "product_code", "商品编码", True, str, "must exist"),
    Column("cases", "cases", "箱数", True, positive_int, "whole cases, at least 1"),
    Column(
        "external_ref",
        "external_ref",
        "外部单号",
        False,
        str,
        "the channel's own reference; the same channel and reference twice is refused",
    ),
    Column("reported_by", "reported_by_store", "报单门店", False, str, "store code, for store reports"),
    Column("note", "note", "备注", False, str, ""),
]

__all__ = ["CUSTOMER_COLUMNS", "ORDER_COLUMNS", "non_negative_int"]
