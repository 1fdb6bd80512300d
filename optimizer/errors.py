"""Errors raised by the route optimiser.

The optimiser is a pure core that must import without any database package.
``models.errors`` is pure (no SQLAlchemy), so when it is importable the
optimiser's errors join the product's family: :class:`OptimizerError` is a
``DispatchError`` and :class:`ProblemError` an ``InputError`` (with one
``FieldError``), which lets the CLI and the API report them like any other
input error.  Without the ``models`` package (e.g. a bare solver worker) they
derive from :class:`Exception` and behave the same.

Unassigned stops are *not* errors: they are part of a normal
:class:`optimizer.solution.Solution`, each with a reason.
"""

from __future__ import annotations

from typing import Any

try:  # pure module: dataclasses only, no database import
    from models.errors import DispatchError as _Base
    from models.errors import FieldError as _FieldError
    from models.errors import InputError as _InputBase
except ImportError:  # pragma: no cover - exercised only without the models package
    _Base = Exception  # type: ignore[assignment,misc]
    _InputBase = None  # type: ignore[assignment,misc]
    _FieldError = None  # type: ignore[assignment,misc]


class OptimizerError(_Base):
    """Base class of every error the optimiser raises on purpose."""


class ProblemError(OptimizerError, *(() if _InputBase is None else (_InputBase,))):  # type: ignore[misc]
    """The routing problem given to the optimiser is invalid.

    The message names the field and the user id (customer code, vehicle
    plate, depot code), never an internal index of the solver.

    Parameters
    ----------
    field
        Dotted field name, e.g. ``"stops.time_windows"``.
    message
        What is wrong, in words a dispatcher can act on.
    id
        The user id of the object that holds the field (stop, vehicle, depot,
        location or profile id), or ``None`` for a problem-wide field.
    """

    def __init__(self, field: str, message: str, id: str | None = None) -> None:
        self.field = field
        self.id = id
        self.detail = message
        where = f"{field} of {id}" if id is not None else field
        if _InputBase is not None and _FieldError is not None:
            _InputBase.__init__(self, _FieldError(field=where, reason=message))
        else:  # pragma: no cover
            Exception.__init__(self, f"{where}: {message}")

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.field, self.detail, self.id))


class ContractError(ProblemError):
    """A JSON document does not follow the optimiser contract."""


class SolverError(OptimizerError):
    """The solver backend failed in a way that is not the user's input."""
