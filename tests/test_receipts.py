"""Receipt books: numbers handed out once (also under concurrency), voids, store books, overlaps."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from ledger.receipts import (
    assign_receipt_number,
    format_number,
    issue_book,
    list_books,
    parse_number,
    void_receipt,
)
from models.db import make_engine, session_scope
from models.errors import Conflict, InputError
from models.orm import Staff
from models.settings import Settings

DAY = dt.date(2026, 12, 1)


def _staff_id(s: Session, code: str) -> int:
    return s.scalars(select(Staff.id).where(Staff.code == code)).one()


def test_numbers_are_handed_out_once_in_order(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        book = issue_book(s, staff_code="E001", first=1001, last=1003, on_date=DAY, actor="test")
        assert book["first"] == "00001001" and book["remaining"] == 3
        e001 = _staff_id(s, "E001")
    with session_scope(county_settings) as s:
        got = [assign_receipt_number(s, staff_id=e001, on_date=DAY) for _ in range(4)]
    assert got == ["00001001", "00001002", "00001003", None]
    with session_scope(county_settings) as s:
        # no book at all, and a book issued only tomorrow, both give None
        assert assign_receipt_number(s, staff_id=_staff_id(s, "E003"), on_date=DAY) is None
        issue_book(s, staff_code="E003", first=5001, last=5010, on_date=DAY + dt.timedelta(days=1))
        assert assign_receipt_number(s, staff_id=_staff_id(s, "E003"), on_date=DAY) is None
        [b] = list_books(s, holder="E001")
        assert (b["assigned"], b["remaining"], b["next"]) == (3, 0, None)


def test_store_staff_use_the_store_book_and_overlaps_are_refused(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        issue_book(s, store_code="S06", first=2001, last=2050, on_date=DAY)
        with pytest.raises(Conflict, match="overlap"):
            issue_book(s, staff_code="E001", first=2050, last=2100, on_date=DAY)
        with pytest.raises(InputError):
            issue_book(s, store_code="DC", first=3000, last=3001, on_date=DAY)  # the centre is not a store
        with pytest.raises(InputError):
            issue_book(s, staff_code="E001", first=10, last=5, on_date=DAY)
        assert assign_receipt_number(s, staff_id=_staff_id(s, "E021"), on_date=DAY) == "00002001"
        assert assign_receipt_number(s, staff_id=_staff_id(s, "E021"), on_date=DAY) == "00002002"


def test_void_is_recorded_once_and_gaps_skip_voided_numbers(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        issue_book(s, staff_code="E001", first=7001, last=7010, on_date=DAY)
        r = void_receipt(s, "7002", reason="torn", on_date=DAY)
        assert r == {"number": "00007002", "book": r["book"], "voided": True, "replayed": False}
        assert void_receipt(s, "No. 7002", reason="torn", on_date=DAY)["replayed"] is True
        with pytest.raises(InputError):
            void_receipt(s, "9999999", reason="x", on_date=DAY)  # in no book
        # the next number handed out is above the highest one taken
        assert assign_receipt_number(s, staff_id=_staff_id(s, "E001"), on_date=DAY) == "00007003"


def test_number_formats() -> None:
    assert format_number(12) == "00000012"
    assert parse_number(" no.00001234 ") == 1234
    for bad in ("", "0", "12a", "123456789"):
        with pytest.raises(InputError):
            parse_number(bad)


def test_concurrent_assignments_never_share_a_number(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        issue_book(s, staff_code="E001", first=1, last=500, on_date=DAY)
        e001 = _staff_id(s, "E001")
    engine = make_engine(county_settings.effective_database_url, poolclass=NullPool)
    got: list[str | None] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def work() -> None:
        try:
            with Session(engine) as s:
                n = assign_receipt_number(s, staff_id=e001, on_date=DAY)
                s.commit()
            with lock:
                got.append(n)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    engine.dispose()
    assert not errors, errors
    assert sorted(got) == [format_number(i) for i in range(1, 21)]  # type: ignore[type-var]


def test_receipt_rows_cannot_be_updated_or_deleted(county_settings: Settings) -> None:
    with session_scope(county_settings) as s:
        issue_book(s, staff_code="E001", first=1, last=5, on_date=DAY)
        assign_receipt_number(s, staff_id=_staff_id(s, "E001"), on_date=DAY)
    for stmt in (
        "UPDATE receipt_events SET number = 2",
        "DELETE FROM receipt_events",
        "UPDATE receipt_books SET last_number = 9",
        "DELETE FROM receipt_books",
    ):
        with pytest.raises(DBAPIError, match="append-only"), session_scope(county_settings) as s:
            s.execute(text(stmt))
