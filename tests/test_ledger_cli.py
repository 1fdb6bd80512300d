"""`dispatch outcome|handover|finance|receipts` end to end (SQLite): JSON on stdout, one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from models.settings import Settings
from tests.ledger_fixtures import MiniPlan, sqlite_plan  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]


def _cli(settings: Settings) -> Callable[..., subprocess.CompletedProcess[str]]:
    env = {
        **os.environ,
        "DISPATCH_DATABASE_URL": settings.effective_database_url,
        "DISPATCH_DATA_DIR": str(settings.data_dir),
        "PYTHONPATH": str(ROOT),
    }

    def run(*args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
        p = subprocess.run(
            [sys.executable, "-m", "cli.main", *args],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if ok and p.returncode != 0:
            raise AssertionError(f"dispatch {' '.join(args)}: {p.stderr}")
        return p

    return run


def _one_line_error(p: subprocess.CompletedProcess[str], needle: str) -> None:
    assert p.returncode == 1, p.stderr
    assert p.stderr.startswith("error: ") and p.stderr.count("\n") == 1 and needle in p.stderr, p.stderr


def test_clerk_day_from_receipts_to_statement(sqlite_plan: Callable[..., Any], tmp_path: Path) -> None:  # noqa: F811
    settings, mini = sqlite_plan(centre_stops=6, store_stops=2)
    run = _cli(settings)
    m: MiniPlan = mini
    book = json.loads(
        run(
            "receipts",
            "issue",
            "--staff",
            "E001",
            "--first",
            "1",
            "--last",
            "100",
            "--date",
            "2026-12-01",
            "--json",
        ).stdout
    )
    assert book["first"] == "00000001" and book["remaining"] == 100
    centre = sorted(m.routes)[0]
    cod = [st for st in m.routes[centre] if m.terms[st] == "cod"]
    due = m.due(cod[0])
    out = run(
        "outcome",
        "record",
        cod[0],
        "--signer",
        "张三",
        "--cash",
        f"{due // 100}.{due % 100:02d}",
        "--receipt",
        "1",
        "--json",
    ).stdout
    r = json.loads(out)
    assert (r["status"], r["billed_fen"], r["cash_collected_fen"], r["replayed"]) == (
        "delivered",
        due,
        due,
        False,
    )
    _one_line_error(run("outcome", "record", cod[1], "--signer", "x", ok=False), "cash on delivery")
    _one_line_error(
        run("outcome", "record", cod[1], "--signer", "x", "--cash", "1.234", ok=False), "decimals"
    )
    _one_line_error(run("outcome", "record", "no-such-stop", "--signer", "x", ok=False), "not found")
    sim = json.loads(run("outcome", "simulate", "--seed", "3", "--json").stdout)
    assert sim["skipped"] == 1 and sim["recorded"] == len(m.stops) - 1 and sim["handovers"]
    xlsx = tmp_path / "rec.xlsx"
    rec = json.loads(run("finance", "reconcile", "--json", "--xlsx", str(xlsx)).stdout)
    for k in ("date", "stops", "signed", "billed_fen", "collected_fen", "handed_over_fen", "flags"):
        assert k in rec
    assert all(type(rec[k]) is int for k in ("billed_fen", "collected_fen", "handed_over_fen"))
    assert xlsx.stat().st_size > 0 and rec["stops"] == len(m.stops)
    kinds = {f["kind"] for f in rec["flags"]}
    assert {"refused", "cash_short"} <= kinds, kinds
    flag = next(f for f in rec["flags"] if f["kind"] == "cash_short")
    done = json.loads(
        run(
            "finance", "flag", flag["id"], "--status", "explained", "--comment", "miscounted", "--json"
        ).stdout
    )
    assert done["status"] == "explained"
    monthly = next(st for st, t in m.terms.items() if t == "monthly")
    pdf = tmp_path / "st.pdf"
    run("finance", "statement", m.customers[monthly], "--month", "2026-12", "--out", str(pdf), "--lang", "en")
    assert pdf.read_bytes().startswith(b"%PDF")
    ageing = json.loads(run("finance", "ageing", "--json").stdout)
    assert any(c["customer"] == m.customers[monthly] for c in ageing["customers"])
    text = run("finance", "reconcile").stdout
    assert "reconciliation 2026-12-02" in text and "flags" in text
