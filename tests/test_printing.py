"""Printing a planned day from the database: note numbers, route packs, map sheets, overview, CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from documents.money import format_fen
from models.db import session_scope
from models.errors import NotFound
from models.planning import DeliveryNote, PlanStop
from models.settings import Settings
from services.plan_ops import plan_detail
from services.planning import find_plan, plan_day
from services.printing import overview_map_html, print_day, route_map_html, route_pack_pdf

FAST = {"time_limit_s": None, "solution_limit": 5, "workers": 1}
NOTE = re.compile(r"DN\d{8}-\d{4}")
EXTERNAL = re.compile(
    r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//|url\(\s*["']?(?:https?:)?//|@import""", re.I
)


def pdf_pages(path: str | Path | bytes) -> list[str]:
    data = path if isinstance(path, bytes) else Path(path).read_bytes()
    return [p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages]


def marker_seqs(html: str, code: str) -> list[int]:
    return [int(x) for x in re.findall(rf'data-route=\\"{re.escape(code)}\\" data-seq=\\"(\d+)\\"', html)]


@pytest.fixture
def planned(county_settings: Settings) -> Settings:
    plan_day(county_settings, **FAST)
    return county_settings


def test_print_day_writes_packs_maps_and_overview(planned: Settings, tmp_path: Path) -> None:
    detail = plan_detail(planned)
    result = print_day(planned, out=tmp_path / "print")
    assert len(result["routes"]) == len(detail["routes"]) >= 2
    assert Path(result["overview"]).is_file()
    all_notes = [n for r in result["routes"] for n in r["notes"]]
    day = result["date"].replace("-", "")
    assert all_notes == [f"DN{day}-{i:04d}" for i in range(1, len(all_notes) + 1)]  # sequential per day
    names = {(s["id"]): s["name"] for r in detail["routes"] for s in r["stops"]}
    for r, shown in zip(result["routes"], detail["routes"], strict=True):
        pages = pdf_pages(r["pdf"])
        text = "\n".join(pages)
        stops = shown["stops"]
        # one note page per stop, closing the pack, each with its own number twice (two copies)
        note_pages = [p for p in pages if NOTE.search(p) and ("送货单" in p or "调拨单" in p)]
        assert len(note_pages) == len(stops) == r["stops"]
        assert pages[-len(stops) :] == note_pages
        for number, page in zip(r["notes"], note_pages, strict=True):
            assert page.count(number) >= 2
        for s in stops:
            assert s["name"] in text  # customer names in Chinese, as text
        assert format_fen(r["cash_due_fen"]) in pages[0]  # the cover's cash equals the notes' sum
        assert sum(ch >= "\u4e00" and ch <= "\u9fff" for ch in pages[0]) >= 20
        html = Path(r["map"]).read_text(encoding="utf-8")
        assert marker_seqs(html, r["route"]) == [s["seq"] for s in stops] == list(range(1, len(stops) + 1))
        assert not EXTERNAL.search(html) and "L.tileLayer" not in html
    overview = Path(result["overview"]).read_text(encoding="utf-8")
    assert not EXTERNAL.search(overview)
    for r in result["routes"]:
        assert len(marker_seqs(overview, r["route"])) == r["stops"]
    assert names  # the plan has stops at all


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_printing_again_reuses_the_numbers_and_a_new_version_continues_them(
    planned: Settings, tmp_path: Path
) -> None:
    first = print_day(planned, out=tmp_path / "a")
    again = print_day(planned, out=tmp_path / "b", lang="en")
    assert [r["notes"] for r in first["routes"]] == [r["notes"] for r in again["routes"]]
    with session_scope(planned) as s:
        n_notes = s.scalar(select(func.count()).select_from(DeliveryNote))
        assert n_notes == sum(r["stops"] for r in first["routes"])
    # planning the day again stores version 2 with new stops: they get the next numbers of the day
    plan_day(planned, **FAST)
    v2 = print_day(planned, out=tmp_path / "c")
    assert v2["version"] == 2
    v2_notes = [n for r in v2["routes"] for n in r["notes"]]
    last = max(int(n[-4:]) for r in first["routes"] for n in r["notes"])
    assert sorted(int(n[-4:]) for n in v2_notes) == list(range(last + 1, last + 1 + len(v2_notes)))
    en = pdf_pages(again["routes"][0]["pdf"])
    assert "Route pack" in en[0] and "Delivery note" in en[-1]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cod_notes_get_receipt_numbers_from_the_drivers_open_book(planned: Settings, tmp_path: Path) -> None:
    from ledger import receipts

    with session_scope(planned) as s:
        plan = find_plan(s)
        route = max(plan.routes, key=lambda r: len(r.stops))
        driver = route.driver or route.vehicle.driver
        assert driver is not None
        receipts.issue_book(s, first=5001, last=5100, staff_code=driver.code, on_date=plan.delivery_date)
        route_id = route.id
    result = print_day(planned, route=route_id, out=tmp_path)
    assert [r["route"] for r in result["routes"]] == [route.code]
    with session_scope(planned) as s:
        rows = s.execute(
            select(DeliveryNote.number, DeliveryNote.receipt_number, PlanStop.seq)
            .join(PlanStop, PlanStop.id == DeliveryNote.stop_id)
            .where(PlanStop.route_id == route_id)
            .order_by(PlanStop.seq)
        ).all()
    numbered = [r.receipt_number for r in rows if r.receipt_number]
    assert numbered and len(set(numbered)) == len(numbered)
    text = "\n".join(pdf_pages(result["routes"][0]["pdf"]))
    for n in numbered:
        assert n in text
    again = print_day(planned, route=route_id, out=tmp_path / "again")  # reprint: same receipt numbers
    with session_scope(planned) as s:
        kept = [
            r
            for (r,) in s.execute(
                select(DeliveryNote.receipt_number)
                .where(DeliveryNote.receipt_number.is_not(None))
                .order_by(DeliveryNote.seq)
            )
        ]
    assert kept == numbered and again["routes"][0]["notes"] == result["routes"][0]["notes"]


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_service_functions_for_the_api(planned: Settings) -> None:
    with session_scope(planned) as s:
        plan = find_plan(s)
        route = plan.routes[0]
        pdf = route_pack_pdf(s, planned, route.id, "zh")
        html = route_map_html(s, planned, route.id)
        overview = overview_map_html(s, planned, plan_id=plan.id, lang="en")
        n = len(route.stops)
    assert pdf.startswith(b"%PDF") and len(pdf_pages(pdf)) >= n + 2
    assert len(marker_seqs(html, route.code)) == n
    assert "Held order" in overview or "Unassigned order" in overview


@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_cli_print(planned: Settings, tmp_path: Path) -> None:
    env = dict(
        os.environ,
        DISPATCH_DATABASE_URL=planned.effective_database_url,
        DISPATCH_DATA_DIR=str(planned.data_dir),
    )
    out = tmp_path / "out"
    p = subprocess.run(
        [sys.executable, "-m", "cli.main", "print", "--out", str(out), "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert p.returncode == 0, p.stderr
    result = json.loads(p.stdout)
    assert len(list(out.glob("*.pdf"))) >= 1 and len(list(out.glob("*.html"))) >= 2
    assert set(result["files"]) == {str(f.resolve()) for f in out.iterdir()}
    bad = subprocess.run(
        [sys.executable, "-m", "cli.main", "print", "--out", str(out), "--lang", "fr"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert bad.returncode == 1 and bad.stderr.startswith("error:") and "--lang" in bad.stderr
    with pytest.raises(NotFound, match="2020-01-01"):
        print_day(planned, date=dt.date(2020, 1, 1), out=out)
    with pytest.raises(NotFound, match="no-such-route"):
        print_day(planned, route="no-such-route", out=out)
