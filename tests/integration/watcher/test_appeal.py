"""An appeal end to end on a test network with 30-second votes: the DAO delists a film,
a member appeals with `acedao appeal` (a bond paid to the treasury on the ledger), the
node's watcher files the appeal and the film is hidden, not destroyed, while it runs."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from stellar_sdk import Asset, ChangeTrust, Payment, Server

from testnet.ledger.process import LedgerProcess
from tests.api.helpers import Member, infohash, vote_body
from tests.integration.settlement.helpers import submit
from tests.integration.watcher.conftest import Watched, node_key, start_watched
from tests.integration.watcher.test_watcher import followed, funded
from tests.support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
SHORT_VOTES = {"gov.voting_period_s": 30, "gov.freeze_s": 0, "gov.timelock_s": 0}


@pytest.fixture(scope="module")
def quick(ledger: LedgerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watched]:
    root = tmp_path_factory.mktemp("appeal")
    started = start_watched(
        root,
        f"sqlite:///{root / 'node.sqlite3'}",
        ledger,
        ACENODE_GENESIS__DAO_PARAMS=json.dumps(SHORT_VOTES),
        ACENODE_GOVERNANCE__INTERVAL_SECONDS="1",
    )
    yield started
    assert started.node.stop() == 0, started.node.output()


def acedao(key_file: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "node.cli.acedao_main", *args, "--key-file", str(key_file)],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_an_appeal_bond_on_the_ledger_hides_the_delisted_film(
    quick: Watched, tmp_path: Path
) -> None:
    provider, member = Member(quick.node), Member(quick.node, funded(quick))
    code, issuer = quick.governance
    submit(quick.ledger.url, member.account, [ChangeTrust(Asset(code, issuer))], [member.keypair])
    gov = [Payment(member.account, Asset(code, issuer), "100")]
    submit(quick.ledger.url, quick.distribution, gov, [node_key(quick.directory)])
    film = infohash()
    assert provider.post("/v1/catalog", {"infohash": film, "title": "Film"}).status_code == 201

    def proposal(pid: int) -> dict[str, Any]:
        found: dict[str, Any] = member.get(f"/v1/proposals/{pid}").json()
        return found

    with Server(quick.ledger.url) as server:
        now = server.ledgers().order(desc=True).limit(1).call()["_embedded"]["records"][0]
    # the proposal starts at a ledger the node followed after the tokens moved
    wait_for(lambda: followed(quick) > now["sequence"], 20, "the watcher")
    created = member.post("/v1/proposals", {"kind": "delist", "target": film})
    assert created.status_code == 201, created.text
    pid = created.json()["id"]
    wait_for(lambda: proposal(pid)["snapshot_recorded"], 30, "the balance snapshot")
    voted = member.post(f"/v1/proposals/{pid}/votes", vote_body(member.keypair, pid, "yes"))
    assert voted.status_code == 201, voted.text
    key_file = tmp_path / "member.key"
    key_file.write_text(member.keypair.secret + "\n")
    key_file.chmod(0o600)
    early = acedao(key_file, "appeal", str(pid), "--node", quick.node.url)
    assert early.returncode == 2 and "only an executed delisting" in early.stderr  # voting
    wait_for(lambda: proposal(pid)["status"] == "executed", 120, "the delisting")
    assert member.get(f"/v1/catalog/{film}").json()["status"] == "delisted"
    done = acedao(key_file, "appeal", str(pid), "--node", quick.node.url, "--json")
    assert done.returncode == 0, done.stdout + done.stderr
    paid = json.loads(done.stdout)
    assert (paid["treasury"], paid["bond"]) == (quick.treasury, 1_000_000_000)

    def filed() -> dict[str, Any] | None:
        page = member.get("/v1/proposals").json()
        found = [p for p in page if p["kind"] == "appeal" and p["target"] == film]
        return found[0] if found else None

    appeal = wait_for(filed, 30, "the node to file the appeal")
    assert appeal["proposer"] == member.account
    assert member.get(f"/v1/catalog/{film}").json()["status"] == "hidden"  # not destroyed
