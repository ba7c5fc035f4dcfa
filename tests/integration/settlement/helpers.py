"""Helpers of the settlement tests: node data directories, payees, what the ledger paid."""

from __future__ import annotations

import os
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterable, Sequence
from pathlib import Path

import httpx
from stellar_sdk import Account, Asset, ChangeTrust, Keypair, Payment, Server, TransactionBuilder

from node import settlement as wiring
from servicelayer.config import load_settings
from servicelayer.keys import create_key_file
from servicelayer.ledger.money import NATIVE_TEXT, format_amount
from servicelayer.ledger.money import to_stroops as stroops
from servicelayer.settlement.plan import Payout

PASSPHRASE = "Standalone Network ; February 2017"


def make_node(directory: Path, horizon_url: str, **stellar: object) -> Path:
    """A node data directory with a key and a ``[stellar]`` config table."""
    directory.mkdir(parents=True, exist_ok=True)
    create_key_file(directory / "node.key")
    lines = ["[stellar]", f'horizon_url = "{horizon_url}"']
    for name, value in stellar.items():
        if isinstance(value, str):
            lines.append(f'{name} = "{value}"')
        elif isinstance(value, list):
            items = ", ".join(f'"{v}"' for v in value)
            lines.append(f"{name} = [{items}]")
        else:
            lines.append(f"{name} = {value}")
    (directory / "acenode.toml").write_text("\n".join(lines) + "\n")
    return directory


def bootstrap(directory: Path) -> str:
    """Runs the DAO bootstrap in-process; returns the treasury account."""
    settings = load_settings(directory)
    ledger = wiring.horizon(settings)
    try:
        wiring.bootstrap(settings, ledger).run(settings.stellar.channels)
    finally:
        ledger.close()
    return treasury_of(directory)


def treasury_of(directory: Path) -> str:
    return Keypair.from_secret((directory / "dao" / "treasury.key").read_text().strip()).public_key


def funded(url: str) -> Keypair:
    kp = Keypair.random()
    response = httpx.get(f"{url}/friendbot", params={"addr": kp.public_key}, timeout=30)
    assert response.status_code == 200, response.text
    return kp


def create_accounts(url: str, accounts: Sequence[str], balance: str = "2") -> None:
    """Creates accounts in batches of 100 create_account operations."""
    funder = funded(url)
    with Server(url) as server:
        for start in range(0, len(accounts), 100):
            source = server.load_account(funder.public_key)
            builder = TransactionBuilder(source, PASSPHRASE, base_fee=100).set_timeout(60)
            for account in accounts[start : start + 100]:
                builder.append_create_account_op(account, balance)
            envelope = builder.build()
            envelope.sign(funder)
            server.submit_transaction(envelope, skip_memo_required_check=True)


def submit(url: str, source: str, ops: Iterable[object], signers: Sequence[Keypair]) -> None:
    """A transaction of ``source`` with ``ops``, signed by ``signers``."""
    with Server(url) as server:
        account: Account = server.load_account(source)
        builder = TransactionBuilder(account, PASSPHRASE, base_fee=100).set_timeout(60)
        for op in ops:
            builder.append_operation(op)  # type: ignore[arg-type]
        envelope = builder.build()
        for kp in signers:
            envelope.sign(kp)
        server.submit_transaction(envelope, skip_memo_required_check=True)


def paid_by(url: str, treasury: str) -> dict[tuple[str, str], int]:
    """Stroops the treasury's successful operations sent to each (payee, asset): payments
    plus claimable balances (to their first claimant), read through Horizon."""
    totals: dict[tuple[str, str], int] = defaultdict(int)
    with Server(url) as server:
        page = server.operations().for_account(treasury).limit(200).order(desc=False).call()
        while records := page["_embedded"]["records"]:
            for op in records:
                if op["type"] == "payment" and op["from"] == treasury:
                    asset = (
                        NATIVE_TEXT
                        if op["asset_type"] == "native"
                        else f"{op['asset_code']}:{op['asset_issuer']}"
                    )
                    totals[(op["to"], asset)] += stroops(op["amount"])
                elif op["type"] == "create_claimable_balance" and op["sponsor"] == treasury:
                    payee = op["claimants"][0]["destination"]
                    totals[(payee, op["asset"])] += stroops(op["amount"])
            page = (
                server.operations()
                .for_account(treasury)
                .limit(200)
                .cursor(records[-1]["paging_token"])
                .call()
            )
    return dict(totals)


def owed(payouts: Iterable[Payout]) -> dict[tuple[str, str], int]:
    totals: dict[tuple[str, str], int] = defaultdict(int)
    for p in payouts:
        totals[(p.account, p.asset)] += p.amount
    return dict(totals)


def write_csv(path: Path, payouts: Sequence[Payout]) -> Path:
    rows = ["account,asset,amount,reference"]
    rows += [f"{p.account},{p.asset},{format_amount(p.amount)},{p.reference}" for p in payouts]
    path.write_text("\n".join(rows) + "\n")
    return path


def acenode(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [sys.executable, "-m", "node", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env=env,
    )


def issue(url: str, issuer: Keypair, code: str, holders: Sequence[Keypair], amount: str) -> Asset:
    """An asset of ``issuer`` trusted by ``holders`` (each receives ``amount``)."""
    asset = Asset(code, issuer.public_key)
    for holder in holders:
        submit(url, holder.public_key, [ChangeTrust(asset)], [holder])
        submit(url, issuer.public_key, [Payment(holder.public_key, asset, amount)], [issuer])
    return asset
