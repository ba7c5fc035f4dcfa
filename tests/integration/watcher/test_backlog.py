"""A node follows a ledger only as far as it has credited the treasury's payments: the
epochs' accounting waits for the followed ledger, so a payment in a ledger the node
reports as followed must already be credited (a backlog of more pages than one tick
reads included)."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from stellar_sdk import Asset, Keypair, Server, TransactionBuilder

from testnet.ledger.process import LedgerProcess
from tests.conftest import fresh_database
from tests.integration.issuance.helpers import acenode
from tests.integration.watcher.conftest import Watched, start_watched
from tests.integration.watcher.test_watcher import followed, funded
from tests.support import PASSPHRASE, wait_for

pytestmark = pytest.mark.integration
OPS = 100  # payments per transaction (Stellar's maximum)
PAYMENTS = 2 * OPS + 1  # one more than a page of 200


@pytest.fixture(scope="module")
def slow(ledger: LedgerProcess, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Watched]:
    """A watcher that reads one page of payments per tick, every 2 seconds."""
    root = tmp_path_factory.mktemp("backlog")
    with fresh_database("sqlite", root / "node.sqlite3") as url:
        env = {"ACENODE_WATCHER__MAX_PAGES": "1", "ACENODE_WATCHER__INTERVAL_SECONDS": "2"}
        started = start_watched(root, url, ledger, **env)
        yield started
        if started.node.running:
            assert started.node.stop() == 0, started.node.output()


def pay_many(watched: Watched, payer: Keypair, count: int) -> list[int]:
    """``count`` payments of 0.1 XLM to the treasury, 100 per transaction; their ledgers."""
    ledgers = []
    with Server(watched.ledger.url) as server:
        while count:
            n = min(count, OPS)
            builder = TransactionBuilder(
                server.load_account(payer.public_key), PASSPHRASE, base_fee=100
            ).set_timeout(60)
            for _ in range(n):
                builder.append_payment_op(watched.treasury, Asset.native(), "0.1")
            envelope = builder.build()
            envelope.sign(payer)
            answer = server.submit_transaction(envelope)
            assert answer["successful"] is True
            ledgers += [int(answer["ledger"])] * n
            count -= n
    return ledgers


def test_a_ledger_is_followed_only_once_its_payments_are_credited(slow: Watched) -> None:
    payer = funded(slow)
    assert slow.node.stop() == 0, slow.node.output()
    ledgers = pay_many(slow, payer, PAYMENTS)  # while the node is down: a backlog
    slow.node.start()

    def mine() -> int:
        args = ["treasury", "payments", "-d", str(slow.directory), "--json", "--limit", "1000"]
        done = acenode(*args)
        assert done.returncode == 0, done.stderr
        rows = json.loads(done.stdout)["payments"]
        return sum(1 for r in rows if r["source"] == payer.public_key)

    def check() -> bool:
        ledger = followed(slow) or 0  # first the followed ledger, then what is credited
        credited = mine()
        assert credited >= sum(1 for at in ledgers if at <= ledger), (ledger, credited)
        return credited == PAYMENTS and ledger >= max(ledgers)

    wait_for(check, 60, "every payment credited and its ledger followed")
