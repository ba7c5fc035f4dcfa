"""A busy ledger: the epoch's anchor and payments, whose fee the validators fixed when
they signed them, go in fee bumps that one validator pays alone.

The embedded ledger holds 5 operations a ledger (its queue: two ledgers' worth), and 24
accounts keep that queue full of 1-operation transactions bidding 1,000 stroops. A
transaction at the base fee of 100 is then refused with ``tx_insufficient_fee`` and the
fee that would let it in (stellar-core's transaction queue), as the test checks first.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from stellar_sdk import Account, FeeBumpTransactionEnvelope, Keypair, TransactionBuilder

from node.cli.acedao.ledger import send
from servicelayer.ledger.horizon import Horizon
from testnet.federation import LocalFederation
from tests.integration.federation.test_federation import NODE_ENV, owing, payouts, settled
from tests.integration.settlement.helpers import paid_by
from tests.integration.test_epoch_settlement import acedao
from tests.support import PASSPHRASE, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
LEDGER_OPS = 5
FLOODERS = 24
FLOOD_FEE = 1_000  # stroops per operation


class Flood:
    """``FLOODERS`` accounts, each submitting its next 1-operation transaction at
    ``FLOOD_FEE`` as soon as its last one is decided, until stopped."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.keys = [Keypair.random() for _ in range(FLOODERS)]
        self.stop = threading.Event()
        self.threads: list[threading.Thread] = []

    def fund(self) -> None:
        funder = Keypair.random()
        with Horizon(self.url) as ledger:
            ledger.fund(f"{self.url}/friendbot", funder.public_key)

            def create(builder: TransactionBuilder) -> TransactionBuilder:
                for key in self.keys:
                    builder.append_create_account_op(key.public_key, "100")
                return builder

            send(ledger, funder, PASSPHRASE, create, "creating the flooders")

    def start(self) -> None:
        self.threads = [threading.Thread(target=self._run, args=(k,)) for k in self.keys]
        for thread in self.threads:
            thread.start()

    def _run(self, key: Keypair) -> None:
        with Horizon(self.url) as ledger:
            while not self.stop.is_set():
                refused = ledger.submit(plain(ledger, key, FLOOD_FEE)).ok is False
                if refused:  # the queue is full: bid again in a while (load, not a wait)
                    self.stop.wait(0.5)

    def close(self) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=60)


def plain(ledger: Horizon, key: Keypair, fee: int) -> str:
    """``key``'s next transaction, one operation at ``fee`` stroops."""
    state = ledger.account(key.public_key)
    assert state is not None
    builder = TransactionBuilder(Account(key.public_key, state.sequence), PASSPHRASE, fee)
    tx = builder.append_bump_sequence_op(0).set_timeout(30).build()
    tx.sign(key)
    return tx.to_xdr()


@pytest.fixture
def busy(tmp_path: Path) -> Iterator[tuple[LocalFederation, Flood]]:
    net = LocalFederation(
        tmp_path / "net", round_seconds=3600, close_interval=1.0, env=NODE_ENV
    ).prepare()
    flood = Flood(net.ledger_url)
    try:
        flood.fund()
        assert net.ledger is not None
        net.ledger.stop()
        net.ledger.max_ops = LEDGER_OPS
        net.ledger.start()
        yield net, flood
    finally:
        flood.close()
        net.close()


def test_a_busy_ledger_takes_the_epochs_transactions_in_fee_bumps_a_validator_pays(
    busy: tuple[LocalFederation, Flood],
) -> None:
    net, flood = busy
    inputs, treasury = owing(net, 3)
    probe = Keypair.random()
    with Horizon(net.ledger_url) as ledger:  # this client does not fee-bump
        ledger.fund(f"{net.ledger_url}/friendbot", probe.public_key)
        flood.start()
        # a transaction at the base fee is refused once the queue is full
        refused = wait_for(
            lambda: (o := ledger.submit(plain(ledger, probe, 100))).ok is False and o,
            timeout=30,
            what="the flood to fill the queue",
        )
    assert refused.tx_code == "tx_insufficient_fee", refused
    assert refused.fee_charged is not None and refused.fee_charged > FLOOD_FEE
    net.start()
    for member in net.members:
        wait_for(lambda m=member: settled(m.url, inputs.epoch), timeout=180, what="settled")
    flood.close()
    assert paid_by(net.ledger_url, treasury) == inputs.owed
    validators = {m.account for m in net.members}
    record = httpx.get(f"{net.members[0].url}/v1/epochs/{inputs.epoch}", timeout=10).json()
    (payment,) = {p["tx_hash"] for p in payouts(net.members[0].url, inputs.epoch)}
    for tx_hash in (record["anchor_tx"], payment):
        found = httpx.get(f"{net.ledger_url}/transactions/{tx_hash}", timeout=10).json()
        envelope = TransactionBuilder.from_xdr(found["envelope_xdr"], PASSPHRASE)
        assert isinstance(envelope, FeeBumpTransactionEnvelope), tx_hash
        bump = envelope.transaction
        assert bump.fee_source.account_id in validators  # one validator paid, alone
        assert len(envelope.signatures) == 1
        inner = bump.inner_transaction_envelope
        assert inner.hash_hex() == tx_hash and len(inner.signatures) == 2  # M, unchanged
        assert bump.fee > FLOOD_FEE * (len(inner.transaction.operations) + 1)  # outbid
    # a member's audit finds the bumped anchor and payment on the ledger
    first = payouts(net.members[0].url, inputs.epoch)[0]["id"]
    common = ["--node", net.members[1].url, "--horizon", net.ledger_url]
    code, report = acedao("audit", "payout", first, *common)
    assert code == 0 and report["verified"], report
