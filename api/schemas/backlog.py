"""The backlog's public shape (``GET /backlog``)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from api.schemas.common import example


class BacklogEntryPublic(BaseModel):
    order: str = Field(description="Dispatch order number (CO…), or the order's (DO…) if not consolidated.")
    customer: str = Field(description="Unified customer code.")
    township: str
    delivery_date: dt.date
    due_since: dt.date = Field(description="The first delivery day any of its content was due.")
    age_days: int = Field(description="Days since due_since, counted to as_of.")
    state: Literal["held", "unassigned", "unconfirmed", "no_outcome", "backorder", "received"]
    reason: str = Field(description="Why it is open, in a dispatcher's words.")
    cases: int


class BacklogPublic(BaseModel):
    model_config = example(
        {
            "as_of": "2026-12-04",
            "open": 1,
            "cases": 4,
            "counts": {"held": 1},
            "orders": [
                {
                    "order": "CO202612010028",
                    "customer": "4399010300131",
                    "township": "白沙乡",
                    "delivery_date": "2026-12-01",
                    "due_since": "2026-12-01",
                    "age_days": 3,
                    "state": "held",
                    "reason": "4 cases: centre minimum 5",
                    "cases": 4,
                }
            ],
        }
    )

    as_of: dt.date
    open: int
    cases: int
    counts: dict[str, int]
    orders: list[BacklogEntryPublic]
