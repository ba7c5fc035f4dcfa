"""``acenode ledger serve``: the standalone ledger with its Horizon front, alone."""

from __future__ import annotations

from pathlib import Path

import typer
import uvicorn

from node.http_guard import guarded_protocol
from node.serving import GracefulServer, log_config
from servicelayer.errors import ServiceLayerError
from servicelayer.http_settings import HttpSettings
from testnet.ledger import DEFAULT_PASSPHRASE, MAX_TX_SET_OPS, StandaloneLedger
from testnet.ledger.front import create_horizon_app
from testnet.ledger.front.server import KEEP_ALIVE_SECONDS

app = typer.Typer(
    help="The embedded standalone Stellar ledger (one node, Horizon-compatible).",
    no_args_is_help=True,
)


@app.command()
def serve(
    data_dir: Path = typer.Option(..., "--data-dir", help="Directory of ledger.sqlite3."),
    port: int = typer.Option(8000, "--port", min=0, max=65535),
    host: str = typer.Option("127.0.0.1", "--host"),
    close_interval: float = typer.Option(
        5.0, "--close-interval", min=0.01, help="Seconds between ledger closes."
    ),
    max_ops: int = typer.Option(
        MAX_TX_SET_OPS, "--max-ops", min=1, max=100_000, help="Operations per ledger."
    ),
    network_passphrase: str = typer.Option(DEFAULT_PASSPHRASE, "--network-passphrase"),
    database_url: str | None = typer.Option(
        None, "--database-url", help="SQLAlchemy URL instead of the SQLite file."
    ),
    base_url: str | None = typer.Option(
        None, "--base-url", help="Public URL used in _links (default: the request's)."
    ),
    lose_answers: int = typer.Option(
        0,
        "--lose-answers",
        min=0,
        help="Testing: answer every Nth applied submission with 504, as if lost.",
    ),
    withhold_payments: int = typer.Option(
        0,
        "--withhold-payments",
        min=0,
        help="Testing: keep the first N submissions that pay unapplied (DATA_DIR/withheld) "
        "and answer them 504, as if their sender died before sending.",
    ),
) -> None:
    """Serve Horizon on HOST:PORT, closing a ledger of at most MAX_OPS operations every
    CLOSE_INTERVAL seconds."""
    try:
        ledger = StandaloneLedger.open(
            data_dir=data_dir,
            database_url=database_url,
            network_passphrase=network_passphrase,
            close_interval=close_interval,
            max_tx_set_ops=max_ops,
        )
    except ServiceLayerError as exc:
        typer.echo(f"error: {exc.detail}", err=True)
        raise typer.Exit(2) from exc
    try:
        server = GracefulServer(
            uvicorn.Config(
                create_horizon_app(
                    ledger,
                    base_url=base_url,
                    lose_answers=lose_answers,
                    withhold_payments=withhold_payments,
                    withheld_dir=data_dir / "withheld",
                ),
                http=guarded_protocol(HttpSettings()),  # read deadlines, connection caps
                host=host,
                port=port,
                log_config=log_config("warning"),
                log_level="warning",
                timeout_keep_alive=KEEP_ALIVE_SECONDS,  # longer than any poll interval
                timeout_graceful_shutdown=3,
            )
        )
        typer.echo(f"standalone ledger: http://{host}:{port}/ ({network_passphrase})")
        server.run()  # returns on SIGTERM/SIGINT after a graceful shutdown
    finally:
        ledger.close()
