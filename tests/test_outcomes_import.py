"""`dispatch outcome import`: a CSV/XLSX of signed notes, recorded whole or rejected whole with row errors."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ledger.imports import import_outcomes
from ledger.orm import StopOutcome
from ledger.outcomes import outcome_history
from models.db import session_scope
from models.errors import InputError
from models.settings import Settings
from tests.ledger_fixtures import MiniPlan, ledger_plan  # noqa: F401

HEADER = [
    "stop",
    "product",
    "delivered_cases",
    "shortfall",
    "reason",
    "signed",
    "signer",
    "not_signed_reason",
    "cash_fen",
    "receipt_number",
]

LedgerPlan = tuple[Settings, MiniPlan]


def _rows(mini: MiniPlan) -> list[list[str]]:
    centre = sorted(mini.routes)[0]
    a, b = [st for st in mini.routes[centre] if mini.terms[st] == "cod"][:2]
    rows = []
    for i, ln in enumerate(mini.lines[a]):  # a: first line one case short (damaged)
        got = ln["cases"] - 1 if i == 0 else ln["cases"]
        rows.append(
            [
                a,
                ln["product"],
                str(got),
                "damaged" if i == 0 else "",
                "wet" if i == 0 else "",
                "是",
                "张三",
                "",
                "",
                "501",
            ]
        )
    billed_a = sum((int(r[2])) * ln["price_fen"] for r, ln in zip(rows, mini.lines[a], strict=True))
    rows[0][8] = str(billed_a)
    for ln in mini.lines[b]:
        rows.append(
            [b, ln["product"], str(ln["cases"]), "", "", "否", "", "店主不在", str(mini.due(b)), "502"]
        )
    return rows


def _csv(path: Path, rows: list[list[str]], header: list[str] = HEADER) -> Path:
    with path.open("w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_import_records_every_stop_and_replays(ledger_plan: LedgerPlan, tmp_path: Path) -> None:  # noqa: F811
    settings, mini = ledger_plan
    rows = _rows(mini)
    path = _csv(tmp_path / "notes.csv", rows)
    with session_scope(settings) as s:
        r = import_outcomes(s, path, actor="clerk")
    assert (r["stops"], r["recorded"], r["replayed"]) == (2, 2, 0)
    with session_scope(settings) as s:
        a = outcome_history(s, rows[0][0])[0]
        assert a["status"] == "short" and a["signer_name"] == "张三" and a["receipt_number"] == "00000501"
        assert a["lines"][0]["shortfall"] == "damaged" and a["lines"][0]["reason"] == "wet"
        b = outcome_history(s, rows[-1][0])[0]
        assert b["signed"] is False and b["not_signed_reason"] == "店主不在"
        again = import_outcomes(s, path, actor="clerk")
        assert (again["recorded"], again["replayed"]) == (0, 2)


def test_a_bad_file_is_rejected_whole_with_every_row_named(ledger_plan: LedgerPlan, tmp_path: Path) -> None:  # noqa: F811
    settings, mini = ledger_plan
    rows = _rows(mini)
    rows[0][8] = "640.5"  # a float in a fen column (row 2)
    rows[-1][2] = "999"  # more than loaded (last row)
    rows.append(["20990101-V1-R09-01", "S001", "1", "", "", "是", "x", "", "0", ""])  # no such stop
    path = _csv(tmp_path / "bad.csv", rows)
    with session_scope(settings) as s, pytest.raises(InputError) as exc:
        import_outcomes(s, path, actor="clerk")
    errs = exc.value.errors
    assert any(e.row == 2 and e.field == "cash_fen" for e in errs)
    # cell errors are reported first; fix the float and the stop-level errors show, still nothing recorded
    rows[0][8] = "100"
    with session_scope(settings) as s, pytest.raises(InputError) as exc:
        import_outcomes(s, _csv(tmp_path / "bad2.csv", rows), actor="clerk")
    text = str(exc.value)
    assert "nothing recorded" in text
    rows_named = {e.row for e in exc.value.errors}
    assert len(rows_named) >= 2 and any("not found" in e.reason for e in exc.value.errors)
    assert any("more than" in e.reason for e in exc.value.errors)
    with session_scope(settings) as s:
        assert s.scalar(select(func.count()).select_from(StopOutcome)) == 0
    with session_scope(settings) as s, pytest.raises(InputError) as exc:
        import_outcomes(s, _csv(tmp_path / "cols.csv", rows, header=HEADER[:2] + ["x"] * 8), actor="clerk")
    assert any("missing column" in e.reason for e in exc.value.errors)


def test_xlsx_import_refuses_fractional_money(ledger_plan: tuple[Settings, MiniPlan], tmp_path: Path) -> None:  # noqa: F811
    from openpyxl import Workbook

    settings, mini = ledger_plan
    rows = _rows(mini)

    def book(cash: float) -> Path:
        wb = Workbook()
        ws = wb.active
        ws.append(
            [
                "站点编号",
                "商品编码",
                "实送箱数",
                "差异类型",
                "差异原因",
                "已签收",
                "签收人",
                "未签原因",
                "收款金额分",
                "收据号",
            ]
        )
        for r in rows:
            ws.append(
                [
                    r[0],
                    r[1],
                    int(r[2]),
                    r[3],
                    r[4],
                    r[5],
                    r[6],
                    r[7],
                    cash if r is rows[0] else (int(r[8]) if r[8] else None),
                    r[9],
                ]
            )
        path = tmp_path / f"notes-{cash}.xlsx"
        wb.save(path)
        return path

    with session_scope(settings) as s, pytest.raises(InputError, match="cash_fen"):
        import_outcomes(s, book(640.5), actor="clerk")
    with session_scope(settings) as s:
        assert import_outcomes(s, book(float(rows[0][8])), actor="clerk")["recorded"] == 2
