"""``acenode epochs ...``: the epochs of the contract journal."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from node.cli.common import (
    DatabaseUrl,
    DataDir,
    JsonFlag,
    cli_errors,
    console,
    journal_runtime,
    print_json,
)
from servicelayer.epochs.replay import replay_accounting
from servicelayer.runtime.runtime import replay_epoch

epochs_app = typer.Typer(help="Epochs of the contract journal.", no_args_is_help=True)


@epochs_app.command("replay")
def replay(
    epoch: Annotated[int, typer.Argument(min=0, help="Epoch number")],
    data_dir: DataDir = None,
    database_url: DatabaseUrl = None,
    json_out: JsonFlag = False,
) -> None:
    """Recompute an epoch from the journal; exit 1 unless every result is identical."""
    with cli_errors(), journal_runtime(data_dir, database_url) as (settings, database, runtime):
        with database.session() as session:
            report = replay_epoch(runtime, session, epoch)
            checked, differ = replay_accounting(session, epoch, settings.network_passphrase)
        report.actions += checked
        report.mismatches += differ
    if json_out:
        print_json(asdict(report) | {"identical": report.identical})
    else:
        _show(report.epoch, report.actions, report.contracts, report.mismatches)
    raise typer.Exit(0 if report.identical else 1)


def _show(epoch: int, actions: int, contracts: list[str], mismatches: list[object]) -> None:
    if not mismatches:
        console.print(
            f"epoch {epoch}: {actions} actions and results of {', '.join(contracts)} "
            "replayed; every state hash, event, root and transaction hash is "
            "[green]identical[/green]"
        )
        return
    table = Table(title=f"epoch {epoch}: replay differs from the journal")
    for column in ("contract", "seq", "what", "journal", "replay"):
        table.add_column(column)
    for m in mismatches:
        row = asdict(m)  # type: ignore[call-overload]
        table.add_row(
            row["contract"], str(row["seq"]), row["what"], row["journal"][:40], row["replay"][:40]
        )
    console.print(table)
