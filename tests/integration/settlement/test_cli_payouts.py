"""``acenode dao bootstrap`` and ``acenode payouts send|status`` as an operator runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from stellar_sdk import Keypair, Server

from servicelayer.ledger.money import NATIVE_TEXT
from servicelayer.ledger.money import to_stroops as stroops
from servicelayer.settlement.plan import Payout
from testnet.ledger.process import LedgerProcess
from tests.integration.settlement.helpers import (
    acenode,
    create_accounts,
    funded,
    make_node,
    owed,
    paid_by,
    treasury_of,
    write_csv,
)

pytestmark = pytest.mark.integration


def test_bootstrap_twice_configures_the_dao_once(ledger: LedgerProcess, node_dir: Path) -> None:
    make_node(node_dir, ledger.url, channels=2)
    first = acenode("dao", "bootstrap", "-d", str(node_dir), "--json")
    assert first.returncode == 0, first.stderr
    report = json.loads(first.stdout)
    assert report["changed"] is True
    done = {(s["role"], s["done"]) for s in report["steps"]}
    assert ("treasury", "signers_set") in done and ("channel-1", "funded") in done

    again = acenode("dao", "bootstrap", "-d", str(node_dir))
    assert again.returncode == 0, again.stderr
    assert "nothing to do" in again.stdout
    second = json.loads(acenode("dao", "bootstrap", "-d", str(node_dir), "--json").stdout)
    assert second["changed"] is False
    assert {s["done"] for s in second["steps"]} == {"unchanged"}

    node_key = Keypair.from_secret((node_dir / "node.key").read_text().strip()).public_key
    with Server(ledger.url) as server:
        treasury = server.accounts().account_id(treasury_of(node_dir)).call()
    assert treasury["thresholds"] == {"low_threshold": 1, "med_threshold": 1, "high_threshold": 1}
    weights = {s["key"]: s["weight"] for s in treasury["signers"]}
    assert weights.pop(treasury_of(node_dir), 0) == 0  # the master key cannot sign
    assert weights == {node_key: 1}
    assert oct((node_dir / "dao" / "treasury.key").stat().st_mode & 0o777) == "0o600"


def test_bad_rows_are_refused_before_anything_is_stored(
    ledger: LedgerProcess, node_dir: Path, tmp_path: Path
) -> None:
    make_node(node_dir, ledger.url, channels=1)
    assert acenode("dao", "bootstrap", "-d", str(node_dir)).returncode == 0
    bad = tmp_path / "bad.csv"
    bad.write_text(f"account,asset,amount\n{Keypair.random().public_key},XLM,1\nGXX,XLM,0.5\n")
    result = acenode("payouts", "send", str(bad), "-d", str(node_dir))
    assert result.returncode == 2
    assert "line 3: account" in result.stderr
    status = acenode("payouts", "status", "-d", str(node_dir), "--json")
    assert json.loads(status.stdout) == {"plans": []}


def test_send_pays_and_sending_again_pays_nobody_twice(
    ledger: LedgerProcess, node_dir: Path, tmp_path: Path
) -> None:
    make_node(node_dir, ledger.url, channels=2)
    assert acenode("dao", "bootstrap", "-d", str(node_dir)).returncode == 0
    payees = [Keypair.random().public_key for _ in range(30)]
    create_accounts(ledger.url, payees[:27])  # three payees have no account yet
    payouts = [Payout(a, NATIVE_TEXT, 3_000_000 + i, f"p{i}") for i, a in enumerate(payees)]
    csv_file = write_csv(tmp_path / "payouts.csv", payouts)

    sent = acenode("payouts", "send", str(csv_file), "-d", str(node_dir), "--chunk-size", "7")
    assert sent.returncode == 0, sent.stderr
    assert "new plan" in sent.stdout and "paid" in sent.stdout
    status = json.loads(acenode("payouts", "status", "-d", str(node_dir), "--json").stdout)
    (plan,) = status["plans"]
    assert plan["status"] == "paid"
    assert plan["counts"] == {"paid": 27, "paid_as_claimable_balance": 3}

    again = acenode("payouts", "send", str(csv_file), "-d", str(node_dir), "--chunk-size", "7")
    assert again.returncode == 0, again.stderr
    assert "resuming plan" in again.stdout
    detail = acenode("payouts", "status", plan["plan"][:10], "-d", str(node_dir), "--json")
    txs = json.loads(detail.stdout)["transactions"]
    applied = [t for t in txs if t["status"] == "applied"]
    assert len(applied) == 5  # 30 payouts in chunks of 7
    assert all(t["url"] == f"{ledger.url}/transactions/{t['hash']}" for t in txs)
    assert paid_by(ledger.url, treasury_of(node_dir)) == owed(payouts)


def test_bootstrap_can_fund_the_accounts_from_a_funding_key(
    ledger: LedgerProcess, node_dir: Path, tmp_path: Path
) -> None:
    funder = tmp_path / "funding.key"
    funder.write_text(funded(ledger.url).secret + "\n")
    funder.chmod(0o600)
    make_node(
        node_dir,
        ledger.url,
        channels=1,
        funding_key_file=str(funder),
        friendbot_url="http://127.0.0.1:9/unused",
    )
    result = acenode("dao", "bootstrap", "-d", str(node_dir), "--json")
    assert result.returncode == 0, result.stderr
    with Server(ledger.url) as server:
        treasury = server.accounts().account_id(treasury_of(node_dir)).call()
    native = next(b for b in treasury["balances"] if b["asset_type"] == "native")
    # 100 XLM from the funding account (friendbot gives 10,000), less the set_options fee.
    assert 99 * 10**7 < stroops(native["balance"]) <= 100 * 10**7
