"""``acedao keys new|show`` and ``acedao usage``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table
from stellar_sdk import StrKey

from node.cli.acedao.base import DEFAULT_NODE, KeyFile, NodeUrl, app, default_key_file
from node.cli.acedao.client import NodeClient
from node.cli.common import JsonFlag, cli_errors, console, print_json
from servicelayer.errors import InvalidInput
from servicelayer.keys import create_key_file, load_key_file

keys_app = typer.Typer(
    help="Your Stellar key (kept in a 0600 file, never printed).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")


@keys_app.command("new")
def keys_new(key_file: KeyFile = None, json_out: JsonFlag = False) -> None:
    """Create your member key (refuses to overwrite one)."""
    path = key_file or default_key_file()
    with cli_errors():
        keypair = create_key_file(path)
    if json_out:
        print_json({"account": keypair.public_key, "key_file": str(path)})
    else:
        console.print(f"account  [bold]{keypair.public_key}[/bold]\nkey      {path} (mode 0600)")


@keys_app.command("show")
def keys_show(key_file: KeyFile = None, json_out: JsonFlag = False) -> None:
    """Show your public account (never the secret)."""
    path = key_file or default_key_file()
    with cli_errors():
        account = load_key_file(path).public_key
    if json_out:
        print_json({"account": account, "key_file": str(path)})
    else:
        console.print(account)


@app.command("usage")
def usage(
    account: Annotated[
        str | None, typer.Argument(help="G... (yours: the key file's account)")
    ] = None,
    epoch: Annotated[int | None, typer.Option(min=0, help="Default: the current epoch")] = None,
    node: NodeUrl = DEFAULT_NODE,
    key_file: KeyFile = None,
    json_out: JsonFlag = False,
) -> None:
    """What your account uploaded, downloaded and watched in an epoch, as the node counts it.

    Usage is private: the command signs in with your key (SEP-10) to read it."""
    with cli_errors():
        if account is not None and not StrKey.is_valid_ed25519_public_key(account):
            raise InvalidInput(f"not a Stellar account: {account!r}", code="invalid_account")
        keypair = load_key_file(key_file or default_key_file())
        who = account or keypair.public_key
        client = NodeClient(node)
        client.sign_in(keypair)
        params = {} if epoch is None else {"epoch": epoch}
        data = client.get(f"/v1/accounts/{who}/usage", params)
    if json_out:
        print_json(data)
        return
    table = Table(title=f"Usage of {who} in epoch {data['epoch']}")
    table.add_column("measure")
    table.add_column("value", justify="right")
    for key in (
        "uploaded_bytes",
        "downloaded_bytes",
        "viewing_seconds",
        "cdn_served_bytes",
        "cdn_received_bytes",
        "receipts",
    ):
        table.add_row(key.replace("_", " "), f"{data[key]:,}")
    console.print(table)
