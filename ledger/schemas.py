"""Input models of the ledger's operations (validated once, at the border) and their results.

Money and quantities are strict integers: ``cash_collected_fen=12.5`` (or
``12.0``, or ``True``) is refused, never rounded. Images travel as raw bytes
in Python and as base64 in JSON. :func:`parse` turns pydantic's errors into
the project's :class:`~models.errors.InputError` naming each field (and row).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Annotated, Any, Literal, TypeVar

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StrictBool, StrictInt, ValidationError

from models.errors import FieldError, InputError

Fen = Annotated[StrictInt, Field(ge=0, le=10**13)]
Cases = Annotated[StrictInt, Field(ge=0, le=100000)]
Text64 = Annotated[str, Field(max_length=64)]
MAX_IMAGE_BYTES = 5 * 1024 * 1024
# Chinese banknotes and coins, in fen: 100, 50, 20, 10, 5, 1 yuan; 5 and 1 jiao.
DENOMINATIONS_FEN = (10000, 5000, 2000, 1000, 500, 100, 50, 10)

M = TypeVar("M", bound=BaseModel)


class _In(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        str_strip_whitespace=True,
        val_json_bytes="base64",
        ser_json_bytes="base64",
    )


class LineIn(_In):
    """One product line of a stop as delivered; a shortfall says why cases were not delivered."""

    product: Annotated[str, Field(min_length=1, max_length=16)]
    delivered_cases: Cases
    shortfall: Literal["short", "refused", "damaged"] | None = None
    reason: Annotated[str, Field(max_length=200)] = ""


class OutcomeIn(_In):
    """What happened at a stop, as the driver's signed note (or the app) says."""

    stop: Annotated[str, Field(min_length=1, max_length=40, description="Stop code, e.g. 20261201-V1-R01-03")]
    lines: Annotated[list[LineIn], Field(min_length=1, max_length=50)]
    signed: StrictBool
    signer_name: Text64 | None = None
    not_signed_reason: Annotated[str, Field(max_length=200)] | None = None
    signature: Annotated[bytes, Field(max_length=MAX_IMAGE_BYTES)] | None = None
    photo: Annotated[bytes, Field(max_length=MAX_IMAGE_BYTES)] | None = None
    occurred_at: AwareDatetime
    lat: Annotated[float, Field(ge=-90, le=90)] | None = None
    lon: Annotated[float, Field(ge=-180, le=180)] | None = None
    payment_method: Literal["cod", "monthly"] | None = Field(
        default=None, description="Default: the customer's payment terms."
    )
    cash_collected_fen: Fen = 0
    receipt_number: Annotated[str, Field(max_length=32)] | None = None
    note: Annotated[str, Field(max_length=500)] = ""

    def hashable(self) -> dict[str, Any]:
        """The content as JSON-able data, images replaced by their SHA-256 (for the idempotency hash)."""
        import hashlib

        d = self.model_dump(mode="json", exclude={"signature", "photo"})
        for name in ("signature", "photo"):
            blob = getattr(self, name)
            d[name] = hashlib.sha256(blob).hexdigest() if blob else None
        return d


class HandoverIn(_In):
    """End of day: what a driver (or store staff member) hands over."""

    staff: Annotated[str, Field(min_length=1, max_length=16)]
    on_date: dt.date
    counted_fen: Fen
    denominations: dict[str, StrictInt] | None = Field(
        default=None, description="Count per denomination in fen, e.g. {'10000': 3, '500': 1}."
    )
    notes_returned: Cases = 0
    to: Annotated[str, Field(max_length=16)] | None = Field(
        default=None, description="Depot code; default: the staff member's store, else the centre."
    )
    note: Annotated[str, Field(max_length=500)] = ""


class StoreReportIn(_In):
    """A store's report of its day to the service centre."""

    store: Annotated[str, Field(min_length=1, max_length=16)]
    on_date: dt.date
    stops: Cases
    delivered_cases: Cases
    cash_fen: Fen
    note: Annotated[str, Field(max_length=500)] = ""


class RemittanceIn(_In):
    """A store paying its collected cash in to the centre."""

    store: Annotated[str, Field(min_length=1, max_length=16)]
    on_date: dt.date
    amount_fen: Annotated[StrictInt, Field(gt=0, le=10**13)]
    note: Annotated[str, Field(max_length=500)] = ""


class PaymentIn(_In):
    """A monthly-account customer's payment into the bank."""

    customer: Annotated[str, Field(min_length=1, max_length=13)]
    on_date: dt.date
    amount_fen: Annotated[StrictInt, Field(gt=0, le=10**13)]
    reference: Annotated[str, Field(max_length=64)] = ""


Reason = Annotated[str, Field(min_length=1, max_length=500, description="Why (required, not blank).")]


class CashDecisionIn(_In):
    """Finance's decision on a staff member's cash difference at the handover of one day."""

    staff: Annotated[str, Field(min_length=1, max_length=16)]
    on_date: dt.date = Field(description="The handover day of the difference.")
    amount_fen: Annotated[StrictInt, Field(gt=0, le=10**13)] | None = Field(
        default=None, description="Default: all that is still pending."
    )
    reason: Reason
    decided_on: dt.date | None = Field(default=None, description="The decision's date; default today.")
    to: Annotated[str, Field(max_length=16)] | None = Field(
        default=None,
        description="Returning an overage: the depot paying it out (default: where it was handed in).",
    )


class RepaymentIn(_In):
    """A staff member paying back a shortfall charged to them, in cash."""

    staff: Annotated[str, Field(min_length=1, max_length=16)]
    on_date: dt.date
    amount_fen: Annotated[StrictInt, Field(gt=0, le=10**13)]
    to: Annotated[str, Field(max_length=16)] | None = Field(
        default=None, description="The depot receiving the cash; default the centre."
    )
    reason: Reason = "repaid in cash"


@dataclass(frozen=True)
class OutcomeResult:
    """The stored outcome a write produced (or, on a replay, the one it had produced)."""

    outcome_id: int
    stop: str
    version: int
    status: str
    billed_fen: int
    cash_collected_fen: int
    postings: list[str] = field(default_factory=list)
    replayed: bool = False

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def parse(model: type[M], data: M | dict[str, Any], *, row: int | None = None) -> M:
    """Validate ``data`` as ``model``; errors become one :class:`InputError` naming every field."""
    if isinstance(data, model):
        return data
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise input_error(exc, row=row) from None


def input_error(exc: ValidationError, *, row: int | None = None) -> InputError:
    errors = []
    for e in exc.errors():
        where = ".".join(str(p) for p in e["loc"]) or "input"
        reason = e["msg"]
        if e["type"] in ("int_type", "int_from_float") or "float" in e["type"]:
            reason = "must be an integer (money in fen, quantities in cases; no floats)"
        value = e.get("input")
        errors.append(
            FieldError(
                field=where,
                reason=reason,
                row=row,
                value=value if isinstance(value, str | int | float | None) else None,
            )
        )
    return InputError(errors)


__all__ = [
    "DENOMINATIONS_FEN",
    "CashDecisionIn",
    "HandoverIn",
    "LineIn",
    "OutcomeIn",
    "OutcomeResult",
    "PaymentIn",
    "RemittanceIn",
    "RepaymentIn",
    "StoreReportIn",
    "input_error",
    "parse",
]
