"""day after day: carry-over dates, back-orders, confirm overrides

``dispatch_orders.first_due_date`` keeps the first delivery day any of an
order's content was due (so carried and merged orders show how long they have
waited); ``dispatch_orders.backorder_into_id`` links a rationed order whose cut
cases were merged into the customer's next order; ``plans.override_reason`` /
``override_by`` record a dispatcher's confirmation of a plan the checker rejects;
``delivery_notes.printed_at`` / ``print_count`` tell a first print from a reprint;
replenishment stop lines get ``price_fen`` 0 where they had none (a transfer is no sale).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 23:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dispatch_orders", schema=None) as batch_op:
        batch_op.add_column(sa.Column("first_due_date", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("backorder_into_id", sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_dispatch_orders_backorder_into_id_dispatch_orders"),
            "dispatch_orders",
            ["backorder_into_id"],
            ["id"],
        )
    op.execute("UPDATE dispatch_orders SET first_due_date = COALESCE(held_since, delivery_date)")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("override_by", sa.String(length=64), nullable=True))
    with op.batch_alter_table("delivery_notes", schema=None) as batch_op:
        batch_op.add_column(sa.Column("printed_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("print_count", sa.Integer(), server_default="0", nullable=False))
    _price_transfer_lines()


def _price_transfer_lines() -> None:
    """Replenishment (transfer) stop lines stored without a price get price 0: a transfer is no sale."""
    conn = op.get_bind()
    stops = sa.table("plan_stops", sa.column("id", sa.Integer), sa.column("kind", sa.String),
                     sa.column("lines", sa.JSON))  # fmt: skip
    for sid, lines in conn.execute(sa.select(stops.c.id, stops.c.lines).where(stops.c.kind == "replenishment")):
        if lines and any("price_fen" not in ln for ln in lines):
            fixed = [{"ordered_cases": ln.get("cases", 0), "price_fen": 0, **ln} for ln in lines]
            conn.execute(sa.update(stops).where(stops.c.id == sid).values(lines=fixed))


def downgrade() -> None:
    with op.batch_alter_table("delivery_notes", schema=None) as batch_op:
        batch_op.drop_column("print_count")
        batch_op.drop_column("printed_at")
    with op.batch_alter_table("plans", schema=None) as batch_op:
        batch_op.drop_column("override_by")
        batch_op.drop_column("override_reason")
    with op.batch_alter_table("dispatch_orders", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_dispatch_orders_backorder_into_id_dispatch_orders"), type_="foreignkey"
        )
        batch_op.drop_column("backorder_into_id")
        batch_op.drop_column("first_due_date")
