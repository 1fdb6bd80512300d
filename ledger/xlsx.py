"""The reconciliation as an XLSX workbook for finance.

Sheets: summary, flags, routes, drivers, stores, customers, stops, cash
differences (the day's, and any day's still pending), damaged goods.

Money columns are written twice: integer fen (exact, for formulas) and yuan text.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

# a cash difference at handover and what finance decided (ledger.shortfalls)
_DIFFERENCE = (
    "id",
    "staff",
    "name",
    "date",
    "kind",
    "difference_fen",
    "state",
    "pending_fen",
    "charged_fen",
    "repaid_fen",
    "written_off_fen",
    "other_income_fen",
    "returned_fen",
)
SHEETS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "Flags 差异",
        "flags",
        (
            "id",
            "kind",
            "route",
            "stop",
            "driver",
            "customer",
            "amount_fen",
            "status",
            "detail",
            "comment",
            "by",
            "at",
        ),
    ),
    (
        "Routes 路线",
        "routes",
        (
            "route",
            "vehicle",
            "depot",
            "driver",
            "driver_name",
            "stops",
            "with_outcome",
            "signed",
            "planned_cases",
            "delivered_cases",
            "planned_fen",
            "billed_fen",
            "due_fen",
            "collected_fen",
            "handed_over_fen",
        ),
    ),
    (
        "Drivers 司机",
        "drivers",
        (
            "staff",
            "name",
            "role",
            "stops",
            "signed",
            "billed_fen",
            "due_fen",
            "collected_fen",
            "handed_over_fen",
            "difference_fen",
            "notes_returned",
            "cash_on_hand_fen",
        ),
    ),
    (
        "Stores 门店",
        "stores",
        (
            "store",
            "stops",
            "with_outcome",
            "delivered_cases",
            "collected_fen",
            "handed_in_fen",
            "remitted_fen",
            "cash_on_hand_fen",
        ),
    ),
    (
        "Customers 客户",
        "customers",
        (
            "customer",
            "name",
            "terms",
            "stops",
            "ordered_cases",
            "delivered_cases",
            "billed_fen",
            "collected_fen",
            "receivable_fen",
        ),
    ),
    (
        "Stops 站点",
        "stop_details",
        (
            "stop",
            "route",
            "kind",
            "customer",
            "name",
            "terms",
            "driver",
            "status",
            "version",
            "planned_cases",
            "delivered_cases",
            "planned_fen",
            "billed_fen",
            "collected_fen",
            "signed",
            "signer",
            "receipt_number",
        ),
    ),
    (
        "Cash differences 现金差异",
        "cash_differences",
        _DIFFERENCE,
    ),
    ("Pending differences 待处理差异", "pending_cash_differences", _DIFFERENCE),
    (
        "Damaged 破损",
        "damaged",
        ("route", "depot", "product", "cases", "value_fen", "stops"),
    ),
)
SUMMARY = (
    "date",
    "stops",
    "with_outcome",
    "signed",
    "delivered",
    "short",
    "refused",
    "ordered_cases",
    "delivered_cases",
    "planned_fen",
    "billed_fen",
    "due_fen",
    "on_account_fen",
    "collected_fen",
    "handed_over_fen",
    "cash_difference_fen",
    "damaged_cases",
    "damaged_fen",
    "open_flags",
)


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100:,}.{abs(fen) % 100:02d}"


def write_reconciliation(rec: dict[str, Any], path: Path) -> Path:
    """Write ``rec`` (from ``ledger.reconcile.reconcile``) to ``path`` (.xlsx)."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    wb = Workbook()
    ws = wb.active
    ws.title = "Summary 汇总"
    bold = Font(bold=True)
    ws.append(["field", "value", "yuan"])
    for k in SUMMARY:
        v = rec[k]
        ws.append([k, v, _yuan(v) if k.endswith("_fen") else None])
    ws.append(["plan", f"v{rec['plan']['version']} ({rec['plan']['status']})", None])
    ws.append(["ledger balanced", str(rec["ledger"]["balanced"]), None])
    for kind, n in rec["flag_counts"].items():
        ws.append([f"flags: {kind}", n, None])
    for title, key, cols in SHEETS:
        sheet = wb.create_sheet(title)
        header = [c for c in cols] + [c.replace("_fen", "_yuan") for c in cols if c.endswith("_fen")]
        sheet.append(header)
        for row in rec.get(key, []):
            vals = [row.get(c) for c in cols]
            vals = [", ".join(v) if isinstance(v, list) else v for v in vals]
            sheet.append(vals + [_yuan(row.get(c) or 0) for c in cols if c.endswith("_fen")])
        for cell in sheet[1]:
            cell.font = bold
            cell.fill = PatternFill("solid", fgColor="EEEEEE")
        sheet.freeze_panes = "A2"
        for i, c in enumerate(header):
            letter = sheet.cell(row=1, column=i + 1).column_letter
            sheet.column_dimensions[letter].width = 40 if c in ("detail", "comment", "id") else 16
    for cell in ws[1]:
        cell.font = bold
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 20
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


__all__ = ["write_reconciliation"]
