"""DAO governance on three real validators (2 of 3) on loopback, the embedded ledger and a
governance token issued before the first epoch (``[genesis.governance]``): a proposal
sealed by one validator, votes sealed by the others, and every validator records the
same balance snapshot (agreed with the next epoch's input set), counts the same votes
and carries out the same decision at the same close; a voted mint is paid by the issuer
in the next epoch's settlement plan, with two validators' signatures.

Epochs are one minute; votes last 80 s, so a proposal sealed in the first 40 s of an
epoch is voted on in the next one (its votes sealed past the epoch's cut-off are applied
after its snapshot) and counted when that one closes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from stellar_sdk import Asset, ChangeTrust, Keypair, Payment

from servicelayer.keys import load_key_file
from testnet.federation import LocalFederation
from tests.api.helpers import vote_body
from tests.integration.federation.test_agreed_inputs import anchored, signed
from tests.integration.federation.test_federation import payouts, settled, signatures
from tests.integration.settlement.helpers import submit
from tests.support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EPOCH = 60
GRACE = 3
GOV = ("GOV", 1_000 * 10**7, 2_000 * 10**7)  # code, issued at genesis, cap
MINTED = 500 * 10**7
VOTES = {"gov.voting_period_s": 80, "gov.freeze_s": 0, "gov.timelock_s": 0}
NODE_ENV = {
    "ACENODE_EPOCHS__ENABLED": "true",
    "ACENODE_EPOCHS__INTERVAL_SECONDS": "1",
    "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": str(GRACE),
    "ACENODE_FEDERATION__RELAY_SECONDS": "1",
    "ACENODE_GENESIS__DAO_PARAMS": json.dumps(VOTES),
}


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalFederation]:
    root = tmp_path_factory.mktemp("governed")
    federation = LocalFederation(
        root / "net", epoch_seconds=EPOCH, round_seconds=10, env=NODE_ENV, governance=GOV
    ).prepare()
    federation.start()
    yield federation
    federation.close()


def holder(net: LocalFederation, tokens: int) -> Keypair:
    """A funded member holding ``tokens`` GOV, sent from the DAO's distribution account
    with two validators' signatures (its signers)."""
    who = Keypair.random()
    funded = httpx.get(f"{net.ledger_url}/friendbot", params={"addr": who.public_key})
    assert funded.status_code == 200, funded.text
    dao = httpx.get(f"{net.members[0].url}/v1/dao", timeout=10).json()["accounts"]
    gov = Asset(GOV[0], dao["issuer"])
    submit(net.ledger_url, who.public_key, [ChangeTrust(gov)], [who])
    keys = [load_key_file(m.directory / "node.key") for m in net.members[:2]]
    submit(net.ledger_url, dao["distribution"], [Payment(who.public_key, gov, str(tokens))], keys)
    return who


def proposal(url: str, pid: int) -> dict[str, Any] | None:
    answer = httpx.get(f"{url}/v1/proposals/{pid}", timeout=10)
    return answer.json() if answer.status_code == 200 else None


def test_a_proposal_is_voted_and_carried_out_alike_on_every_validator(
    net: LocalFederation, tmp_path: Path
) -> None:
    a, b, c = (m.url for m in net.members)
    yes, no = holder(net, 60), holder(net, 40)
    outsider = Keypair.random()
    epoch = int(
        wait_for(
            # past the cut-off of the epoch before (its end plus the grace), early enough
            # for the vote to end before the next epoch's cut-off
            lambda: time.time() // EPOCH if GRACE + 1 < time.time() % EPOCH < 40 else None,
            timeout=EPOCH + 10,
            what="an epoch's first seconds",
        )
    )
    change = {"kind": "param", "target": "reward.min_payout", "value": 5_000_000}
    sealed = signed(a, yes, "POST", "/v1/proposals", change, "p1")
    assert sealed.status_code == 202, sealed.text
    assert sealed.json()["status"] == "sealed"
    # a vote sealed in the same epoch, in a later second (batches of the same second are
    # applied in sealer order), is applied before the proposal has its snapshot
    after = sealed.json()["sealed_at"] + 1
    wait_for(lambda: time.time() >= after, timeout=5, what="the next second")
    early = signed(b, no, "POST", "/v1/proposals/1/votes", vote_body(no, 1, "no"), "v0")
    assert early.status_code == 202, early.text
    accounts = httpx.get(f"{a}/v1/dao", timeout=10).json()["accounts"]
    gov, distribution = f"{GOV[0]}:{accounts['issuer']}", accounts["distribution"]
    more = {"kind": "mint", "asset": gov, "recipient": distribution, "value": MINTED}
    minting = signed(b, yes, "POST", "/v1/proposals", more, "p2")
    assert minting.status_code == 202, minting.text
    # votes of the next epoch: sealed past the proposal's epoch's cut-off
    cutoff = (epoch + 1) * EPOCH + GRACE
    wait_for(lambda: time.time() >= cutoff + 1, timeout=EPOCH, what="the cut-off")
    for url, who, pid, choice, key in (
        (b, yes, 1, "yes", "v1"),
        (c, no, 1, "no", "v2"),
        (a, yes, 2, "yes", "v4"),
    ):
        path = f"/v1/proposals/{pid}/votes"
        cast = signed(url, who, "POST", path, vote_body(who, pid, choice), key)
        assert cast.status_code == 202, cast.text
    nobody = signed(
        c, outsider, "POST", "/v1/proposals/1/votes", vote_body(outsider, 1, "no"), "v3"
    )
    assert nobody.status_code == 202, nobody.text
    made = wait_for(lambda: proposal(c, 1), timeout=EPOCH, what="the proposal on c")
    assert made["proposer"] == yes.public_key
    for url in (a, b, c):
        wait_for(lambda u=url: anchored(u, epoch + 1), timeout=3 * EPOCH, what=f"{url} to anchor")
    counted = [proposal(url, 1) for url in (a, b, c)]
    assert counted[0] == counted[1] == counted[2]
    done = counted[0]
    assert done is not None and done["status"] == "executed", done
    supply = 100 * 10**7  # what the two members hold; the DAO's own holdings have no vote
    assert done["tally"]["total_supply"] == supply
    assert (done["tally"]["yes"], done["tally"]["no"]) == (60 * 10**7, 40 * 10**7)
    assert sorted((v["voter"], v["choice"]) for v in done["votes"]) == sorted(
        [(yes.public_key, "yes"), (no.public_key, "no")]
    )
    for url in (a, b, c):
        dao = httpx.get(f"{url}/v1/dao", timeout=10).json()
        assert dao["params"]["reward.min_payout"] == 5_000_000
    # the early vote and the outsider's were refused alike, each under its key
    again = signed(b, no, "POST", "/v1/proposals/1/votes", vote_body(no, 1, "no"), "v0")
    assert (again.status_code, again.json()["error"]) == (409, "snapshot_pending")
    weightless = signed(
        c, outsider, "POST", "/v1/proposals/1/votes", vote_body(outsider, 1, "no"), "v3"
    )
    assert weightless.json()["error"] == "no_voting_power"
    # the mint, executed at the same close, is paid by the issuer in the next epoch's plan
    assert [(proposal(url, 2) or {}).get("status") for url in (a, b, c)] == ["executed"] * 3
    for url in (a, b, c):
        wait_for(lambda u=url: settled(u, epoch + 2), timeout=3 * EPOCH, what=f"{url} to pay")
    seen = [[p for p in payouts(url, epoch + 2) if p["kind"] == "mint"] for url in (a, b, c)]
    assert seen[0] == seen[1] == seen[2] and len(seen[0]) == 1, seen
    (mint,) = seen[0]
    assert (mint["account"], mint["asset"], mint["amount"]) == (distribution, gov, MINTED)
    assert (mint["source"], mint["status"]) == (accounts["issuer"], "paid")
    assert signatures(net.ledger_url, mint["tx_hash"])[0] == 2
    held = httpx.get(f"{net.ledger_url}/accounts/{distribution}", timeout=10).json()
    (line,) = [x for x in held["balances"] if x.get("asset_code") == GOV[0]]
    assert line["balance"] == "1400.0000000"  # 1,000 issued, 100 sent to members, 500 minted


def test_a_validators_operator_cannot_change_an_asset_alone(net: LocalFederation) -> None:
    """Assets change by DAO vote on a federation: a validator's own `acenode assets mint`
    would change its contract state only (and it holds one key of M)."""
    here = str(net.members[0].directory)
    run = [sys.executable, "-m", "node", "assets"]
    refused = subprocess.run(
        [*run, "mint", GOV[0], "--amount", "1", "--data-dir", here],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert refused.returncode == 2, refused.stderr
    assert "federation validator" in refused.stderr
    listed = subprocess.run(
        [*run, "list", "--json", "--data-dir", here],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert listed.returncode == 0, listed.stderr
    assert [a["code"] for a in json.loads(listed.stdout)["assets"]] == [GOV[0]]
