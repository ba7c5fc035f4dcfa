"""``acedao``: the DAO member's command line (signs locally with the member's key)."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="acedao",
    help="Take part in the Ace DAO: keys, proposals, votes, audits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)


def main() -> None:
    app()
