"""``acedao plans`` and ``acedao subscribe``."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.table import Table

from node.cli.acedao.base import DEFAULT_NODE, IdempotencyKey, KeyFile, NodeUrl, PromptKey, app
from node.cli.acedao.client import NodeClient
from node.cli.acedao.writes import report, send, signed_client
from node.cli.common import JsonFlag, cli_errors, console, print_json
from servicelayer.ledger.money import format_amount


@app.command("plans")
def plans(
    provider: Annotated[str | None, typer.Option(help="Only this provider's (G...)")] = None,
    node: NodeUrl = DEFAULT_NODE,
    json_out: JsonFlag = False,
) -> None:
    """Subscription plans and bundles you can subscribe to."""
    params = {"provider": provider} if provider else {}
    with cli_errors():
        client = NodeClient(node)
        data = {
            "plans": client.get("/v1/plans", params),
            "bundles": client.get("/v1/bundles", params),
        }
    if json_out:
        print_json(data)
        return
    table = Table(title="Offerings")
    for column in ("id", "kind", "by", "price", "period (days)"):
        table.add_column(column)
    for p in data["plans"]:
        table.add_row(p["plan_id"], "plan", p["provider"][:8], _price(p), _days(p["period"]))
    for b in data["bundles"]:
        table.add_row(b["bundle_id"], "bundle", b["curator"][:8], _price(b), _days(b["period"]))
    console.print(table)


@app.command("subscribe")
def subscribe(
    offering_id: Annotated[str, typer.Argument(help="A plan or bundle id (see `acedao plans`)")],
    node: NodeUrl = DEFAULT_NODE,
    key_file: KeyFile = None,
    prompt_key: PromptKey = False,
    idempotency_key: IdempotencyKey = None,
    json_out: JsonFlag = False,
) -> None:
    """Subscribe with the credit you paid into the treasury."""
    with cli_errors():
        client, _ = signed_client(node, key_file, prompt_key)
        body = {"offering_id": offering_id}
        result, key = send(client, "POST", "/v1/subscriptions", body, idempotency_key)

    def text() -> str:
        return f"subscribed to {offering_id} until {result['paid_until']}"

    report(result, key, json_out, text)


def _price(offering: dict[str, object]) -> str:
    price = int(str(offering["price"]))
    return f"{format_amount(price)} {offering['asset']}"


def _days(seconds: int) -> str:
    return f"{seconds / 86400:g}"
