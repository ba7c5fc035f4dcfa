"""The ledger watcher's Horizon reader against the standalone ledger's Horizon front."""

from __future__ import annotations

from pathlib import Path

import pytest
from stellar_sdk import Asset, ChangeTrust, Keypair, Payment

from contracts.core import NATIVE
from contracts.core import Asset as ContractAsset
from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.horizon import Horizon
from servicelayer.ledger.records import payment_of
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import watcher_repo
from servicelayer.storage.db import Database
from servicelayer.watcher.service import Watcher, followed
from tests.integration.ledger.conftest import RunningHorizon
from tests.integration.ledger.test_horizon_sdk import fund, pay

pytestmark = pytest.mark.integration


def test_the_feed_reads_head_payments_and_holders(horizon: RunningHorizon) -> None:
    feed = Horizon(horizon.url)
    try:
        issuer, alice, bob = fund(horizon), fund(horizon), fund(horizon)
        token = Asset("GOV", issuer.public_key)
        for holder in (alice, bob):
            horizon.server.submit_transaction(pay(horizon, holder, [ChangeTrust(token)]))
        sent = horizon.server.submit_transaction(
            pay(
                horizon,
                issuer,
                [Payment(alice.public_key, token, "7"), Payment(bob.public_key, token, "0.5")],
                memo="prepaid",
            )
        )
        head = feed.head()
        assert head.sequence >= sent["ledger"] and head.closed_at > 0

        holders, newest = feed.holders(ContractAsset("GOV", issuer.public_key))
        assert holders == {alice.public_key: 70_000_000, bob.public_key: 5_000_000}
        assert newest == sent["ledger"]

        records = feed.payments(alice.public_key, "")
        assert [r["type"] for r in records] == ["create_account", "payment"]
        last = payment_of(records[-1])
        assert last is not None and last.problem == ""
        assert (last.asset, last.amount, last.memo.text, last.tx_hash) == (
            ContractAsset("GOV", issuer.public_key),
            70_000_000,
            "prepaid",
            sent["hash"],
        )
        assert feed.payments(alice.public_key, last.paging_token) == []
        assert feed.payments(Keypair.random().public_key, "") == []  # not on the ledger
    finally:
        feed.close()


def test_a_watcher_tick_in_process_and_a_reset_ledger(
    horizon: RunningHorizon, tmp_path: Path
) -> None:
    database = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    database.upgrade()
    runtime = ContractRuntime([load_spec(name) for name in DEFAULT_CONTRACTS])

    def write(work):  # type: ignore[no-untyped-def]
        with database.session(write=True) as session:
            return work(session)

    treasury, member = fund(horizon), fund(horizon)
    feed = Horizon(horizon.url)
    watcher = Watcher(
        feed, database, runtime, write, treasury=lambda: treasury.public_key, epoch_seconds=3600
    )
    try:
        sent = horizon.server.submit_transaction(
            pay(horizon, member, [Payment(treasury.public_key, Asset.native(), "2")], memo="sub")
        )
        report = watcher.tick()
        assert report.payments == ["credited"] and report.ledger >= sent["ledger"]
        assert watcher.tick().payments == []  # once
        with database.session() as s:
            head = followed(s)
            assert head is not None and head.sequence >= report.ledger > 1
            credits = runtime.current(s, "subscriptions")[0].credits
        assert credits == {(member.public_key, NATIVE): 20_000_000}

        with database.session(write=True) as s:  # as if it had followed a longer ledger
            watcher_repo.set_mark(s, watcher_repo.FOLLOWED, ledger=10**6, closed_at=1)
        with pytest.raises(LedgerUnavailable, match="reset ledger"):
            watcher.tick()
    finally:
        feed.close()
        database.dispose()
