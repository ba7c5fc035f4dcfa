"""``acenode dao bootstrap``: create and configure the DAO's Stellar accounts."""

from __future__ import annotations

import typer
from rich.table import Table

from node import settlement as wiring
from node.cli.common import DataDir, JsonFlag, cli_errors, console, print_json
from servicelayer.config import load_settings
from servicelayer.dao.bootstrap import Done

dao_app = typer.Typer(help="The DAO's accounts on Stellar.", no_args_is_help=True)


@dao_app.command("bootstrap")
def bootstrap(data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Create the treasury, issuer, distribution, anchor and channel accounts (idempotent)."""
    with cli_errors():
        settings = load_settings(data_dir)
        ledger = wiring.horizon(settings)
        try:
            steps = wiring.bootstrap(settings, ledger).run(settings.stellar.channels)
        finally:
            ledger.close()
    changed = any(s.done != Done.UNCHANGED for s in steps)
    if json_out:
        print_json(
            {
                "changed": changed,
                "horizon": settings.stellar.horizon_url,
                "steps": [
                    {"role": s.role, "account": s.account, "done": s.done.value, "detail": s.detail}
                    for s in steps
                ],
            }
        )
        return
    if not changed:
        console.print("nothing to do: the DAO accounts are already configured")
    table = Table(title=f"DAO accounts on {settings.stellar.horizon_url}")
    for column in ("role", "account", "done", "detail"):
        table.add_column(column)
    for s in steps:
        table.add_row(s.role, s.account, s.done.value, s.detail)
    console.print(table)
