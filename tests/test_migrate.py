"""Migrations: upgrade from empty, downgrade to base, and the models match them."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import create_engine, inspect

import models.all_mappings  # noqa: F401
from models.migrate import current_revision, downgrade, head_revision, upgrade
from models.orm import Base


def test_single_head() -> None:
    assert head_revision()


def test_upgrade_from_empty_then_downgrade_to_base(blank_url: str) -> None:
    assert current_revision(blank_url) is None
    assert upgrade(blank_url) == head_revision()
    engine = create_engine(blank_url)
    try:
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        assert diff == [], f"models and migrations differ: {diff}"
    finally:
        engine.dispose()
    assert downgrade(blank_url, "base") is None
    engine = create_engine(blank_url)
    try:
        left = set(inspect(engine).get_table_names()) - {"alembic_version"}
        assert left == set()
    finally:
        engine.dispose()
    # and back up again: migrations are repeatable
    assert upgrade(blank_url) == head_revision()
