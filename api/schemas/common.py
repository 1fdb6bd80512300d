"""Shared response shapes: a page of results, a message."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictInt

T = TypeVar("T")


def _utc(t: dt.datetime) -> dt.datetime:
    return t.replace(tzinfo=dt.UTC) if t.tzinfo is None else t


# A moment in time, always with its offset (SQLite hands back naive UTC datetimes).
Timestamp = Annotated[dt.datetime, AfterValidator(_utc)]


def example(*examples: dict[str, Any]) -> ConfigDict:
    """A model config carrying OpenAPI examples (and reading ORM attributes)."""
    return ConfigDict(from_attributes=True, json_schema_extra={"examples": list(examples)})


class ListOf(BaseModel, Generic[T]):
    """One page of a list: ``count`` is the total matching the filters."""

    data: list[T]
    count: int
    offset: int
    limit: int


class Message(BaseModel):
    model_config = example({"message": "done"})

    message: str


# Money and quantities in request bodies: strict integers (``640.0`` is refused, never rounded).
Fen = Annotated[StrictInt, Field(ge=0, le=10**13, description="Integer fen.")]
PositiveFen = Annotated[StrictInt, Field(gt=0, le=10**13, description="Integer fen.")]
Cases = Annotated[StrictInt, Field(ge=0, le=100_000)]
# Request bodies: unknown fields refused, text trimmed, bytes as base64.
STRICT_IN = ConfigDict(extra="forbid", str_strip_whitespace=True, val_json_bytes="base64")
