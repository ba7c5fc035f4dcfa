"""``acenode assets``: issue, mint, lock and list the DAO's assets on Stellar."""

from __future__ import annotations

import re
from typing import Annotated, Any

import typer
from rich.table import Table

from contracts.issuance import AssetFlags, AssetKind
from node.cli.common import DataDir, JsonFlag, cli_errors, console, print_json
from node.issuance import issuance
from servicelayer.config import load_settings
from servicelayer.errors import InvalidInput
from servicelayer.issuance.service import AssetSpec, Checked, Outcome
from servicelayer.issuance.views import asset_json
from servicelayer.ledger.money import format_amount
from servicelayer.settlement.plan import parse_amount

assets_app = typer.Typer(
    help="The DAO's assets: governance and access tokens.", no_args_is_help=True
)

_INFOHASH = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")


def _stroops(text: str, what: str) -> int:
    try:
        return parse_amount(text)
    except ValueError as exc:
        raise InvalidInput(f"{what}: {exc}", code="invalid_amount") from None


def _grants(kind: AssetKind, content: str | None) -> str:
    if content is None:
        return ""
    if kind == AssetKind.GOVERNANCE:
        raise InvalidInput("--content is for access tokens (--kind access)", code="invalid_grant")
    if not _INFOHASH.match(content.lower()):
        raise InvalidInput("--content must be a 40 or 64 hex digit infohash", code="invalid_grant")
    return f"content:{content.lower()}"


@assets_app.command("issue")
def issue(
    code: Annotated[str, typer.Argument(help="Asset code, 1-12 letters and digits")],
    cap: Annotated[str, typer.Option("--cap", help="Supply cap (decimal, up to 7 decimals)")],
    kind: Annotated[AssetKind, typer.Option("--kind")] = AssetKind.GOVERNANCE,
    content: Annotated[str | None, typer.Option("--content", help="Infohash (access)")] = None,
    auth_required: Annotated[bool, typer.Option("--auth-required")] = False,
    revocable: Annotated[bool, typer.Option("--revocable")] = False,
    clawback: Annotated[bool, typer.Option("--clawback")] = False,
    amount: Annotated[str | None, typer.Option("--amount", help="Mint this much now")] = None,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Define an asset (cap, flags) and mint to the distribution account; run again to
    finish an interrupted issue (nothing is minted twice)."""
    with cli_errors():
        spec = AssetSpec(
            code,
            _stroops(cap, "--cap"),
            kind,
            _grants(kind, content),
            AssetFlags(auth_required, revocable, clawback),
            _stroops(amount, "--amount") if amount is not None else 0,
        )
        with issuance(load_settings(data_dir)) as service:
            outcome = service.issue(spec)
    _show(outcome, json_out)


@assets_app.command("mint")
def mint(
    code: Annotated[str, typer.Argument(help="Asset code")],
    amount: Annotated[str, typer.Option("--amount", help="Decimal amount to mint")],
    to: Annotated[
        str | None,
        typer.Option("--to", help="A holder (G..., with a trustline); default: distribution"),
    ] = None,
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Mint more of an asset (within the cap) to its distribution account or a holder."""
    with cli_errors():
        stroops = _stroops(amount, "--amount")
        with issuance(load_settings(data_dir)) as service:
            outcome = service.mint(code, stroops, to)
    _show(outcome, json_out)


@assets_app.command("lock")
def lock(
    code: Annotated[str, typer.Argument(help="Asset code")],
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Lock the issuer for good (needs the whole cap issued): nobody can mint again."""
    with cli_errors(), issuance(load_settings(data_dir)) as service:
        outcome = service.lock(code)
    _show(outcome, json_out)


@assets_app.command("clawback")
def clawback(
    code: Annotated[str, typer.Argument(help="Asset code")],
    holder: Annotated[str, typer.Option("--from", help="Account to claw back from (G...)")],
    amount: Annotated[str, typer.Option("--amount", help="Decimal amount")],
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Claw tokens back (assets issued with --clawback; refused once locked)."""
    with cli_errors():
        stroops = _stroops(amount, "--amount")
        with issuance(load_settings(data_dir)) as service:
            outcome = service.clawback(code, holder.strip(), stroops)
    _show(outcome, json_out)


@assets_app.command("resume")
def resume(
    code: Annotated[str, typer.Argument(help="Asset code")],
    data_dir: DataDir = None,
    json_out: JsonFlag = False,
) -> None:
    """Finish the ledger work an interrupted mint or lock left undone."""
    with cli_errors(), issuance(load_settings(data_dir)) as service:
        outcome = service.resume(code)
    _show(outcome, json_out)


@assets_app.command("list")
def list_assets(data_dir: DataDir = None, json_out: JsonFlag = False) -> None:
    """The assets the contract knows, checked against the ledger."""
    with cli_errors(), issuance(load_settings(data_dir), changes=False) as service:
        checked = service.check()
    if json_out:
        print_json({"assets": [_checked_json(c) for c in checked]})
        return
    table = Table(title="Assets")
    columns = ("code", "kind", "issuer", "cap", "issued", "flags", "locked", "ledger", "unfinished")
    for column in columns:
        table.add_column(column)
    for c in checked:
        a = c.asset
        flags = [n for n, on in asset_json(a)["flags"].items() if on]
        table.add_row(
            a.asset.code,
            a.kind.value,
            a.asset.issuer,
            format_amount(a.cap),
            format_amount(a.issued),
            ",".join(flags) or "-",
            "yes" if a.locked else "no",
            "ok" if c.consistent else "MISMATCH",
            str(c.unfinished) if c.unfinished else "-",
        )
    console.print(table)


def _checked_json(c: Checked) -> dict[str, Any]:
    ledger = None
    if c.ledger is not None:
        ledger = {
            "distribution_balance": c.ledger.distribution_balance,
            "issuer_locked": c.ledger.locked,
            "flags": {
                "auth_required": c.ledger.flags.auth_required,
                "revocable": c.ledger.flags.revocable,
                "clawback_enabled": c.ledger.flags.clawback_enabled,
            },
        }
    return {
        **asset_json(c.asset),
        "ledger": ledger,
        "consistent": c.consistent,
        "unfinished": c.unfinished,
    }


def _show(outcome: Outcome, json_out: bool) -> None:
    data = {
        **asset_json(outcome.asset),
        "resumed": outcome.resumed,
        "configured": outcome.configured,
        "applied": list(outcome.applied),
    }
    if json_out:
        print_json(data)
        return
    a = outcome.asset
    console.print(
        f"{a.asset.code} ({a.kind.value}) issuer {a.asset.issuer}: issued "
        f"{format_amount(a.issued)} of {format_amount(a.cap)}"
        + (" [locked]" if a.locked else "")
        + (f"; {len(outcome.applied)} transaction(s) applied" if outcome.applied else "")
    )
