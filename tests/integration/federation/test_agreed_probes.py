"""Probe evidence and registrations agreed on three real validators (2 of 3) on loopback,
with real libtorrent swarms: each validator probes the swarm its batches name, seals what
its probe saw, and every validator judges the epoch's receipts by the union of that
evidence, under one name per probe, so all three reach one root.

A seeder (the uploader's) serves a leecher (the downloader's); each registers its endpoint
at one validator only, and the downloader's receipts go to another: no validator
holds in its tables, while the epoch runs, what its probes must look at.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from stellar_sdk import Keypair

from servicelayer.federation.batches import SealedBatch
from servicelayer.federation.messages import member_authorization
from servicelayer.keys import load_key_file
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.receipts import network_id
from servicelayer.receipts.peer import ReceiptSigner
from testnet.federation import LocalFederation
from testnet.swarm import KiB, MiB, make_torrent_fixture, start_leecher, start_seeder
from tests.support import PASSPHRASE, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EPOCH = 60
GRACE = 30  # a probe of the epoch's last window ends (and is sealed) before the cut-off
NODE_ENV = {
    "ACENODE_EPOCHS__ENABLED": "true",
    "ACENODE_EPOCHS__INTERVAL_SECONDS": "1",
    "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": str(GRACE),
    "ACENODE_FEDERATION__RELAY_SECONDS": "1",
    "ACENODE_PROBES__ENABLED": "true",
    "ACENODE_PROBES__INTERVAL_SECONDS": "2",
    "ACENODE_PROBES__SERVICE_SECONDS": "4",
}
NET = network_id(PASSPHRASE)


@pytest.fixture(scope="module")
def net(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalFederation]:
    federation = LocalFederation(
        tmp_path_factory.mktemp("probes") / "net",
        epoch_seconds=EPOCH,
        round_seconds=10,
        env=NODE_ENV,
    ).prepare()
    federation.start()
    yield federation
    federation.close()


def verdicts(url: str, epoch: int) -> list[dict[str, Any]]:
    answer = httpx.get(f"{url}/v1/epochs/{epoch}/verdicts", timeout=10)
    assert answer.status_code == 200, answer.text
    return sorted(answer.json()["verdicts"], key=lambda v: v["receipt_id"])


def anchored(url: str, epoch: int) -> dict[str, Any] | None:
    answer = httpx.get(f"{url}/v1/epochs/{epoch}", timeout=10)
    record = answer.json() if answer.status_code == 200 else {}
    return record if record.get("status") in ("anchored", "settled") else None


def probed_by(net: LocalFederation, url: str, reader: Keypair, infohash: str) -> set[str]:
    """The validators whose batches, as the validator at ``url`` holds them, carry a
    probe's evidence of the swarm."""
    found = set()
    validators = [m.account for m in net.members]
    for sealer in validators:
        answer = httpx.get(
            f"{url}/v1/federation/batches/{sealer}",
            headers={"Authorization": member_authorization(reader, PASSPHRASE, int(time.time()))},
            timeout=10,
        )
        assert answer.status_code == 200, answer.text
        for wire in answer.json()["batches"]:
            batch = SealedBatch.open(wire, PASSPHRASE, validators)
            if any(item["evidence"]["infohash"] == infohash for item in batch.evidence):
                found.add(sealer)
    return found


def test_every_validator_judges_by_every_validators_probes_and_they_agree(
    net: LocalFederation, tmp_path: Path
) -> None:
    a, b, c = net.members
    uploader, downloader = Keypair.random(), Keypair.random()
    fixture = make_torrent_fixture(tmp_path / "video", size=1 * MiB, piece_size=16 * KiB)
    infohash = bytes.fromhex(fixture.infohash)
    # a whole epoch ahead: the swarm is probed in this epoch's windows
    epoch = int(
        wait_for(
            lambda: time.time() // EPOCH if EPOCH - time.time() % EPOCH >= 45 else None,
            timeout=EPOCH,
            what="a fresh epoch",
        )
    )
    with (
        start_seeder(fixture, upload_rate_limit=64 * KiB) as seeder,
        start_leecher(fixture, tmp_path / "leecher", connect_to=[seeder.endpoint]) as leecher,
    ):
        t = int(time.time())
        for member, account, peer in ((a, uploader, seeder), (c, downloader, leecher)):
            reg = build_registration(account.public_key, 1, t + 3600, [str(peer.endpoint)])
            answer = httpx.post(
                f"{member.url}/v1/registrations",
                json=to_json(sign_registration(reg, account, NET), NET),
                timeout=10,
            )
            assert answer.status_code == 202 and answer.json()["status"] == "sealed", answer.text
        signer = ReceiptSigner(downloader, PASSPHRASE)
        stream = signer.bandwidth_session(uploader.public_key, infohash, t)
        received = 1
        post(b.url, [signer.wire(stream.update(received, t))])  # names the swarm
        deadline = (epoch + 1) * EPOCH - 5
        while time.time() < deadline and received < fixture.size:
            got = leecher.payload_counters().get(str(seeder.endpoint), (0, 0))[0]
            if got > received:
                received = got
                post(b.url, [signer.wire(stream.update(received, int(time.time())))])
            time.sleep(1)  # a peer signs its progress every second or so
        assert received >= 256 * KiB, "the leecher got a good part of the video"
        # the seeder stays up for the probes until the epoch ends
        wait_for(lambda: time.time() >= (epoch + 1) * EPOCH, timeout=EPOCH, what="epoch end")

    records = [
        wait_for(lambda m=m: anchored(m.url, epoch), timeout=4 * EPOCH, what=f"{m.url} anchored")
        for m in net.members
    ]
    assert len({r["root"] for r in records}) == 1
    judged = [verdicts(m.url, epoch) for m in net.members]
    assert judged[0] == judged[1] == judged[2]
    (last,) = judged[0]  # one stream, one window: one slot, its last receipt
    assert last["verdict"] == "accepted", (last["reasons"], last["evidence"])
    # accepted: a probe vetted the uploader in the epoch (a fresh uploader's receipts are
    # deferred until one does); every validator judged by the probes of all three
    reader = load_key_file(a.directory / "node.key")
    assert probed_by(net, c.url, reader, fixture.infohash) == {m.account for m in net.members}
    document = httpx.get(f"{a.url}/openapi.json", timeout=10).json()
    assert set(document["paths"]["/v1/registrations"]["post"]["responses"]) >= {"202", "409"}
    assert "200" not in document["paths"]["/v1/registrations"]["post"]["responses"]
    for member in net.members:  # each registered at one validator, registered on all three
        for account in (uploader, downloader):
            answer = httpx.get(f"{member.url}/v1/registrations/{account.public_key}", timeout=10)
            assert answer.status_code == 200 and answer.json()["seq"] == 1, answer.text


def post(url: str, receipts: list[dict[str, Any]]) -> None:
    answer = httpx.post(f"{url}/v1/receipts", json={"receipts": receipts}, timeout=10)
    assert answer.status_code == 200, answer.text
    assert [r["status"] for r in answer.json()["results"]] == ["accepted"] * len(receipts)
