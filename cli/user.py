"""`dispatch user create`: accounts for the service API (bootstraps the first admin)."""

from __future__ import annotations

import sys

import typer

from cli.common import cli_errors, emit_json, fail
from models.settings import get_settings


def register(app: typer.Typer) -> None:
    user = typer.Typer(help="Accounts of the service API.", no_args_is_help=True)
    app.add_typer(user, name="user")

    @user.command("create")
    def create(
        username: str = typer.Option(..., "--username", help="Login name."),
        role: str = typer.Option(
            ...,
            "--role",
            help="admin, dispatcher, driver, store_manager, finance, manager or customer_service.",
        ),
        staff: str | None = typer.Option(None, "--staff", help="Staff code (drivers, store managers)."),
        full_name: str = typer.Option("", "--full-name"),
        password_stdin: bool = typer.Option(False, "--password-stdin", help="Read the password from stdin."),
        json_out: bool = typer.Option(False, "--json", help="Print JSON."),
    ) -> None:
        """Create a user; the password is prompted for (or read from stdin), never an argument."""
        from models.accounts import UserRole
        from models.db import get_engine, session_scope
        from services.accounts import NewUser, create_user

        with cli_errors():
            try:
                r = UserRole(role)
            except ValueError:
                fail(f"unknown role {role!r}; expected one of {', '.join(x.value for x in UserRole)}")
            get_engine(get_settings())  # a missing database is said before the password is asked for
            if password_stdin:
                password = sys.stdin.readline().rstrip("\r\n")
            else:
                password = typer.prompt("password", hide_input=True, confirmation_prompt=True)
            with session_scope(get_settings()) as session:
                u = create_user(
                    session,
                    NewUser(
                        username=username, password=password, role=r, staff_code=staff, full_name=full_name
                    ),
                )
                out = {"id": u.id, "username": u.username, "role": u.role.value, "staff": staff}
            if json_out:
                emit_json(out)
            else:
                typer.echo(f"user {out['username']} ({out['role']}) created, id {out['id']}")
