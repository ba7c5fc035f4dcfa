"""``acenode assets issue|mint|lock|list`` against a real ledger process."""

from __future__ import annotations

from pathlib import Path

import pytest
from stellar_sdk import Asset, Keypair, Payment, Server, TransactionBuilder
from stellar_sdk.exceptions import BadRequestError, NotFoundError

from testnet.ledger.process import LedgerProcess
from tests.integration.issuance.helpers import (
    INFOHASH,
    account,
    assets,
    dao_public,
    holding,
    node_key,
    refused,
)
from tests.integration.settlement.helpers import PASSPHRASE

pytestmark = pytest.mark.integration


def test_governance_token_is_minted_within_its_cap(ledger: LedgerProcess, node_dir: Path) -> None:
    issued = assets(node_dir, "issue", "ACE", "--cap", "1000", "--amount", "250.5")
    issuer, distribution = dao_public(node_dir, "issuer"), dao_public(node_dir, "distribution")
    assert (issued["issuer"], issued["distribution"]) == (issuer, distribution)
    assert issued["kind"] == "governance"
    assert (issued["cap"], issued["issued"]) == (10**10, 2_505_000_000)
    assert holding(ledger.url, distribution, "ACE", issuer) == 2_505_000_000

    more = assets(node_dir, "mint", "ACE", "--amount", "0.0000001")
    assert more["issued"] == 2_505_000_001
    assert holding(ledger.url, distribution, "ACE", issuer) == 2_505_000_001

    sequence = account(ledger.url, issuer)["sequence"]
    error = refused(node_dir, "mint", "ACE", "--amount", "750")  # 0.0000001 over the cap
    assert "cap_exceeded" in error
    assert account(ledger.url, issuer)["sequence"] == sequence  # nothing was submitted
    assert holding(ledger.url, distribution, "ACE", issuer) == 2_505_000_001

    listed = {a["code"]: a for a in assets(node_dir, "list")["assets"]}
    assert listed["ACE"]["consistent"] is True
    assert listed["ACE"]["ledger"]["distribution_balance"] == 2_505_000_001


def test_over_the_cap_at_issue_defines_nothing(node_dir: Path) -> None:
    error = refused(node_dir, "issue", "OVER", "--kind", "access", "--content", INFOHASH,
                    "--cap", "5", "--amount", "5.0000001")  # fmt: skip
    assert "cap_exceeded" in error
    listed = assets(node_dir, "list")["assets"]
    assert "OVER" not in {a["code"] for a in listed}


def test_access_token_flags_lock_and_a_locked_issuer(ledger: LedgerProcess, node_dir: Path) -> None:
    issued = assets(node_dir, "issue", "FILM1", "--kind", "access", "--content", INFOHASH,
                    "--cap", "10", "--amount", "4", "--auth-required", "--revocable",
                    "--clawback")  # fmt: skip
    issuer = issued["issuer"]
    assert issuer != dao_public(node_dir, "issuer")  # an issuer account of its own
    record = account(ledger.url, issuer)
    assert record["flags"]["auth_required"] and record["flags"]["auth_revocable"]
    assert record["flags"]["auth_clawback_enabled"]
    weights = {s["key"]: s["weight"] for s in record["signers"]}
    assert weights.pop(issuer, 0) == 0 and weights[node_key(node_dir).public_key] == 1
    assert sorted(weights.values()) == [1, 1, 1]  # the three validators
    assert record["thresholds"]["med_threshold"] == 2  # a mint needs two of them
    assert holding(ledger.url, issued["distribution"], "FILM1", issuer) == 40_000_000

    assert "supply_not_complete" in refused(node_dir, "lock", "FILM1")
    assets(node_dir, "mint", "FILM1", "--amount", "6")
    locked = assets(node_dir, "lock", "FILM1")
    assert locked["locked"] is True
    signers = [s for s in account(ledger.url, issuer)["signers"] if s["weight"] > 0]
    assert signers == []  # nobody can sign for the issuer any more

    assert "asset_locked" in refused(node_dir, "mint", "FILM1", "--amount", "1")
    with pytest.raises(BadRequestError) as bad:
        _pay_from(ledger.url, node_dir, issuer, issued["distribution"], Asset("FILM1", issuer))
    assert bad.value.extras["result_codes"]["transaction"] == "tx_bad_auth"
    assert holding(ledger.url, issued["distribution"], "FILM1", issuer) == 100_000_000
    listed = {a["code"]: a for a in assets(node_dir, "list")["assets"]}
    assert listed["FILM1"]["ledger"]["issuer_locked"] is True
    assert listed["FILM1"]["consistent"] is True


def test_clawback_without_revocable_is_refused_before_the_ledger(
    ledger: LedgerProcess, node_dir: Path
) -> None:
    error = refused(node_dir, "issue", "CLAW", "--kind", "access", "--content", INFOHASH,
                    "--cap", "5", "--amount", "1", "--clawback")  # fmt: skip
    assert "clawback_requires_revocable" in error
    key = node_dir / "dao" / "issuer-CLAW.key"
    public = Keypair.from_secret(key.read_text().strip()).public_key
    with Server(ledger.url) as server, pytest.raises(NotFoundError):
        server.accounts().account_id(public).call()


def _pay_from(url: str, node_dir: Path, issuer: str, to: str, asset: Asset) -> None:
    """A mint attempt signed by the two validator keys that used to be enough."""
    with Server(url) as server:
        source = server.load_account(issuer)
        envelope = (
            TransactionBuilder(source, PASSPHRASE, base_fee=100)
            .set_timeout(60)
            .append_operation(Payment(to, asset, "1"))
            .build()
        )
        envelope.sign(node_key(node_dir))
        envelope.sign(Keypair.from_secret((node_dir.parent / "v2.key").read_text().strip()))
        server.submit_transaction(envelope, skip_memo_required_check=True)


def test_clawback_works_until_the_issuer_is_locked(ledger: LedgerProcess, node_dir: Path) -> None:
    issued = assets(node_dir, "issue", "KEEP", "--kind", "access", "--content", INFOHASH,
                    "--cap", "5", "--amount", "5", "--revocable", "--clawback")  # fmt: skip
    issuer, distribution = issued["issuer"], issued["distribution"]
    clawed = assets(node_dir, "clawback", "KEEP", "--from", distribution, "--amount", "2")
    assert (clawed["issued"], clawed["outstanding"]) == (50_000_000, 30_000_000)
    assert holding(ledger.url, distribution, "KEEP", issuer) == 30_000_000

    assets(node_dir, "lock", "KEEP")  # the cap was issued; clawed-back tokens do not return
    error = refused(node_dir, "clawback", "KEEP", "--from", distribution, "--amount", "1")
    assert "asset_locked" in error  # a locked issuer cannot sign a clawback
    assert holding(ledger.url, distribution, "KEEP", issuer) == 30_000_000


def test_clawback_needs_the_flag(ledger: LedgerProcess, node_dir: Path) -> None:
    issued = assets(node_dir, "issue", "PLAIN", "--kind", "access", "--content", INFOHASH,
                    "--cap", "5", "--amount", "5")  # fmt: skip
    distribution = issued["distribution"]
    error = refused(node_dir, "clawback", "PLAIN", "--from", distribution, "--amount", "1")
    assert "clawback_disabled" in error
    assert holding(ledger.url, distribution, "PLAIN", issued["issuer"]) == 50_000_000
