"""``acedao``: the DAO member's command line (signs locally with the member's key)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.table import Table

from node.cli.common import JsonFlag, cli_errors, console, print_json
from servicelayer.errors import InvalidInput, ServiceLayerError
from servicelayer.keys import create_key_file, load_key_file

app = typer.Typer(
    name="acedao",
    help="Take part in the Ace DAO: keys, usage, proposals, votes, audits.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,
)
keys_app = typer.Typer(
    help="Your Stellar key (kept in a 0600 file, never printed).", no_args_is_help=True
)
app.add_typer(keys_app, name="keys")


def default_key_file() -> Path:
    env = os.environ.get("ACEDAO_KEY_FILE")
    return Path(env) if env else Path.home() / ".config" / "acedao" / "member.key"


KeyFile = Annotated[Path | None, typer.Option("--key-file", "-k", help="[env ACEDAO_KEY_FILE]")]
NodeUrl = Annotated[
    str, typer.Option("--node", envvar="ACEDAO_NODE", help="Node API base URL [env ACEDAO_NODE]")
]


class NodeError(ServiceLayerError):
    code = "node_error"


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
    account: Annotated[str | None, typer.Argument(help="G... (default: your own)")] = None,
    epoch: Annotated[int | None, typer.Option(min=0, help="Default: the current epoch")] = None,
    node: NodeUrl = "http://127.0.0.1:8700",
    key_file: KeyFile = None,
    json_out: JsonFlag = False,
) -> None:
    """What an account uploaded, downloaded and watched in an epoch, as the node counts it."""
    with cli_errors():
        who = account or load_key_file(key_file or default_key_file()).public_key
        params = {} if epoch is None else {"epoch": epoch}
        data = _get(node, f"/v1/accounts/{who}/usage", params)
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


def _get(base: str, path: str, params: dict[str, Any]) -> dict[str, Any]:
    try:
        response = httpx.get(base.rstrip("/") + path, params=params, timeout=30)
    except httpx.HTTPError as exc:
        raise NodeError(f"cannot reach the node at {base}: {exc}") from None
    body = response.json() if "json" in response.headers.get("content-type", "") else {}
    if response.status_code == 422:
        raise InvalidInput(body.get("detail", "invalid request"))
    if response.status_code != 200:
        raise NodeError(f"node answered {response.status_code}: {body.get('detail', '')}")
    data: dict[str, Any] = body
    return data


def main() -> None:
    app()
