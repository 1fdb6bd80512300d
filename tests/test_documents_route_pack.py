"""The route pack PDF from plain data: pages, Chinese text, note numbers, money that adds up."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
from pypdf import PdfReader

from documents.fonts import FontMissing, cjk_font, font_path
from documents.layout import hms, windows_text
from documents.model import NoteLine, RouteDoc, StopDoc
from documents.money import chinese_uppercase, format_fen
from documents.route_pack import build_route_pack

SALT = ("S001", "加碘精制盐 500g", "Iodised table salt 500 g", 8000, 20)
OIL = ("N001", "酱油 500ml", "Soy sauce 500 ml", 8400, 7)


def line(p: tuple[str, str, str, int, int], cases: int, ordered: int | None = None) -> NoteLine:
    return NoteLine(p[0], p[1], p[2], cases, ordered or cases, p[3], p[4])


def stop(
    seq: int,
    *,
    terms: str = "cod",
    kind: str = "delivery",
    lines: tuple[NoteLine, ...] | None = None,
    receipt: str | None = None,
) -> StopDoc:
    lines = lines or (line(SALT, seq + 4), line(OIL, 1))
    return StopDoc(
        seq=seq,
        stop_id=100 + seq,
        stop_code=f"20261201-V1-R01-{seq:02d}",
        kind=kind,
        note_number=f"DN20261201-{seq:04d}",
        name=f"红桥村第{seq}号商店",
        address=f"青山县白沙乡红桥村{seq}组",
        lat=28.40 + seq / 1000,
        lon=112.10 + seq / 1000,
        eta_s=8 * 3600 + seq * 600,
        arrival_s=8 * 3600 + seq * 600,
        kg=sum(ln.cases * ln.case_weight_kg for ln in lines),
        cases=sum(ln.cases for ln in lines),
        lines=lines,
        windows=((8 * 3600, 12 * 3600), (14 * 3600, 18 * 3600)),
        order_number=f"CO2026120100{seq:02d}",
        customer_code=f"439901030{seq:04d}",
        payment_terms=terms,
        receipt_number=receipt,
    )


def route(stops: tuple[StopDoc, ...]) -> RouteDoc:
    return RouteDoc(
        route_id=1,
        code="20261201-V1-R01",
        delivery_date=dt.date(2026, 12, 1),
        plan_version=1,
        plan_status="confirmed",
        vehicle="湘X·A5001",
        vehicle_kind_zh="5吨厢式货车",
        vehicle_kind_en="5 t box truck",
        depot_code="DC",
        depot_name_zh="青山县盐业配送中心",
        depot_name_en="Qingshan Salt Distribution Centre",
        depot_address="城关镇工业路8号",
        depot_lat=28.45,
        depot_lon=112.30,
        issuer_zh="青山县盐业配送中心",
        issuer_en="Qingshan Salt Distribution Centre",
        driver="孙娜德",
        loader="方涛建",
        start_s=7 * 3600,
        end_s=15 * 3600,
        distance_m=79_800,
        duration_s=8 * 3600,
        stops=stops,
    )


def pages_text(pdf: bytes) -> list[str]:
    reader = PdfReader(io.BytesIO(pdf))
    return [p.extract_text() or "" for p in reader.pages]


def note_pages(texts: list[str]) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        for number in set(re.findall(r"[DT]N\d{8}-\d{4}", t)):
            found.setdefault(number, []).append(i)
    return found


@pytest.fixture(scope="module")
def doc() -> RouteDoc:
    many = tuple(line(SALT, 1) for _ in range(1)) + tuple(
        NoteLine(f"X{i:03d}", f"商品{i}号", f"Product {i}", 1, 2, 1234 + i) for i in range(24)
    )
    transfer = StopDoc(
        seq=5,
        stop_id=105,
        stop_code="20261201-V1-R01-05",
        kind="replenishment",
        note_number="TN20261201-0005",
        name="青石镇门店",
        address="青石镇街上106号",
        lat=28.6,
        lon=112.23,
        eta_s=13 * 3600,
        arrival_s=13 * 3600,
        kg=400,
        cases=20,
        lines=(line(SALT, 20),),
        windows=((27000, 70200),),
        customer_code="S01",
        payment_terms="transfer",
    )
    return route(
        (stop(1), stop(2, terms="monthly"), stop(3, receipt="R0000123"), stop(4, lines=many), transfer)
    )


@pytest.fixture(scope="module")
def pdf(doc: RouteDoc) -> bytes:
    return build_route_pack(doc, lang="zh", route_map_png=None)


def test_font_is_embedded_truetype() -> None:
    assert font_path().is_file()
    assert cjk_font() == "CJK"


def test_pdf_opens_and_has_one_note_page_per_stop(pdf: bytes, doc: RouteDoc) -> None:
    texts = pages_text(pdf)
    where = note_pages(texts)
    note_only = [i for i, t in enumerate(texts) if "送货单" in t or "调拨单" in t]
    assert len(note_only) == len(doc.stops)
    assert note_only == list(range(len(texts) - len(doc.stops), len(texts)))  # the notes close the pack
    for k, s in enumerate(doc.stops):
        page = len(texts) - len(doc.stops) + k
        assert page in where[s.note_number]
        assert texts[page].count(s.note_number) >= 2  # customer copy and company copy
    assert b"/FontFile2" in pdf  # TrueType font embedded, not a CID reference


def test_text_holds_names_numbers_and_totals(pdf: bytes, doc: RouteDoc) -> None:
    text = "\n".join(pages_text(pdf))
    for s in doc.stops:
        assert s.name in text and s.note_number in text
    assert format_fen(doc.cash_due_fen) in text and format_fen(doc.amount_fen) in text
    assert "月结" in text and "R0000123" in text
    assert chinese_uppercase(doc.stops[0].cash_due_fen) in text
    assert sum(ch >= "\u4e00" and ch <= "\u9fff" for ch in text) > 200


def test_cover_sums_equal_the_sums_of_the_notes(pdf: bytes, doc: RouteDoc) -> None:
    texts = pages_text(pdf)
    cover = texts[0]
    notes = texts[-len(doc.stops) :]
    cash = [s.cash_due_fen for s in doc.stops]
    assert cash[1] == 0 and cash[4] == 0  # monthly account, transfer
    assert sum(cash) == doc.cash_due_fen and format_fen(doc.cash_due_fen) in cover
    for s, page in zip(doc.stops, notes, strict=True):
        if s.is_delivery:
            assert format_fen(s.amount_fen) in page
        if s.is_cod:
            assert page.count(format_fen(s.cash_due_fen)) >= 2
    assert str(doc.cases) in cover and f"{doc.kg:,} kg" in cover


def test_transfer_note_prints_no_money(pdf: bytes, doc: RouteDoc) -> None:
    page = pages_text(pdf)[-1]
    assert "调拨单" in page and "TN20261201-0005" in page
    assert "¥" not in page and "应收现金" not in page


def test_stop_list_and_reverse_loading_order(pdf: bytes, doc: RouteDoc) -> None:
    texts = pages_text(pdf)
    lists = "\n".join(texts[1 : -len(doc.stops)])
    assert "站点清单" in lists and "装车清单" in lists
    for s in doc.stops:
        assert hms(s.eta_s) in lists
    assert windows_text(doc.stops[0].windows).split(", ")[0] in lists
    assert [s.seq for s in doc.loading_order()] == [5, 4, 3, 2, 1]


def test_english_pack(doc: RouteDoc) -> None:
    text = "\n".join(pages_text(build_route_pack(doc, lang="en")))
    assert "Delivery note" in text and "Transfer note" in text and "Cash to collect" in text
    assert "Monthly account" in text and "Iodised table salt 500 g" in text
    assert doc.stops[0].name in text  # names stay as stored


def test_qr_payload_carries_the_stop_id(doc: RouteDoc) -> None:
    s = doc.stops[0]
    assert s.qr_payload == f"DISPATCH-STOP:{s.stop_id}:{s.note_number}"


def test_a_route_without_stops_still_prints_a_cover() -> None:
    texts = pages_text(build_route_pack(route(()), lang="zh"))
    assert len(texts) == 2 and "配送路线单" in texts[0]


def test_missing_font_names_the_debian_package(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.setenv("DISPATCH_CJK_FONT", str(tmp_path / "nope.ttc"))
    with pytest.raises(FontMissing):
        font_path()
    monkeypatch.delenv("DISPATCH_CJK_FONT")
    monkeypatch.setattr("documents.fonts.CANDIDATES", (tmp_path / "missing.ttc",))
    with pytest.raises(FontMissing, match="fonts-wqy-zenhei"):
        font_path()


def test_stop_numbers_as_runs() -> None:
    from documents.static_map import seq_label

    assert seq_label([7, 3, 4, 5]) == "3–5, 7"
    assert seq_label([1]) == "1" and seq_label([2, 4]) == "2, 4"


def test_stops_too_close_to_tell_apart_share_one_callout() -> None:
    from documents.static_map import MARKER_MM, overlapping_groups

    near = MARKER_MM * 0.9
    pts = [(0.0, 0.0), (50.0, 50.0), (near, 0.0), (50.0, 50.0 + near), (0.0, MARKER_MM * 1.1)]
    assert overlapping_groups(pts) == [[0, 2], [1, 3], [4]]
    assert all(len(g) == 1 for g in overlapping_groups([(i * MARKER_MM * 1.01, 0.0) for i in range(5)]))
