"""``acenode``: the validator operator's command line."""

from __future__ import annotations

import typer

from node.cli.assets import assets_app
from node.cli.bench import bench_app
from node.cli.dao import dao_app
from node.cli.demo import demo
from node.cli.epochs import epochs_app
from node.cli.ledger import app as ledger_app
from node.cli.node_commands import db_app, init, keys_app, run
from node.cli.payouts import payouts_app
from node.cli.probe import probe_command
from node.cli.testnet import app as testnet_app
from node.cli.treasury import treasury_app

app = typer.Typer(
    name="acenode",
    help="Run and operate an Ace service-layer node.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)

app.command()(init)
app.command()(run)
app.add_typer(db_app, name="db")
app.add_typer(keys_app, name="keys")
app.add_typer(ledger_app, name="ledger")
app.add_typer(epochs_app, name="epochs")
app.add_typer(bench_app, name="bench")
app.add_typer(dao_app, name="dao")
app.add_typer(payouts_app, name="payouts")
app.add_typer(assets_app, name="assets")
app.add_typer(treasury_app, name="treasury")
app.add_typer(testnet_app, name="testnet")
app.command()(demo)
app.command("probe")(probe_command)


def main() -> None:
    app()
