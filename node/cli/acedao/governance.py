"""``acedao proposals list|show``, ``propose``, ``vote``, ``delegate``, ``balance``.

Votes and delegations are signed here (SEP-53) over the contract's own message; the key
never leaves this process.
"""

from __future__ import annotations

import base64
import time
from typing import Annotated, Any

import typer
from rich.table import Table
from stellar_sdk import Keypair
from stellar_sdk.exceptions import BadSignatureError

from contracts.moderation import delegation_message, reason_hash, sep53_digest, vote_message
from node.cli.acedao.base import (
    DEFAULT_NODE,
    IdempotencyKey,
    KeyFile,
    NodeUrl,
    PromptKey,
    app,
    member_key,
)
from node.cli.acedao.client import NodeClient
from node.cli.acedao.ledger import pay
from node.cli.acedao.writes import report, send, signed_client
from node.cli.common import JsonFlag, cli_errors, console, print_json
from servicelayer.errors import InvalidInput
from servicelayer.ledger.money import format_amount, sdk_asset

proposals_app = typer.Typer(help="Read the DAO's proposals.", no_args_is_help=True)
app.add_typer(proposals_app, name="proposals")
Choice = Annotated[str, typer.Argument(help="yes, no or abstain")]


@proposals_app.command("list")
def proposals_list(
    status: Annotated[str | None, typer.Option(help="active, passed, failed, ...")] = None,
    node: NodeUrl = DEFAULT_NODE,
    json_out: JsonFlag = False,
) -> None:
    """Proposals, newest first."""
    with cli_errors():
        data = NodeClient(node).get("/v1/proposals", {"status": status} if status else {})
    if json_out:
        print_json(data)
        return
    table = Table(title="Proposals")
    for column in ("id", "kind", "target", "status", "votes", "voting ends"):
        table.add_column(column)
    for p in data:
        ends = time.strftime("%Y-%m-%d %H:%M", time.gmtime(p["voting_ends_at"]))
        table.add_row(str(p["id"]), p["kind"], p["target"], p["status"], str(p["votes_cast"]), ends)
    console.print(table)


@proposals_app.command("show")
def proposals_show(
    proposal_id: Annotated[int, typer.Argument(min=1)],
    node: NodeUrl = DEFAULT_NODE,
    json_out: JsonFlag = False,
) -> None:
    """One proposal with its votes, each vote's signature checked here (not by the node)."""
    with cli_errors():
        client = NodeClient(node)
        p = client.get(f"/v1/proposals/{proposal_id}")
        passphrase = client.health()["network_passphrase"]
    for v in p["votes"]:
        v["verified"] = vote_verifies(passphrase, p["id"], v)
    if json_out:
        print_json(p)
        return
    console.print(
        f"[bold]#{p['id']} {p['kind']}[/bold] {p['target']}  status {p['status']}\n"
        f"{p['description']}\nproposer {p['proposer']}  start ledger {p['start_ledger']}"
    )
    table = Table(title="Votes")
    for column in ("voter", "choice", "nonce", "reason", "signature"):
        table.add_column(column)
    for v in p["votes"]:
        check = "[green]ok[/green]" if v["verified"] else "[red]DOES NOT VERIFY[/red]"
        table.add_row(v["voter"], v["choice"], str(v["nonce"]), v["reason"], check)
    console.print(table)


@app.command("propose")
def propose(
    kind: Annotated[str, typer.Argument(help="delist, ban, param or mint")],
    target: Annotated[str, typer.Option(help="delist: infohash; ban: account; param: name")] = "",
    value: Annotated[int, typer.Option(min=0, help="param: value; mint: stroops")] = 0,
    recipient: Annotated[str, typer.Option(help="mint: receiving account")] = "",
    asset: Annotated[str | None, typer.Option(help="mint: XLM or CODE:ISSUER")] = None,
    description: Annotated[str, typer.Option()] = "",
    node: NodeUrl = DEFAULT_NODE,
    key_file: KeyFile = None,
    prompt_key: PromptKey = False,
    idempotency_key: IdempotencyKey = None,
    json_out: JsonFlag = False,
) -> None:
    """Open a proposal (you need governance weight at the start ledger)."""
    if kind not in ("delist", "ban", "param", "mint"):
        _bad("kind must be delist, ban, param or mint")
    body: dict[str, Any] = {"kind": kind, "target": target, "value": value}
    body |= {"recipient": recipient, "asset": asset, "description": description}
    with cli_errors():
        client, _ = signed_client(node, key_file, prompt_key)
        result, key = send(client, "POST", "/v1/proposals", body, idempotency_key)
    report(result, key, json_out, lambda: f"proposal [bold]#{result['id']}[/bold] opened")


@app.command("vote")
def vote(
    proposal_id: Annotated[int, typer.Argument(min=1)],
    choice: Choice,
    reason: Annotated[str, typer.Option(help="Why (stored with your vote)")] = "",
    nonce: Annotated[
        int | None, typer.Option(min=0, help="Default: 0, or one more than your last vote")
    ] = None,
    node: NodeUrl = DEFAULT_NODE,
    key_file: KeyFile = None,
    prompt_key: PromptKey = False,
    idempotency_key: IdempotencyKey = None,
    json_out: JsonFlag = False,
) -> None:
    """Vote yes, no or abstain; the vote is signed here with your key (SEP-53)."""
    if choice not in ("yes", "no", "abstain"):
        _bad("choice must be yes, no or abstain")
    with cli_errors():
        client, keypair = signed_client(node, key_file, prompt_key)
        health = client.health()
        if nonce is None:
            nonce = _next_vote_nonce(client, proposal_id, keypair.public_key)
        hashed = reason_hash(reason) if reason else None
        message = vote_message(health["network_passphrase"], proposal_id, choice, hashed, nonce)
        signature = base64.b64encode(keypair.sign_message(message)).decode()
        body = {"choice": choice, "reason": reason, "nonce": nonce, "signature": signature}
        path = f"/v1/proposals/{proposal_id}/votes"
        result, key = send(client, "POST", path, body, idempotency_key)
    report(result, key, json_out, lambda: f"voted [bold]{choice}[/bold] on #{proposal_id}")


@app.command("appeal")
def appeal(
    proposal_id: Annotated[int, typer.Argument(min=1, help="The executed delisting")],
    horizon: Annotated[
        str | None, typer.Option(help="Horizon to pay through (default: the node's ledger)")
    ] = None,
    node: NodeUrl = DEFAULT_NODE,
    key_file: KeyFile = None,
    prompt_key: PromptKey = False,
    json_out: JsonFlag = False,
) -> None:
    """Appeal an executed delisting: pay the DAO's bond to the treasury (memo appeal:ID).

    The node files the appeal when its ledger watcher sees the payment: the content is
    hidden, not destroyed, while the re-vote runs; a won appeal returns the bond."""
    with cli_errors():
        keypair = member_key(key_file, prompt_key)
        client = NodeClient(node)
        proposal = client.get(f"/v1/proposals/{proposal_id}")
        if (proposal["kind"], proposal["status"]) != ("delist", "executed"):
            raise InvalidInput(
                f"proposal #{proposal_id} is a {proposal['kind']} that is {proposal['status']}:"
                " only an executed delisting can be appealed",
                code="not_appealable",
            )
        dao = client.get("/v1/dao")
        treasury = dao["accounts"].get("treasury")
        if not treasury:
            raise InvalidInput("the node has no DAO treasury yet", code="no_treasury")
        bond = int(dao["params"]["gov.appeal_bond"])
        tx_hash = pay(
            horizon or dao["horizon_url"],
            dao["network_passphrase"],
            keypair,
            treasury,
            sdk_asset(dao["bond_asset"]),
            bond,
            text=f"appeal:{proposal_id}",
        )
    result = {"proposal_id": proposal_id, "bond": bond, "asset": dao["bond_asset"]}
    result |= {"treasury": treasury, "tx_hash": tx_hash}
    if json_out:
        print_json(result)
        return
    console.print(
        f"bond of {format_amount(bond)} {dao['bond_asset']} paid to the treasury "
        f"(transaction {tx_hash}); the node files the appeal against #{proposal_id} when its "
        "watcher sees the payment"
    )


@app.command("delegate")
def delegate(
    to: Annotated[str | None, typer.Argument(help="G... to delegate to")] = None,
    revoke: Annotated[bool, typer.Option("--revoke", help="Take your weight back")] = False,
    nonce: Annotated[int | None, typer.Option(min=0, help="Default: the current time")] = None,
    node: NodeUrl = DEFAULT_NODE,
    key_file: KeyFile = None,
    prompt_key: PromptKey = False,
    idempotency_key: IdempotencyKey = None,
    json_out: JsonFlag = False,
) -> None:
    """Delegate your voting weight to another member (signed here, SEP-53)."""
    if (to is None) == (not revoke):
        _bad("give an account to delegate to, or --revoke")
    delegate_to = "" if revoke else str(to)
    with cli_errors():
        client, keypair = signed_client(node, key_file, prompt_key)
        passphrase = client.health()["network_passphrase"]
        n = nonce if nonce is not None else int(time.time())
        try:
            message = delegation_message(passphrase, delegate_to, n)
        except ValueError as exc:
            raise InvalidInput(str(exc)) from None
        signature = base64.b64encode(keypair.sign_message(message)).decode()
        body = {"delegate": delegate_to, "nonce": n, "signature": signature}
        result, key = send(client, "POST", "/v1/delegations", body, idempotency_key)
    text = "delegation revoked" if revoke else f"weight delegated to {delegate_to}"
    report(result, key, json_out, lambda: text)


@app.command("balance")
def balance(
    account: Annotated[str | None, typer.Argument(help="G... (default: your own)")] = None,
    node: NodeUrl = DEFAULT_NODE,
    key_file: KeyFile = None,
    prompt_key: PromptKey = False,
    json_out: JsonFlag = False,
) -> None:
    """Your governance weight in each open proposal, as the node reports it."""
    with cli_errors():
        who = account or member_key(key_file, prompt_key).public_key
        data = NodeClient(node).get(f"/v1/accounts/{who}/voting-power")
    if json_out:
        print_json(data)
        return
    console.print(f"{who}  delegates to: {data['delegate'] or '-'}")
    table = Table(title="Open proposals")
    for column in ("proposal", "balance", "weight", "voted"):
        table.add_column(column)
    for p in data["proposals"]:
        table.add_row(
            str(p["proposal_id"]),
            f"{p['balance']:,}",
            f"{p['weight']:,}",
            "yes" if p["voted"] else "no",
        )
    console.print(table)


def vote_verifies(passphrase: str, proposal_id: int, vote: dict[str, Any]) -> bool:
    """The vote's fields, rebuilt into the vote message, carry the voter's SEP-53 signature,
    and the contract counted that message (its hash)."""
    try:
        reason = vote["reason"]
        hashed = reason_hash(reason) if reason else None
        message = vote_message(passphrase, proposal_id, vote["choice"], hashed, vote["nonce"])
        signature = base64.b64decode(vote["signature"] or "", validate=True)
        Keypair.from_public_key(vote["voter"]).verify_message(message, signature)
    except (ValueError, TypeError, KeyError, BadSignatureError):
        return False
    return sep53_digest(message).hex() == vote["message_hash"]


def _next_vote_nonce(client: NodeClient, proposal_id: int, account: str) -> int:
    proposal = client.get(f"/v1/proposals/{proposal_id}")
    mine = [v["nonce"] for v in proposal.get("votes", []) if v["voter"] == account]
    return max(mine) + 1 if mine else 0


def _bad(message: str) -> None:
    with cli_errors():
        raise InvalidInput(message)
