"""The `dispatch` command: assembles one typer sub-app or command per module."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="dispatch",
    help="County delivery route planning and dispatch.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each module exposes `register(app: typer.Typer) -> None`.
_COMMAND_MODULES = [
    "cli.db",
    "cli.scenario",
    "cli.io",
    "cli.summary",
    "cli.network",
    "cli.optimize",
    "cli.plan",
    "cli.dispatchday",
    "cli.backlog",
    "cli.user",
    "cli.worker",
    "cli.outcome",
    "cli.handover",
    "cli.finance",
    "cli.receipts",
    "cli.printing",
]


def _register_all() -> None:
    for name in _COMMAND_MODULES:
        importlib.import_module(name).register(app)


_register_all()


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
