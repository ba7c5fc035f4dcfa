"""``acenode treasury payments``: what reached the treasury and where the watcher put it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from node.cli.common import DataDir, JsonFlag, cli_errors, console, print_json
from servicelayer.config import load_settings
from servicelayer.storage import watcher_repo
from servicelayer.storage.db import Database

treasury_app = typer.Typer(help="Payments to the DAO treasury.", no_args_is_help=True)
STATUSES = ("credited", "refunded", "refused", "unrouted")


@treasury_app.command("payments")
def payments(
    status: Annotated[
        str | None, typer.Option(help="credited, refunded, refused or unrouted")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 100,
    data_dir: DataDir = None,
    database_url: Annotated[str | None, typer.Option(help="Overrides the config")] = None,
    json_out: JsonFlag = False,
) -> None:
    """Payments the ledger watcher recorded, newest first; ``--status unrouted`` lists those
    whose memo routed them nowhere (nothing was credited: refund or route them by hand)."""
    with cli_errors():
        if status is not None and status not in STATUSES:
            raise typer.BadParameter(f"--status must be one of {', '.join(STATUSES)}")
        settings = load_settings(data_dir, database_url=database_url)
        database = Database(settings.resolved_database_url())
        try:
            database.upgrade()
            with database.session() as session:
                rows = [
                    {
                        "payment_id": r.payment_id,
                        "tx_hash": r.tx_hash,
                        "ledger": r.ledger,
                        "closed_at": r.closed_at,
                        "source": r.source,
                        "asset": r.asset,
                        "amount": r.amount,
                        "memo_type": r.memo_type,
                        "memo": r.memo,
                        "route": r.route,
                        "content": r.content,
                        "status": r.status,
                        "detail": r.detail,
                    }
                    for r in watcher_repo.payments(session, status, limit)
                ]
        finally:
            database.dispose()
    if json_out:
        print_json({"payments": rows})
        return
    table = Table(title="Payments to the treasury (amounts in stroops)")
    for column in ("ledger", "payment", "from", "amount", "asset", "memo", "route", "status"):
        table.add_column(column)
    for r in rows:
        table.add_row(
            str(r["ledger"]),
            str(r["payment_id"]),
            str(r["source"]),
            str(r["amount"]),
            str(r["asset"]),
            f"{r['memo_type']} {r['memo']}".strip(),
            str(r["route"]),
            f"{r['status']} {r['detail']}".strip(),
        )
    console.print(table)
