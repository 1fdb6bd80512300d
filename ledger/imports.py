"""``dispatch outcome import FILE``: a clerk's CSV/XLSX of signed notes, recorded whole or not at all.

One row per product line of a stop; the stop's other fields (signed, signer,
cash, receipt …) are read from its first row. Headers in English or Chinese:

=====================  ==============  ====================================================
column                 中文             meaning
=====================  ==============  ====================================================
stop                   站点编号         stop code, e.g. 20261201-V1-R01-03 (required)
product                商品编码         product code (required)
delivered_cases        实送箱数         cases delivered, a whole number (required)
shortfall              差异类型         short / refused / damaged (少送/拒收/破损)
reason                 差异原因         free text
signed                 已签收           yes/no (是/否); default yes
signer                 签收人           who signed
not_signed_reason      未签原因         why not signed
payment                结算方式         cod / monthly; default the customer's terms
cash_fen               收款金额分       cash collected in fen, a whole number (no floats)
cash_yuan              收款金额元       or in yuan with at most 2 decimals
receipt_number         收据号           cash receipt number
at                     送达时间         YYYY-MM-DD HH:MM (China time); default the planned time
correction_reason      更正原因         when given, the row corrects the stop's outcome
key                    幂等键           idempotency key; default ``import:<stop>``
=====================  ==============  ====================================================

Every error in the file is reported with its row; nothing is recorded then.
Re-importing the same file replays (records nothing twice).
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from ledger.entry import clerk_outcome
from ledger.outcomes import correct_outcome, record_outcome
from ledger.tx import begin_write, content_hash
from models.errors import Conflict, DispatchError, FieldError, InputError
from services.tabular import (
    CellError,
    Column,
    non_negative_int,
    parse_bool,
    parse_datetime,
    parse_yuan_to_fen,
    read_rows,
)


def _payment(text: str) -> str:
    t = text.strip().lower()
    found = {"cod": "cod", "现金": "cod", "货到付款": "cod", "monthly": "monthly", "月结": "monthly"}.get(t)
    if found is None:
        raise CellError("must be cod or monthly (货到付款/月结)")
    return found


LAYOUT = [
    Column("stop", "stop", "站点编号"),
    Column("product", "product", "商品编码"),
    Column("delivered_cases", "delivered_cases", "实送箱数", parse=non_negative_int),
    Column("shortfall", "shortfall", "差异类型", required=False),
    Column("reason", "reason", "差异原因", required=False),
    Column("signed", "signed", "已签收", required=False, parse=parse_bool),
    Column("signer", "signer", "签收人", required=False),
    Column("not_signed_reason", "not_signed_reason", "未签原因", required=False),
    Column("payment", "payment", "结算方式", required=False, parse=_payment),
    Column("cash_fen", "cash_fen", "收款金额分", required=False, parse=non_negative_int),
    Column("cash_yuan", "cash_yuan", "收款金额元", required=False, parse=parse_yuan_to_fen),
    Column("receipt_number", "receipt_number", "收据号", required=False),
    Column("at", "at", "送达时间", required=False, parse=parse_datetime),
    Column("correction_reason", "correction_reason", "更正原因", required=False),
    Column("key", "key", "幂等键", required=False),
]
_STOP_FIELDS = (
    "signed",
    "signer",
    "not_signed_reason",
    "payment",
    "cash_fen",
    "cash_yuan",
    "receipt_number",
    "at",
    "correction_reason",
    "key",
)


def import_outcomes(session: Session, path: Path, *, actor: str) -> dict[str, Any]:
    """Record every stop of the file in the caller's transaction, or raise one InputError listing all rows."""
    rows, errors = read_rows(path, LAYOUT)
    stops: OrderedDict[str, list[tuple[int, dict[str, Any]]]] = OrderedDict()
    for n, r in rows:
        if "stop" in r:
            stops.setdefault(r["stop"], []).append((n, r))
    results: list[dict[str, Any]] = []
    if not errors:
        begin_write(session)
        whole = session.begin_nested()  # the file is one unit: any error undoes every stop of it
        for stop, group in stops.items():
            try:
                results.append(_one(session, stop, group, actor=actor))
            except InputError as exc:
                row = group[0][0]
                errors += [FieldError(e.field, e.reason, row=e.row or row, value=e.value) for e in exc.errors]
            except (Conflict, DispatchError) as exc:
                errors.append(FieldError("stop", str(exc), row=group[0][0], value=stop))
        if errors:
            whole.rollback()
        else:
            whole.commit()
    if errors:
        raise InputError(errors, context=f"{path.name} (nothing recorded)")
    return {
        "file": path.name,
        "stops": len(results),
        "recorded": sum(1 for r in results if not r["replayed"]),
        "replayed": sum(1 for r in results if r["replayed"]),
        "outcomes": results,
    }


def _one(
    session: Session, stop: str, group: list[tuple[int, dict[str, Any]]], *, actor: str
) -> dict[str, Any]:
    first_row, head = group[0]
    for n, r in group[1:]:
        for f in _STOP_FIELDS:
            if f in r and f in head and r[f] != head[f]:
                raise InputError.single(
                    f, f"differs from row {first_row} of the same stop", row=n, value=r[f]
                )
    if "cash_fen" in head and "cash_yuan" in head:
        raise InputError.single("cash_yuan", "give cash_fen or cash_yuan, not both", row=first_row)
    delivered: dict[str, int] = {}
    shortfalls: dict[str, str] = {}
    for n, r in group:
        if r["product"] in delivered:
            raise InputError.single("product", "appears twice for this stop", row=n, value=r["product"])
        delivered[r["product"]] = r["delivered_cases"]
        if r.get("shortfall") or r.get("reason"):
            shortfalls[r["product"]] = f"{r.get('shortfall', '')}:{r.get('reason', '')}"
    signed = head.get("signed", True)
    data = clerk_outcome(
        session,
        stop,
        delivered=delivered,
        shortfalls=shortfalls,
        signer=head.get("signer") if signed else None,
        not_signed=None if signed else (head.get("not_signed_reason") or ""),
        cash_fen=head.get("cash_fen", head.get("cash_yuan")),
        payment=head.get("payment"),
        receipt=head.get("receipt_number"),
        at=head.get("at"),
    )
    reason = head.get("correction_reason")
    if reason:
        key = head.get("key") or f"import:{stop}:c:{content_hash(data.hashable())[:16]}"
        res = correct_outcome(session, data, reason=reason, idempotency_key=key, actor=actor)
    else:
        res = record_outcome(session, data, idempotency_key=head.get("key") or f"import:{stop}", actor=actor)
    return res.as_dict()


__all__ = ["LAYOUT", "import_outcomes"]
