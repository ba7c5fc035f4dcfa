"""``acedao audit receipt|payout ID``: check a proof against the root anchored on Stellar.

The node is asked only for the proof; the ledger (a Horizon you choose) is asked for the
anchor and the payout transactions. Nothing the node says is taken on trust: every hash
is recomputed here. Exits 1 unless every check passes.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from node.cli.acedao.base import DEFAULT_NODE, NodeUrl, app
from node.cli.acedao.client import NodeClient, NodeError
from node.cli.common import JsonFlag, cli_errors, console, print_json
from servicelayer.epochs.anchoring import PAYOUT_TAG, RECEIPT_TAG, RELEASE_TAG
from servicelayer.epochs.audit import Check, check_anchor, check_payment, check_proof
from servicelayer.errors import InvalidInput
from servicelayer.ledger.horizon import Horizon

audit_app = typer.Typer(
    help="Check a receipt or a payout against the epoch root anchored on the ledger",
    no_args_is_help=True,
)
app.add_typer(audit_app, name="audit")

HorizonUrl = Annotated[
    str,
    typer.Option(
        "--horizon",
        envvar="ACEDAO_HORIZON",
        help="The Horizon you trust [env ACEDAO_HORIZON] (default: the embedded ledger's)",
    ),
]
AnchorAccount = Annotated[
    str | None,
    typer.Option(
        "--anchor",
        envvar="ACEDAO_ANCHOR",
        help="The DAO's anchor account (G...) to pin [env ACEDAO_ANCHOR]",
    ),
]
DEFAULT_HORIZON = "http://127.0.0.1:8701"


@audit_app.command("receipt")
def receipt(
    receipt_id: Annotated[str, typer.Argument(help="The receipt id (64 hex)")],
    node: NodeUrl = DEFAULT_NODE,
    horizon: HorizonUrl = DEFAULT_HORIZON,
    anchor: AnchorAccount = None,
    json_out: JsonFlag = False,
) -> None:
    """That the node counted this receipt in an epoch it anchored on the ledger (and, for a
    deferred receipt a later epoch resolved, that epoch's release of it)."""
    with cli_errors():
        proof = NodeClient(node).get(f"/v1/receipts/{receipt_id.lower()}/proof")
        epoch = _epoch(proof)
        checks, root = check_proof(proof, [RECEIPT_TAG, epoch, receipt_id.lower()])
        checks += _anchored(horizon, proof, epoch, root, anchor)
        subject = {"receipt": receipt_id, "epoch": epoch, "leaf": proof.get("leaf")}
        release = proof.get("resolution")
        if release is not None:
            resolved = _epoch(release)
            found, release_root = check_proof(release, [RELEASE_TAG, resolved, receipt_id.lower()])
            checks += [Check(f"release: {c.what}", c.ok, c.detail) for c in found]
            anchored = _anchored(horizon, release, resolved, release_root, anchor)
            checks += [Check(f"release: {c.what}", c.ok, c.detail) for c in anchored]
            subject["resolution"] = {"epoch": resolved, "leaf": release.get("leaf")}
    _report(checks, subject, json_out)


@audit_app.command("payout")
def payout(
    payout_id: Annotated[str, typer.Argument(help="The payout id: epoch-<n>-<position>")],
    node: NodeUrl = DEFAULT_NODE,
    horizon: HorizonUrl = DEFAULT_HORIZON,
    anchor: AnchorAccount = None,
    json_out: JsonFlag = False,
) -> None:
    """That this payout is in an anchored epoch, and the ledger paid it."""
    with cli_errors():
        data = NodeClient(node).get(f"/v1/payouts/{payout_id}")
        proof = data.get("proof", {})
        epoch = _epoch(proof)
        expected = [PAYOUT_TAG, epoch, payout_id, data.get("kind"), data.get("account")]
        expected += [data.get("asset"), data.get("amount")]
        checks, root = check_proof(proof, expected)
        checks += _anchored(horizon, proof, epoch, root, anchor)
        tx_hash = data.get("tx_hash")
        if not tx_hash:
            checks.append(Check("payout transaction on the ledger", False, "not paid yet"))
        else:
            passphrase, record = _ledger_tx(horizon, str(tx_hash))
            args = (str(data["account"]), str(data["asset"]), int(data["amount"]))
            checks += check_payment(record, passphrase, *args)
    summary = {k: data.get(k) for k in ("id", "kind", "account", "asset", "amount", "tx_hash")}
    _report(checks, {**summary, "epoch": epoch}, json_out)


def _epoch(proof: Any) -> int:
    if not isinstance(proof, dict) or type(proof.get("epoch")) is not int:
        raise NodeError("the node's answer has no proof")
    return int(proof["epoch"])


def _anchored(
    horizon: str, proof: dict[str, Any], epoch: int, root: bytes, anchor: str | None
) -> list[Check]:
    tx_hash = (proof.get("anchor") or {}).get("tx_hash")
    if not tx_hash:
        return [Check("anchor transaction on the ledger", False, "epoch not anchored yet")]
    passphrase, record = _ledger_tx(horizon, str(tx_hash))
    checks = check_anchor(record, passphrase, epoch, root, anchor)
    if anchor is None:
        checks.append(_multisig(horizon, str(record.get("source_account", ""))))
    return checks


def _multisig(horizon: str, account: str) -> Check:
    """Without a pinned anchor account: at least it is not one key's (master weight 0)."""
    with Horizon(horizon) as ledger:
        state = ledger.account(account)
    if state is None:
        return Check("anchor account is a multisig (no master key)", False, f"{account} is gone")
    signers = [key for key, weight in state.signers.items() if weight > 0]
    low, medium, high = state.thresholds
    detail = f"{account}: {len(signers)} signer(s), thresholds {low}/{medium}/{high}"
    ok = state.master_weight == 0 and bool(signers)
    return Check("anchor account is a multisig (no master key)", ok, detail)


def _ledger_tx(horizon: str, tx_hash: str) -> tuple[str, dict[str, Any]]:
    with Horizon(horizon) as ledger:
        passphrase = ledger.network_passphrase()
        record = ledger.transaction_record(tx_hash)
    if record is None:
        raise InvalidInput(f"the ledger at {horizon} has no transaction {tx_hash}")
    return passphrase, record


def _report(checks: list[Check], subject: dict[str, Any], json_out: bool) -> None:
    ok = bool(checks) and all(c.ok for c in checks)
    if json_out:
        rows = [{"check": c.what, "ok": c.ok, "detail": c.detail} for c in checks]
        print_json({**subject, "verified": ok, "checks": rows})
    else:
        table = Table(title="Audit")
        for column in ("check", "", "detail"):
            table.add_column(column)
        for c in checks:
            table.add_row(c.what, "[green]ok[/green]" if c.ok else "[red]FAILED[/red]", c.detail)
        console.print(table)
        verdict = "[bold green]verified" if ok else "[bold red]NOT verified"
        console.print(verdict)
    if not ok:
        raise typer.Exit(1)
