"""`acenode dao signers`: a validator-set change that each validator's operator signs in
turn, on a real embedded ledger whose DAO accounts a 2-of-3 federation holds: a fourth
validator is added (and M raised to 3), then removed again; what is not a pure signer
change of the DAO accounts is refused and left as it was."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stellar_sdk import Asset, Keypair
from typer.testing import CliRunner

from node.cli.acenode import app
from servicelayer.config import DEFAULT_PASSPHRASE
from servicelayer.dao.keys import ROLES, DaoKeys
from servicelayer.ledger.envelope import new_tx
from servicelayer.ledger.horizon import Horizon
from testnet.federation import LocalFederation
from tests.support import wait_for

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalFederation]:
    federation = LocalFederation(
        tmp_path_factory.mktemp("signers"),
        channels=1,
        env={"ACENODE_EPOCHS__ENABLED": "true", "ACENODE_EPOCHS__INTERVAL_SECONDS": "1"},
    ).prepare()
    yield federation
    federation.close()


def acenode(*args: str | Path) -> tuple[int, Any]:
    result = CliRunner().invoke(app, [str(a) for a in args])
    try:
        return result.exit_code, json.loads(result.stdout)
    except ValueError:
        return result.exit_code, result.output


def dao_accounts(net: LocalFederation) -> list[str]:
    keys = DaoKeys(net.members[0].directory)
    return [keys.public(role) for role in (*ROLES, DaoKeys.channel_role(0))]


def ledger_view(net: LocalFederation) -> list[tuple[dict[str, int], tuple[int, int, int]]]:
    horizon = Horizon(net.ledger_url)
    try:
        states = [horizon.account(account) for account in dao_accounts(net)]
    finally:
        horizon.close()
    return [(dict(s.signers), s.thresholds) for s in states if s is not None]


def test_a_fourth_validator_is_added_by_three_operators_and_removed_again(
    net: LocalFederation, tmp_path: Path
) -> None:
    v0, v1, v2 = (m.directory for m in net.members)
    old = sorted(m.account for m in net.members)
    new = Keypair.random().public_key
    change = tmp_path / "add.xdr"

    code, proposed = acenode(
        "dao", "signers", "propose", "--data-dir", v0, "--threshold", 3, "--out", change,
        *(a for v in [*old, new] for a in ("--validator", v)), "--json",
    )  # fmt: skip
    assert code == 0, proposed
    assert [a["account"] for a in proposed["accounts"]] == dao_accounts(net)
    assert all(a["signers"] == {new: 1} for a in proposed["accounts"])
    assert all(a["thresholds"] == [3, 3, 3] for a in proposed["accounts"])
    assert proposed["signed_by"] == []
    assert (proposed["validators_after"], proposed["threshold_after"]) == (sorted([*old, new]), 3)

    before = ledger_view(net)
    code, refused = acenode("dao", "signers", "submit", change, "--data-dir", v0)
    assert code == 2 and "tx_bad_auth" in refused  # nobody signed it yet
    code, _ = acenode("dao", "signers", "sign", change, "--data-dir", v0, "--json")
    assert code == 0
    code, refused = acenode("dao", "signers", "submit", change, "--data-dir", v0)
    assert code == 2 and "tx_bad_auth" in refused  # 1 of the 2 signatures needed
    assert ledger_view(net) == before

    for directory in (v1, v1):  # signing twice adds one signature
        code, signed = acenode("dao", "signers", "sign", change, "--data-dir", directory, "--json")
        assert code == 0, signed
    assert signed["signed_by"] == sorted([net.members[0].account, net.members[1].account])
    code, applied = acenode("dao", "signers", "submit", change, "--data-dir", v2, "--json")
    assert code == 0, applied
    for signers, thresholds in ledger_view(net):
        assert {k: w for k, w in signers.items() if w} == dict.fromkeys([*old, new], 1)
        assert thresholds == (3, 3, 3)

    # a validator still configured with the old set says so, and does not sign or submit
    node = net.nodes[0]
    node.start()
    try:
        wait_for(
            lambda: "this node is configured with 3 with M 2" in node.output(),
            timeout=30,
            what="the node's warning about the validator set",
        )
        assert "treasury account's signers on the ledger are 4 validator(s) with M 3" in (
            node.output()
        )
    finally:
        node.stop()

    back = tmp_path / "remove.xdr"
    code, proposed = acenode(
        "dao", "signers", "propose", "--data-dir", v1, "--threshold", 2, "--out", back,
        *(a for v in old for a in ("--validator", v)), "--json",
    )  # fmt: skip
    assert code == 0 and all(a["signers"] == {new: 0} for a in proposed["accounts"])
    for directory in (v0, v1, v2):  # M is 3 now
        assert acenode("dao", "signers", "sign", back, "--data-dir", directory)[0] == 0
    code, applied = acenode("dao", "signers", "submit", back, "--data-dir", v0, "--json")
    assert code == 0, applied
    for signers, thresholds in ledger_view(net):
        assert {k: w for k, w in signers.items() if w} == dict.fromkeys(old, 1)
        assert thresholds == (2, 2, 2)
    code, refused = acenode(
        "dao", "signers", "propose", "--data-dir", v1, "--threshold", 2, "--out", back,
        *(a for v in old for a in ("--validator", v)),
    )  # fmt: skip
    assert code == 2 and "already has these signers" in refused


def test_what_is_not_a_signer_change_of_the_dao_accounts_is_not_signed(
    net: LocalFederation, tmp_path: Path
) -> None:
    v0 = net.members[0].directory
    treasury = dao_accounts(net)[0]
    horizon = Horizon(net.ledger_url)
    try:
        state = horizon.account(treasury)
    finally:
        horizon.close()
    assert state is not None
    payment = new_tx(treasury, state.sequence, DEFAULT_PASSPHRASE, 100, timeout=600)
    payment.append_payment_op(Keypair.random().public_key, Asset.native(), "1")
    stranger = new_tx(Keypair.random().public_key, 1, DEFAULT_PASSPHRASE, 100, timeout=600)
    stranger.append_ed25519_public_key_signer(Keypair.random().public_key, 1)

    def change(weight: int = 1, low: int = 2, fee: int = 100, remove: bool = False) -> str:
        builder = new_tx(treasury, state.sequence, DEFAULT_PASSPHRASE, fee, timeout=600)
        for member in net.members if remove else net.members[:1]:
            builder.append_ed25519_public_key_signer(member.account, 0 if remove else weight)
        builder.append_set_options_op(low_threshold=low, med_threshold=2, high_threshold=2)
        return builder.build().to_xdr()

    cases = {
        "payment": (payment.build().to_xdr(), "not a DAO account's set_options"),
        "stranger": (stranger.build().to_xdr(), "source is not the treasury"),
        "garbage": ("AAAA not a transaction", "not a transaction of this network"),
        "weight-5": (change(weight=5), "not a key of weight 1 or 0"),
        "thresholds-1-2-2": (change(low=1), "thresholds to one M"),
        "fee-1-XLM-per-operation": (change(fee=10_000_000), "fee is above"),
        "every-signer-removed": (change(remove=True), "could not sign"),
    }
    for name, (xdr, why) in cases.items():
        file = tmp_path / f"{name}.xdr"
        file.write_text(xdr)
        code, refused = acenode("dao", "signers", "sign", file, "--data-dir", v0)
        assert code == 2, name
        assert why in refused, (name, refused)
        assert file.read_text() == xdr, name  # left as it was
