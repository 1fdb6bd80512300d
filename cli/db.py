"""`dispatch db …`: migrations."""

from __future__ import annotations

import typer

from cli.common import cli_errors, emit_json
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    db = typer.Typer(help="Database migrations (Alembic).", no_args_is_help=True)
    app.add_typer(db, name="db")

    @db.command("upgrade")
    def upgrade(
        revision: str = typer.Argument("head", help="Target revision."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Migrate the database (SQLite file by default, or DISPATCH_DATABASE_URL) to REVISION."""
        from services.register import db_upgrade

        with cli_errors():
            s = get_settings()
            rev = db_upgrade(s, revision)
            if json_out:
                emit_json({"revision": rev, "database": _safe_url(s.effective_database_url)})
            else:
                typer.echo(f"database at revision {rev}: {_safe_url(s.effective_database_url)}")

    @db.command("reset")
    def reset(yes: bool = typer.Option(False, "--yes", help="Confirm: drop every table.")) -> None:
        """Drop every table and migrate again (everything stored is lost)."""
        from models.db import require_database
        from services.register import db_reset

        with cli_errors():
            if not yes:
                from cli.common import fail

                fail("refusing to drop every table without --yes")
            require_database(get_settings().effective_database_url, migrated=False)  # never creates one
            rev = db_reset(get_settings())
            typer.echo(f"database reset to revision {rev}")


def _safe_url(url: str) -> str:
    """The URL with any password hidden."""
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)
