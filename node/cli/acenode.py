"""``acenode``: the validator operator's command line."""

from __future__ import annotations

import typer

from node.cli.ledger import app as ledger_app

app = typer.Typer(
    name="acenode",
    help="Run and operate an Ace service-layer node.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
app.add_typer(ledger_app, name="ledger")


def main() -> None:
    app()
