"""Customer and order files: good files import; bad files are rejected whole with every error."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from models.codes import make_customer_code
from models.db import session_factory
from models.errors import InputError
from models.orm import Customer, Order, OrderLine
from models.settings import Settings
from services.imports import import_customers, import_orders
from tests.factories import make_register

C_NEW1 = make_customer_code("439901", 1, 50)
C_NEW2 = make_customer_code("439901", 0, 51)

CUSTOMER_HEADER_ZH = [
    "客户编码",
    "客户名称",
    "客户类型",
    "乡镇",
    "村",
    "纬度",
    "经度",
    "地址",
    "联系人",
    "联系电话",
    "配送周期(天)",
    "24小时服务",
    "结算方式",
    "信用额度(元)",
    "客户经理",
    "收货时间",
]
GOOD_CUSTOMERS = [
    [
        C_NEW1,
        "青石李记小卖部",
        "便利店",
        "青石镇",
        "石门村",
        "28.61",
        "112.46",
        "青石镇石门村3组",
        "李四",
        "13712345678",
        "15",
        "否",
        "货到付款",
        "1,500.50",
        "E002",
        "08:00-12:00;14:00-18:00",
    ],
    [
        C_NEW2,
        "城关中学食堂",
        "institution",
        "T00",
        "",
        "28.463",
        "112.322",
        "文化路9号",
        "张三",
        "0731-12345678",
        "",
        "no",
        "monthly",
        "20000",
        "李经理",
        "08:30-11:30",
    ],
]


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _write_xlsx(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


@pytest.fixture
def reg_session(settings: Settings) -> Iterator[Session]:
    s = session_factory(settings)()
    make_register(s)
    s.commit()
    yield s
    s.close()


def _counts(s: Session) -> tuple[int, int, int]:
    return (
        s.scalar(select(func.count()).select_from(Customer)) or 0,
        s.scalar(select(func.count()).select_from(Order)) or 0,
        s.scalar(select(func.count()).select_from(OrderLine)) or 0,
    )


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_good_customer_file_imports(reg_session: Session, tmp_path: Path, fmt: str) -> None:
    writer = _write_csv if fmt == "csv" else _write_xlsx
    path = writer(tmp_path / f"c.{fmt}", CUSTOMER_HEADER_ZH, GOOD_CUSTOMERS)
    result = import_customers(reg_session, path)
    reg_session.commit()
    assert result == {"created": 2, "updated": 0, "rows": 2}
    c = reg_session.scalars(select(Customer).where(Customer.code == C_NEW1)).one()
    assert c.credit_limit_fen == 150_050
    assert c.windows() == [(8 * 3600, 12 * 3600), (14 * 3600, 18 * 3600)]
    assert c.type.value == "grocery" and c.township.code == "T01" and c.manager is not None
    inst = reg_session.scalars(select(Customer).where(Customer.code == C_NEW2)).one()
    assert inst.payment_terms.value == "monthly" and inst.cycle_days == 15 and inst.phone == "0731-12345678"


def _rejected(s: Session, path: Path, fn=import_customers) -> list[tuple[int | None, str, str]]:
    before = _counts(s)
    with pytest.raises(InputError) as info:
        fn(s, path)
    s.rollback()
    assert _counts(s) == before, "a rejected file must leave the database unchanged"
    return [(e.row, e.field, e.reason) for e in info.value.errors]


def test_missing_column_is_named(reg_session: Session, tmp_path: Path) -> None:
    header = [h for h in CUSTOMER_HEADER_ZH if h != "纬度"]
    rows = [[v for h, v in zip(CUSTOMER_HEADER_ZH, r, strict=True) if h != "纬度"] for r in GOOD_CUSTOMERS]
    errors = _rejected(reg_session, _write_csv(tmp_path / "c.csv", header, rows))
    assert errors == [(1, "lat", "missing column (header 'lat' or '纬度')")]


def test_every_bad_customer_row_is_reported(reg_session: Session, tmp_path: Path) -> None:
    bad = [list(r) for r in GOOD_CUSTOMERS] + [list(GOOD_CUSTOMERS[0])]  # row 4 duplicates row 2
    bad[0][5] = "61.2"  # latitude outside China
    bad[1][0] = C_NEW2[:-1] + ("0" if C_NEW2[-1] != "0" else "1")  # bad check character
    bad[1][3] = "火星乡"  # unknown township
    bad[1][13] = "-5"  # negative credit
    errors = _rejected(reg_session, _write_csv(tmp_path / "c.csv", CUSTOMER_HEADER_ZH, bad))
    fields = {(row, fld) for row, fld, _ in errors}
    assert (2, "lat") in fields
    assert (3, "customer_code") in fields and (3, "credit_limit_yuan") in fields
    assert (3, "township") in fields
    assert (4, "customer_code") in fields  # duplicate of row 2
    dup = next(r for row, f, r in errors if row == 4 and f == "customer_code")
    assert "duplicate" in dup and "row 2" in dup


def test_existing_code_needs_update_flag(reg_session: Session, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "c.csv", CUSTOMER_HEADER_ZH, GOOD_CUSTOMERS)
    import_customers(reg_session, path)
    reg_session.commit()
    errors = _rejected(reg_session, path)
    assert {(r, f) for r, f, _ in errors} == {(2, "customer_code"), (3, "customer_code")}
    assert import_customers(reg_session, path, update=True)["updated"] == 2


ORDER_HEADER_EN = [
    "order_number",
    "customer_code",
    "channel",
    "received_at",
    "delivery_date",
    "product_code",
    "cases",
    "external_ref",
]


def _order_rows(reg_session: Session) -> list[list[str]]:
    c1 = make_customer_code("439901", 0, 1)
    c2 = make_customer_code("439901", 1, 1)
    return [
        ["", c1, "inbound_call", "2026-11-30 09:15", "2026-12-01", "S001", "6", "CALL-1"],
        ["", c1, "inbound_call", "2026-11-30 09:15", "2026-12-01", "N001", "2", "CALL-1"],
        ["W-77", c2, "门店报单", "2026/11/30 10:00", "2026-12-01", "S001", "12", "SR-9"],
    ]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_good_order_file_imports_and_groups_lines(reg_session: Session, tmp_path: Path, fmt: str) -> None:
    writer = _write_csv if fmt == "csv" else _write_xlsx
    path = writer(tmp_path / f"o.{fmt}", ORDER_HEADER_EN, _order_rows(reg_session))
    result = import_orders(reg_session, path)
    reg_session.commit()
    assert result == {"orders": 2, "lines": 3, "rows": 3}
    o = reg_session.scalars(select(Order).where(Order.external_ref == "CALL-1")).one()
    assert o.number == "DO202611300001" or o.number.startswith("DO20261130")
    assert sorted((ln.product.code, ln.cases) for ln in o.lines) == [("N001", 2), ("S001", 6)]
    assert o.status.value == "received" and o.events[0].to_status == "received"
    assert (
        reg_session.scalars(select(Order).where(Order.number == "W-77")).one().channel.value == "store_report"
    )


def test_every_bad_order_row_is_reported(reg_session: Session, tmp_path: Path) -> None:
    rows = _order_rows(reg_session)
    rows[0][1] = make_customer_code("439901", 9, 999)  # unknown (but well-formed) customer
    rows[1][6] = "-3"  # negative quantity
    rows[2][5] = "X999"  # unknown product
    rows.append(["", rows[2][1], "visit", "2026-11-30 11:00", "2026-13-01", "S001", "5", ""])  # bad date
    rows.append(
        ["", rows[2][1], "visit", "2026-11-30 11:00", "2026-11-29", "S001", "5", ""]
    )  # before received
    errors = _rejected(reg_session, _write_csv(tmp_path / "o.csv", ORDER_HEADER_EN, rows), import_orders)
    got = {(row, fld) for row, fld, _ in errors}
    assert {
        (2, "customer_code"),
        (3, "cases"),
        (4, "product_code"),
        (5, "delivery_date"),
        (6, "delivery_date"),
    } <= got
    reasons = {(row, fld): why for row, fld, why in errors}
    assert reasons[(3, "cases")] == "must be at least 1"
    assert "unknown customer" in reasons[(2, "customer_code")]


def test_reimporting_the_same_channel_reference_is_refused(reg_session: Session, tmp_path: Path) -> None:
    path = _write_csv(tmp_path / "o.csv", ORDER_HEADER_EN, _order_rows(reg_session)[:2])
    import_orders(reg_session, path)
    reg_session.commit()
    errors = _rejected(reg_session, path, import_orders)
    assert errors and all(f == "external_ref" and "already imported" in why for _, f, why in errors)


def test_unknown_file_type_is_an_input_error(reg_session: Session, tmp_path: Path) -> None:
    p = tmp_path / "c.txt"
    p.write_text("x")
    errors = _rejected(reg_session, p)
    assert errors[0][1] == "file"
