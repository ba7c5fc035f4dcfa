"""The ledger watcher's Horizon reader against the standalone ledger's Horizon front."""

from __future__ import annotations

import pytest
from stellar_sdk import Asset, ChangeTrust, Keypair, Payment

from contracts.core import Asset as ContractAsset
from servicelayer.watcher.horizon import LedgerFeed, payment_of
from tests.integration.ledger.conftest import RunningHorizon
from tests.integration.ledger.test_horizon_sdk import fund, pay

pytestmark = pytest.mark.integration


def test_the_feed_reads_head_payments_and_holders(horizon: RunningHorizon) -> None:
    feed = LedgerFeed(horizon.url)
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
