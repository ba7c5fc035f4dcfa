"""``acenode dao bootstrap``: create and configure the DAO's Stellar accounts; ``acenode dao
signers``: change the validator set, signed by each validator's operator in turn."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.table import Table

from node import settlement as wiring
from node.cli.common import DataDir, JsonFlag, cli_errors, console, print_json
from servicelayer.config import NodeSettings, load_settings
from servicelayer.dao import signers
from servicelayer.dao.bootstrap import DaoPolicy, Done
from servicelayer.dao.keys import ROLES, DaoKeys
from servicelayer.errors import Conflict, InvalidInput
from servicelayer.keys import load_key_file
from servicelayer.ledger.horizon import Horizon
from servicelayer.stellar_settings import StellarSettings

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


signers_app = typer.Typer(
    help="Change the validator set: one transaction each validator's operator signs in turn "
    "(docs/federation.md).",
    no_args_is_help=True,
)
dao_app.add_typer(signers_app, name="signers")
ChangeFile = Annotated[Path, typer.Argument(help="The change's file (base64 XDR)")]


@signers_app.command("propose")
def signers_propose(
    validator: Annotated[
        list[str], typer.Option("--validator", help="A validator of the new set (repeat it)")
    ],
    threshold: Annotated[int, typer.Option(help="M: signatures needed after the change")],
    out: Annotated[Path, typer.Option(help="Where to write the unsigned change")],
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Write the transaction that makes every DAO account a multisig of the new set."""
    with cli_errors():
        settings = load_settings(data_dir)
        try:
            policy = DaoPolicy(tuple(sorted(set(validator))), threshold)
            StellarSettings(validators=list(policy.validators), threshold=threshold)
        except ValidationError as exc:
            detail = "; ".join(e["msg"] for e in exc.errors())
            raise InvalidInput(f"not a validator set: {detail}", code="bad_validators") from None
        with _ledger(settings) as ledger:
            change = signers.propose(
                ledger,
                settings.network_passphrase,
                _dao_accounts(settings),
                policy,
                settings.stellar.base_fee,
            )
            after = signers.outcome(change, ledger)
        _write(out, change)
    _show(
        change,
        after,
        settings,
        json_out,
        f"written to {out}: each operator runs `acenode dao signers sign {out}`",
    )


@signers_app.command("sign")
def signers_sign(file: ChangeFile, data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Check that the change only sets the DAO accounts' signers; add this node's signature."""
    with cli_errors():
        settings = load_settings(data_dir)
        change = _read(file, settings)
        with _ledger(settings) as ledger:
            after = signers.outcome(change, ledger)
        signers.cosign(change, load_key_file(settings.key_file))
        _write(file, change)
    _show(change, after, settings, json_out, f"signed by this node ({settings.key_file})")


@signers_app.command("submit")
def signers_submit(file: ChangeFile, data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """Submit the change once M validators of the current set signed it."""
    with cli_errors():
        settings = load_settings(data_dir)
        change = _read(file, settings)
        with _ledger(settings) as ledger:
            after = signers.outcome(change, ledger)
            outcome = ledger.submit(change.xdr())
        if not outcome.ok:
            raise Conflict(f"the ledger refused the change: {outcome.codes}", code="refused")
    _show(change, after, settings, json_out, f"applied in ledger {outcome.ledger}")


@contextmanager
def _ledger(settings: NodeSettings) -> Iterator[Horizon]:
    ledger = wiring.horizon(settings)
    try:
        yield ledger
    finally:
        ledger.close()


def _dao_accounts(settings: NodeSettings) -> dict[str, str]:
    keys = DaoKeys(settings.data_dir)
    roles = [*ROLES, *(DaoKeys.channel_role(i) for i in range(settings.stellar.channels))]
    return {role: keys.public(role) for role in roles}


def _read(file: Path, settings: NodeSettings) -> signers.SignerChange:
    try:
        text = file.read_text()[: signers.MAX_XDR + 1]
    except OSError as exc:
        raise InvalidInput(f"cannot read {file}: {exc.strerror}", code="unreadable") from None
    stellar = settings.stellar
    max_fee = max(stellar.base_fee, stellar.fee_bump_max)
    return signers.read(text, settings.network_passphrase, _dao_accounts(settings), max_fee)


def _write(file: Path, change: signers.SignerChange) -> None:
    try:
        file.write_text(change.xdr() + "\n")
    except OSError as exc:
        raise InvalidInput(f"cannot write {file}: {exc.strerror}", code="unwritable") from None


def _show(
    change: signers.SignerChange,
    after: tuple[list[str], int],
    settings: NodeSettings,
    json_out: bool,
    done: str,
) -> None:
    named = {k for a in change.accounts for k in a.signers} | {
        *settings.stellar.validators,
        *after[0],
    }
    signed = change.signed_by(named)
    if json_out:
        print_json(
            {
                "hash": change.envelope.hash_hex(),
                "signed_by": signed,
                "validators_after": after[0],
                "threshold_after": after[1],
                "accounts": [
                    {
                        "role": a.role,
                        "account": a.account,
                        "signers": a.signers,
                        "thresholds": list(a.thresholds),
                        "master_weight": a.master_weight,
                    }
                    for a in change.accounts
                ],
                "done": done,
            }
        )
        return
    table = Table(title=f"validator-set change {change.envelope.hash_hex()[:12]}")
    for column in ("role", "signers (weight)", "low/med/high"):
        table.add_column(column)
    for a in change.accounts:
        weights = "\n".join(f"{k} {w}" for k, w in sorted(a.signers.items())) or "-"
        table.add_row(a.role, weights, "/".join("-" if t is None else str(t) for t in a.thresholds))
    console.print(table)
    console.print(f"after it: {len(after[0])} validators, M {after[1]}")
    console.print(f"signed by: {', '.join(signed) or 'nobody yet'}")
    console.print(done)
