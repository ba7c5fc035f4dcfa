"""stellar-core's TRY_AGAIN_LATER as Horizon's POST /transactions shows it: Horizon treats
the transaction as submitted and waits for its hash to appear in a ledger, answering 504
at its time-out."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
from stellar_sdk import Asset, Payment

from testnet.ledger import StandaloneLedger
from testnet.ledger.front.server import HorizonServer
from testnet.processes import wait_for
from tests.ledger.helpers import build, make_funded_account


@pytest.fixture
def manual(tmp_path: Path) -> Iterator[tuple[StandaloneLedger, str]]:
    """A ledger closed by the test, behind a Horizon that waits 3 s for a submission."""
    ledger = StandaloneLedger.open(data_dir=tmp_path, close_interval=None)
    server = HorizonServer(ledger, submit_timeout=3.0)
    try:
        yield ledger, server.start().rstrip("/")
    finally:
        server.stop()
        ledger.close()


def _two_payments(ledger: StandaloneLedger) -> tuple[str, str]:
    """Two payments of one account, at its next two sequence numbers."""
    payer = make_funded_account(ledger)
    op = Payment(ledger.root_keypair.public_key, Asset.native(), "1")
    seq = ledger.account(payer.public_key).seq_num  # type: ignore[union-attr]
    first = build(ledger, payer, [op], seq=seq).to_xdr()
    return first, build(ledger, payer, [op], seq=seq + 1).to_xdr()


def _post(url: str, envelope: str) -> httpx.Response:
    return httpx.post(f"{url}/transactions", data={"tx": envelope}, timeout=30)


def test_a_second_transaction_of_a_queued_source_times_out(
    manual: tuple[StandaloneLedger, str],
) -> None:
    ledger, url = manual
    first, second = _two_payments(ledger)
    queued = ledger.submit_async(first)
    answer = _post(url, second)
    assert answer.status_code == 504 and answer.json()["type"].endswith("/timeout")
    ledger.close_ledger()
    assert queued.result(1).successful
    assert ledger.store.transaction(ledger.envelope_hash(second)) is None  # never applied


def test_the_wait_ends_when_the_transaction_lands_after_all(
    manual: tuple[StandaloneLedger, str],
) -> None:
    ledger, url = manual
    first, second = _two_payments(ledger)
    ledger.submit_async(first)
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(_post, url, second)
        wait_for(lambda: ledger.try_again_later == 1, what="the queue's refusal")
        ledger.close_ledger()  # the first applies; Horizon still waits for the second
        resubmitted = ledger.submit_async(second)  # now the queue admits it
        ledger.close_ledger()
        answer = waiting.result(10)
    assert resubmitted.result(1).successful
    assert answer.status_code == 200 and answer.json()["successful"] is True
