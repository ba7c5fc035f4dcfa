"""Agreed inputs on three real validators (2 of 3) on loopback, the embedded ledger, one
validator's clock 20 s ahead (``clock_offset_seconds``): receipts posted to one validator, to
two, or to each in another order are each one leaf on all three, with one root; and a
validator refuses an input set that leaves out a batch it sealed before the cut-off,
which the next proposal then includes.

The epochs are one minute (the shortest: one receipt window); each test waits for a
fresh epoch so that its receipts are sealed well before the cut-off on every clock.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from node import settlement as wiring
from servicelayer.config import load_settings
from servicelayer.federation.members import leader
from servicelayer.federation.messages import Message, seal
from servicelayer.keys import load_key_file
from servicelayer.receipts.peer import ReceiptSigner
from testnet.epoch_inputs import content
from testnet.federation import LocalFederation
from tests.support import PASSPHRASE, make_signer, wait_for

pytestmark = pytest.mark.integration
EPOCH = 60
GRACE = 3
SKEWED = 2  # this validator's clock is 20 s ahead
NODE_ENV = {
    "ACENODE_EPOCHS__ENABLED": "true",
    "ACENODE_EPOCHS__INTERVAL_SECONDS": "1",
    "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": str(GRACE),
    "ACENODE_FEDERATION__RELAY_SECONDS": "1",
}


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalFederation]:
    federation = LocalFederation(
        tmp_path_factory.mktemp("agreed") / "net",
        epoch_seconds=EPOCH,
        round_seconds=10,
        env=NODE_ENV,
        clock_offsets={SKEWED: 20},
    ).prepare()
    federation.start()
    yield federation
    federation.close()


def fresh_epoch(left: int = 40) -> int:
    """The current epoch, once at least ``left`` seconds of it remain (by the true clock)."""
    return int(
        wait_for(
            lambda: time.time() // EPOCH if EPOCH - time.time() % EPOCH >= left else None,
            timeout=EPOCH,
            what="a fresh epoch",
        )
    )


def post(url: str, receipts: list[dict[str, Any]]) -> list[str]:
    answer = httpx.post(f"{url}/v1/receipts", json={"receipts": receipts}, timeout=10)
    assert answer.status_code == 200, answer.text
    results = answer.json()["results"]
    assert [r["status"] for r in results] == ["accepted"] * len(receipts), results
    return [r["id"] for r in results]


def anchored(url: str, epoch: int) -> dict[str, Any] | None:
    answer = httpx.get(f"{url}/v1/epochs/{epoch}", timeout=10)
    record = answer.json() if answer.status_code == 200 else {}
    return record if record.get("status") in ("anchored", "settled") else None


def leaves(url: str, epoch: int) -> list[str]:
    """The receipt ids of the epoch's verdicts (one leaf each)."""
    answer = httpx.get(f"{url}/v1/epochs/{epoch}/verdicts", timeout=10)
    assert answer.status_code == 200, answer.text
    return sorted(v["receipt_id"] for v in answer.json()["verdicts"])


def viewing(signer: ReceiptSigner, epoch: int, *totals: int) -> list[dict[str, Any]]:
    """One viewing session's receipts in the epoch's first window, one per total."""
    session = signer.viewing_session(content(0), epoch * EPOCH)
    return [signer.wire(session.update(total, epoch * EPOCH + 1)) for total in totals]


def test_each_receipt_is_one_leaf_on_every_validator_with_one_root_despite_a_skewed_clock(
    net: LocalFederation,
) -> None:
    a, b, c = (m.url for m in net.members)
    epoch = fresh_epoch()
    r1, r2, r3 = viewing(make_signer(), epoch, 10, 20, 30)  # one stream, one window
    (r4,) = viewing(make_signer(), epoch, 15)
    (r5,) = viewing(make_signer(), epoch, 25)
    ids = post(a, [r1, r2, r3, r4, r5])
    post(b, [r3, r1, r2, r5])
    post(c, [r2, r3, r1])
    records = [
        wait_for(lambda u=u: anchored(u, epoch), timeout=3 * EPOCH, what=f"{u} to anchor")
        for u in (a, b, c)
    ]
    assert len({(r["root"], r["anchor_tx"]) for r in records}) == 1
    # the stream's slot keeps its highest total, whoever got which first; r4 reached only
    # a, r5 a and b: each is one leaf everywhere
    expected = sorted([ids[2], ids[3], ids[4]])
    assert leaves(a, epoch) == leaves(b, epoch) == leaves(c, epoch) == expected


def test_a_validator_refuses_an_input_set_without_its_batch_and_the_next_one_has_it(
    net: LocalFederation,
) -> None:
    sealer, other, third = net.members
    epoch = fresh_epoch(left=30)
    wait_for(lambda: anchored(sealer.url, epoch - 1), timeout=2 * EPOCH, what="the last epoch")
    net.stop(1, 2)  # no input set can be agreed while the sealer is alone
    (receipt,) = viewing(make_signer(), epoch, 40)
    (rid,) = post(sealer.url, [receipt])
    cutoff = (epoch + 1) * EPOCH + GRACE
    wait_for(lambda: time.time() >= cutoff + 1, timeout=2 * EPOCH, what="the cut-off")

    # a leader's proposal that leaves the sealer's new batch out (every set empty)
    validators = sorted(m.account for m in net.members)
    round_ = next(r for r in range(3) if leader(validators, epoch, r) == other.account)
    settings = load_settings(sealer.directory)
    anchor = wiring.dao_keys(settings).public("anchor")
    sequence = int(httpx.get(f"{net.ledger_url}/accounts/{anchor}", timeout=10).json()["sequence"])
    body = {
        "what": "inputs",
        "account": anchor,
        "sequence": sequence + 1,
        "fee": 100,
        "sets": [[v, -1, ""] for v in validators],
        "hash": "0" * 64,
    }
    key = load_key_file(other.directory / "node.key")
    wire = seal(Message("sign", key.public_key, epoch, round_, body), key, PASSPHRASE)
    answer = httpx.post(f"{sealer.url}/v1/federation/sign", json=wire, timeout=30)
    assert answer.status_code == 409, answer.text
    assert answer.json()["error"] == "batch_left_out"

    net.start(1, 2)
    for member in (sealer, other, third):
        wait_for(lambda m=member: anchored(m.url, epoch), timeout=3 * EPOCH, what="anchored")
        assert rid in leaves(member.url, epoch)
