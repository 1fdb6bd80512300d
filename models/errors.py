"""The exception family shared by the service layer, the CLI and the API.

Three kinds, as in VROOM: input errors (name the field, the row and the value),
routing errors (no road between two named points) and everything else, which is
internal. Unassigned orders are *not* errors.
"""

from __future__ import annotations

from dataclasses import dataclass, field


class DispatchError(Exception):
    """Base of every error this product raises on purpose."""


@dataclass(frozen=True)
class FieldError:
    """One problem with one value: where it is and why it is wrong.

    ``row`` is the 1-based data row of an imported file (header excluded is row 1
    = first data row), or ``None`` when the value did not come from a file.
    """

    field: str
    reason: str
    row: int | None = None
    value: object = None

    def __str__(self) -> str:
        where = f"row {self.row}, " if self.row is not None else ""
        shown = "" if self.value is None else f" (value {self.value!r})"
        return f"{where}{self.field}: {self.reason}{shown}"

    def as_dict(self) -> dict[str, object]:
        return {"row": self.row, "field": self.field, "value": self.value, "reason": self.reason}


class InputError(DispatchError):
    """Bad input: carries every :class:`FieldError` found, not just the first."""

    def __init__(self, errors: list[FieldError] | FieldError, *, context: str = "") -> None:
        self.errors: list[FieldError] = [errors] if isinstance(errors, FieldError) else list(errors)
        self.context = context
        super().__init__(self._message())

    @classmethod
    def single(cls, field: str, reason: str, *, value: object = None, row: int | None = None) -> InputError:
        return cls(FieldError(field=field, reason=reason, value=value, row=row))

    def _message(self) -> str:
        head = f"{self.context}: " if self.context else ""
        if len(self.errors) == 1:
            return f"{head}{self.errors[0]}"
        first = "; ".join(str(e) for e in self.errors[:3])
        more = f" (and {len(self.errors) - 3} more)" if len(self.errors) > 3 else ""
        return f"{head}{len(self.errors)} errors: {first}{more}"


class NotFound(DispatchError):
    """A named object does not exist (or the caller may not see it)."""

    def __init__(self, kind: str, ident: object) -> None:
        self.kind = kind
        self.ident = ident
        super().__init__(f"{kind} {ident!s} not found")


class Conflict(DispatchError):
    """The operation contradicts what is already stored (duplicate, wrong state)."""


class DatabaseUnavailable(DispatchError):
    """The configured database is missing, unreachable or not migrated; the message says what to run."""


@dataclass
class RoutingError(DispatchError):
    """No road between two points: names both of them by their user ids."""

    origin: str
    destination: str
    detail: str = field(default="")

    def __post_init__(self) -> None:
        extra = f" ({self.detail})" if self.detail else ""
        super().__init__(f"no road from {self.origin} to {self.destination}{extra}")

    def __str__(self) -> str:
        extra = f" ({self.detail})" if self.detail else ""
        return f"no road from {self.origin} to {self.destination}{extra}"
