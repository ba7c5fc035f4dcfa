"""A running node takes an epoch through every step: its payouts are paid on the ledger,
its root is anchored, and a member's audit checks both without trusting the node."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from stellar_sdk import Keypair

from contracts.access import ActionSetAccessPrice, ReceiveAccessPayment
from contracts.catalog import ActionPublish
from contracts.core import NATIVE, Context
from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.receipts import network_id
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage.db import Database
from servicelayer.storage.epoch_models import EpochRecord
from tests.support import PASSPHRASE, NodeProcess, make_signer, mid_previous_epoch, now, wait_for

pytestmark = pytest.mark.integration
CONTENT = bytes(range(20))
PRICE = 50_000_000


def acedao(*args: str) -> tuple[int, dict[str, Any]]:
    done = subprocess.run(
        [sys.executable, "-m", "node.cli.acedao_main", *args, "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done.returncode, json.loads(done.stdout) if done.stdout.strip() else {}


def test_an_epoch_is_settled_anchored_and_audited(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    provider, viewer = make_signer(), make_signer()
    t = mid_previous_epoch()
    epoch = t // 3600
    db = Database(url)
    db.upgrade()
    rt = ContractRuntime([load_spec(name) for name in DEFAULT_CONTRACTS])
    ctx = Context(epoch=epoch, close_time=t - 300, seed=b"")
    with db.session(write=True) as s:  # a purchase in the epoch, before the node starts
        rt.apply(s, "catalog", [ActionPublish(CONTENT.hex(), "Film", (), provider.account)], ctx)
        rt.apply(
            s,
            "access",
            [
                ActionSetAccessPrice(provider.account, CONTENT.hex(), PRICE, NATIVE, 86_400),
                ReceiveAccessPayment(viewer.account, CONTENT.hex(), NATIVE, PRICE, "pay-1"),
            ],
            ctx,
        )
        policy = IngestPolicy(network_id(PASSPHRASE), 120, 7 * 86_400, 125_000_000, 3600)
        watched = viewer.wire(viewer.viewing_session(CONTENT, t - 120).update(60, t))
        assert ingest_batch(s, [watched], policy, now())[0].status == "accepted"
    db.dispose()
    node = NodeProcess(
        tmp_path / "node",
        url,
        ACENODE_EPOCHS__ENABLED="true",
        ACENODE_EPOCHS__INTERVAL_SECONDS="1",
        ACENODE_EPOCHS__CLOSE_GRACE_SECONDS="0",
        ACENODE_STELLAR__LEDGER_CLOSE_SECONDS="0.2",
    )
    node.start()
    try:

        def anchored() -> dict[str, Any] | None:
            with node.client() as c:
                answer = c.get(f"/v1/epochs/{epoch}")
            record: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
            return record if record.get("status") == "settled" else None

        record = wait_for(anchored, timeout=120, what="the node to anchor the epoch")
        with node.client() as c:
            payouts = c.get(f"/v1/epochs/{epoch}/payouts").json()["payouts"]
        assert [(p["kind"], p["account"], p["amount"]) for p in payouts] == [
            ("revenue", provider.account, PRICE * 8 // 10)
        ]
        assert payouts[0]["status"] in ("paid", "paid_as_claimable_balance")
        assert record["payouts"] == 1 and record["anchor_tx"] and record["root"]

        common = ["--node", node.url, "--horizon", node.horizon_url]
        code, report = acedao("audit", "payout", payouts[0]["id"], *common)
        assert code == 0 and report["verified"], report
        code, report = acedao("audit", "receipt", watched["id"], *common)
        assert code == 0 and report["verified"], report
        # pinning the wrong anchor account fails the audit
        stranger = Keypair.random().public_key
        code, report = acedao("audit", "receipt", watched["id"], *common, "--anchor", stranger)
        assert code == 1 and not report["verified"]
        failed = [c["check"] for c in report["checks"] if not c["ok"]]
        assert failed == ["anchored by the DAO's anchor account"]
        # the epoch replays: contracts, root, plan and every transaction hash identical
        replayed = replay_json(epoch, node.data_dir, url)
        assert replayed["identical"] and replayed["actions"] >= 5
    finally:
        assert node.stop() == 0, node.output()
    db = Database(url)
    with db.session(write=True) as s:  # a forged root no longer matches the leaves
        forged = s.get(EpochRecord, epoch)
        assert forged is not None
        forged.root = "00" * 32
    db.dispose()
    replayed = replay_json(epoch, node.data_dir, url)
    assert not replayed["identical"]
    assert {m["what"] for m in replayed["mismatches"]} == {"root", "anchor memo"}


def replay_json(epoch: int, data_dir: Path, url: str) -> dict[str, Any]:
    cmd = [sys.executable, "-m", "node", "epochs", "replay", str(epoch), "--data-dir"]
    cmd += [str(data_dir), "--database-url", url, "--json"]
    done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert done.returncode in (0, 1), done.stderr
    result: dict[str, Any] = json.loads(done.stdout)
    assert (done.returncode == 0) == result["identical"]
    return result
