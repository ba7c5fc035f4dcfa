"""Receipts from a real libtorrent swarm are judged against the node's own probe of it."""

from __future__ import annotations

from pathlib import Path

import pytest
from stellar_sdk import Keypair

from servicelayer.epochs.verifying import verify_closed_epoch
from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.probes.probe import SystemClock
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.probes.registry import register
from servicelayer.probes.service import ProbePolicy, probe_round
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.settings import loopback_settings
from servicelayer.receipts import network_id
from servicelayer.receipts.peer import ReceiptSigner
from servicelayer.storage.db import Database
from testnet.processes import free_port
from testnet.swarm import KiB, MiB, make_torrent_fixture, start_leecher, start_seeder
from tests.support import PASSPHRASE, now

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NET = network_id(PASSPHRASE)


def test_honest_receipts_pass_and_fabricated_ones_fail(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    database.upgrade()
    fixture = make_torrent_fixture(tmp_path / "seed", size=2 * MiB, piece_size=32 * KiB)
    uploader, ghost, downloader = Keypair.random(), Keypair.random(), Keypair.random()
    signer = ReceiptSigner(downloader, PASSPHRASE)
    infohash = bytes.fromhex(fixture.infohash)
    with start_seeder(fixture) as seeder, start_leecher(
        fixture, tmp_path / "leech", connect_to=[seeder.endpoint]
    ) as leecher:
        leecher.wait_complete()
        received = leecher.payload_counters()[str(seeder.endpoint)][0]  # payload bytes in
        t = now()
        honest = signer.bandwidth_session(uploader.public_key, infohash, t - 60)
        inflated = signer.bandwidth_session(uploader.public_key, infohash, t - 60)
        absent = signer.bandwidth_session(ghost.public_key, infohash, t - 60)
        receipts = [
            signer.wire(honest.update(received, t)),
            signer.wire(inflated.update(received * 20, t)),
            signer.wire(absent.update(received, t)),
        ]
        with database.session(write=True) as s:
            for key, endpoint in ((uploader, str(seeder.endpoint)),
                                  (ghost, f"127.0.0.1:{free_port()}")):
                reg = build_registration(key.public_key, seq=1, valid_until=t + 3600,
                                         endpoints=[endpoint])
                register(s, to_json(sign_registration(reg, key, NET), NET), NET, t)
            policy = IngestPolicy(NET, 120, 86_400, 125_000_000, 3600)
            assert [r.status for r in ingest_batch(s, receipts, policy, t)] == ["accepted"] * 3
        with TorrentSession(loopback_settings()) as torrents:
            probe_round(database, torrents, Keypair.random(), NET, t // 3600, 3600,
                        ProbePolicy(1_000_000, 20, 256 * KiB, 5), SystemClock())
    with database.session(write=True) as s:
        result = verify_closed_epoch(s, t // 3600, 3600)
    verdicts = {v.receipt_id: v for v in result.verdicts}
    honest_v, inflated_v, absent_v = (verdicts[r["id"]] for r in receipts)
    print(honest_v, inflated_v, absent_v, sep="\n")
    assert honest_v.verdict == "accepted"
    assert inflated_v.verdict != "accepted"
    assert absent_v.verdict == "rejected"
