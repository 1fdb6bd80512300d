"""cash differences at handover, finance's decisions on them, damaged stock

* ``ledger_accounts.type`` may be ``suspense`` (a staff member's cash
  differences pending a finance decision) and ``expense`` (written off);
* ``ledger_postings.kind`` may be ``cash_difference``, ``shortfall_charged``,
  ``shortfall_written_off``, ``overage_income``, ``overage_returned``,
  ``staff_repayment``;
* ``cash_decisions``: finance's decision on a staff member's cash difference
  of one day (charge, write-off, other income, return) or a repayment, each
  with its posting and a reason; append-only like every ledger table;
* ``depot_stock.damaged_cases`` and ``stock_movements.damaged_delta``, and the
  movement reason ``damaged``: cases damaged in transit leave saleable stock.

On SQLite the two ledger tables are rebuilt (batch mode) to change their
CHECK constraints; their triggers, and the one on ``ledger_entries`` that
reads ``ledger_postings``, are dropped first and installed again after.
A downgrade refuses while the database holds anything only 0006 can express.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OLD_TYPES = ("receivable", "cash", "bank", "revenue")
NEW_TYPES = ("suspense", "expense")
OLD_KINDS = ("delivery", "cash_collected", "handover", "remittance", "payment", "reversal")
NEW_KINDS = (
    "cash_difference",
    "shortfall_charged",
    "shortfall_written_off",
    "overage_income",
    "overage_returned",
    "staff_repayment",
)
OLD_REASONS = ("reserve", "release", "deliver", "transfer_out", "transfer_in", "receipt", "adjust")
ACTIONS = ("charge", "write_off", "other_income", "return", "repay")

# The SQLite triggers of 0004 on the tables rebuilt here (and on ledger_entries, whose
# trigger reads ledger_postings: SQLite refuses to rename a table a trigger names while
# the table is missing), plus the new table's.
REBUILT = ("ledger_accounts", "ledger_postings")
SQLITE_CORE = {
    "ledger_postings_balanced": """CREATE TRIGGER ledger_postings_balanced BEFORE INSERT ON ledger_postings
    WHEN (SELECT COUNT(*) FROM ledger_entries WHERE posting_id = NEW.id) <> NEW.entry_count
      OR (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_entries WHERE posting_id = NEW.id) <> 0
    BEGIN SELECT RAISE(ABORT, 'ledger posting does not balance: its entries must sum to zero'); END""",
    "ledger_entries_open": """CREATE TRIGGER ledger_entries_open BEFORE INSERT ON ledger_entries
    WHEN EXISTS (SELECT 1 FROM ledger_postings WHERE id = NEW.posting_id)
    BEGIN SELECT RAISE(ABORT, 'ledger posting is complete: no entry can be added to it'); END""",
}


def _sqlite_append_only(table: str) -> dict[str, str]:
    return {
        f"{table}_no_{verb.lower()}": f"""CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table}
    BEGIN SELECT RAISE(ABORT, '{table} is append-only: rows are never updated or deleted'); END"""
        for verb in ("UPDATE", "DELETE")
    }


def _sqlite_triggers() -> dict[str, str]:
    out = dict(SQLITE_CORE)
    for table in REBUILT:
        out.update(_sqlite_append_only(table))
    return out


def _in(column: str, values: Sequence[str]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def _sqlite() -> bool:
    return op.get_bind().dialect.name == "sqlite"


def _ledger_checks(types: Sequence[str], kinds: Sequence[str]) -> None:
    """Replace the CHECKs of the account types and posting kinds (SQLite: rebuild, triggers again)."""
    sqlite = _sqlite()
    if sqlite:
        for name in _sqlite_triggers():
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    with op.batch_alter_table("ledger_accounts", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_ledger_accounts_accounttype"), type_="check")
        batch_op.create_check_constraint(op.f("ck_ledger_accounts_accounttype"), _in("type", types))
    with op.batch_alter_table("ledger_postings", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_ledger_postings_postingkind"), type_="check")
        batch_op.create_check_constraint(op.f("ck_ledger_postings_postingkind"), _in("kind", kinds))
    if sqlite:
        for stmt in _sqlite_triggers().values():
            op.execute(stmt)


def upgrade() -> None:
    _ledger_checks(OLD_TYPES + NEW_TYPES, OLD_KINDS + NEW_KINDS)

    with op.batch_alter_table("depot_stock", schema=None) as batch_op:
        batch_op.add_column(sa.Column("damaged_cases", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_check_constraint(op.f("ck_depot_stock_damaged"), "damaged_cases >= 0")
    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.add_column(sa.Column("damaged_delta", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint(op.f("ck_stock_movements_reason"), type_="check")
        batch_op.create_check_constraint(
            op.f("ck_stock_movements_reason"), _in("reason", (*OLD_REASONS, "damaged"))
        )

    op.create_table(
        "cash_decisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("idempotency_key", sa.String(length=160), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("staff_id", sa.Integer(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                *ACTIONS, name="cashdecisionaction", native_enum=False, create_constraint=True, length=32
            ),
            nullable=False,
        ),
        sa.Column("difference_date", sa.Date(), nullable=True),
        sa.Column("value_date", sa.Date(), nullable=False),
        sa.Column("amount_fen", sa.BigInteger(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("depot_id", sa.Integer(), nullable=True),
        sa.Column("posting_id", sa.String(length=36), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("amount_fen > 0", name=op.f("ck_cash_decisions_amount")),
        sa.CheckConstraint("length(trim(reason)) > 0", name=op.f("ck_cash_decisions_reason")),
        sa.CheckConstraint(
            "(action = 'repay') = (difference_date IS NULL)", name=op.f("ck_cash_decisions_difference_date")
        ),
        sa.ForeignKeyConstraint(["depot_id"], ["depots.id"], name=op.f("fk_cash_decisions_depot_id_depots")),
        sa.ForeignKeyConstraint(
            ["posting_id"], ["ledger_postings.id"], name=op.f("fk_cash_decisions_posting_id_ledger_postings")
        ),
        sa.ForeignKeyConstraint(["staff_id"], ["staff.id"], name=op.f("fk_cash_decisions_staff_id_staff")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cash_decisions")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_cash_decisions_idempotency_key")),
        sa.UniqueConstraint("posting_id", name=op.f("uq_cash_decisions_posting_id")),
    )
    with op.batch_alter_table("cash_decisions", schema=None) as batch_op:
        batch_op.create_index("ix_cash_decisions_staff_day", ["staff_id", "difference_date"], unique=False)

    if _sqlite():
        for stmt in _sqlite_append_only("cash_decisions").values():
            op.execute(stmt)
    else:  # the functions are 0004's
        op.execute(
            "CREATE TRIGGER cash_decisions_append_only BEFORE UPDATE OR DELETE ON cash_decisions"
            " FOR EACH ROW EXECUTE FUNCTION ledger_append_only()"
        )
        op.execute(
            "CREATE TRIGGER cash_decisions_no_truncate BEFORE TRUNCATE ON cash_decisions"
            " FOR EACH STATEMENT EXECUTE FUNCTION ledger_append_only()"
        )


def _refuse_if_used() -> None:
    bind = op.get_bind()
    checks = {
        "accounts of the new types": f"SELECT COUNT(*) FROM ledger_accounts WHERE {_in('type', NEW_TYPES)}",
        "postings of the new kinds": f"SELECT COUNT(*) FROM ledger_postings WHERE {_in('kind', NEW_KINDS)}",
        "finance decisions on cash differences": "SELECT COUNT(*) FROM cash_decisions",
        "damaged stock": "SELECT COUNT(*) FROM depot_stock WHERE damaged_cases <> 0",
        "damaged-stock movements": "SELECT COUNT(*) FROM stock_movements WHERE reason = 'damaged'",
    }
    used = [what for what, sql in checks.items() if bind.execute(sa.text(sql)).scalar()]
    if used:
        raise RuntimeError(
            "cannot downgrade below 0006: the database holds "
            + ", ".join(used)
            + " (ledger history is never deleted)"
        )


def downgrade() -> None:
    _refuse_if_used()
    with op.batch_alter_table("cash_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_cash_decisions_staff_day")
    op.drop_table("cash_decisions")  # its triggers go with it

    with op.batch_alter_table("stock_movements", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_stock_movements_reason"), type_="check")
        batch_op.create_check_constraint(op.f("ck_stock_movements_reason"), _in("reason", OLD_REASONS))
        batch_op.drop_column("damaged_delta")
    with op.batch_alter_table("depot_stock", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_depot_stock_damaged"), type_="check")
        batch_op.drop_column("damaged_cases")

    _ledger_checks(OLD_TYPES, OLD_KINDS)
