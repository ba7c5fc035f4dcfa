"""The node probes the swarms its receipts name, on real libtorrent sessions (loopback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from stellar_sdk import Keypair

from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.probes.evidence import evidence_loads
from servicelayer.probes.probe import SystemClock
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.probes.registry import register
from servicelayer.probes.service import ProbePolicy, probe_round
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.settings import loopback_settings
from servicelayer.receipts import network_id
from servicelayer.receipts.peer import ReceiptSigner
from servicelayer.storage import evidence_repo
from servicelayer.storage.db import Database
from testnet.swarm import KiB, MiB, make_torrent_fixture, start_leecher, start_seeder
from tests.support import PASSPHRASE, now

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NET = network_id(PASSPHRASE)
POLICY = ProbePolicy(rate_ppm=1_000_000, seconds=5, budget_bytes=256 * KiB, per_round=5)


def test_a_round_probes_each_sampled_swarm_once_and_sees_the_uploader(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    database.upgrade()
    fixture = make_torrent_fixture(tmp_path / "seed", size=1 * MiB, piece_size=32 * KiB)
    uploader, downloader = Keypair.random(), Keypair.random()
    with (
        start_seeder(fixture) as seeder,
        start_leecher(fixture, tmp_path / "leech", connect_to=[seeder.endpoint]) as leecher,
    ):
        leecher.wait_complete()
        t = now()
        reg = build_registration(
            uploader.public_key, seq=1, valid_until=t + 3600, endpoints=[str(seeder.endpoint)]
        )
        signer = ReceiptSigner(downloader, PASSPHRASE)
        session = signer.bandwidth_session(
            uploader.public_key, bytes.fromhex(fixture.infohash), t - 60
        )
        receipt = signer.wire(session.update(fixture.size, t))
        with database.session(write=True) as s:
            register(s, to_json(sign_registration(reg, uploader, NET), NET), NET, t)
            policy = IngestPolicy(NET, 120, 86_400, 125_000_000, 3600)
            assert ingest_batch(s, [receipt], policy, t)[0].status == "accepted"

        with TorrentSession(loopback_settings()) as torrents:
            node_key = Keypair.random()
            args = (database, torrents, node_key, NET, t // 3600, 3600, POLICY, SystemClock())
            assert probe_round(*args) == [fixture.infohash]
            assert probe_round(*args) == []  # already probed this epoch

    with database.session() as s:
        (row,) = evidence_repo.evidence_in(s, t // 3600)
        seed = evidence_repo.seed(s, t // 3600)
    evidence = evidence_loads(row.evidence)
    seen = {p.endpoint: p for p in evidence.peers}
    assert seen[str(seeder.endpoint)].answered and seen[str(seeder.endpoint)].payload_down > 0
    assert row.cost_bytes > 0
    assert row.ended_at == evidence.ended_at >= row.started_at
    assert seed is not None
    assert (
        Keypair.from_public_key(seed.signer).verify(
            b"ACE-PROBE-SEED-V1\x00" + NET + (t // 3600).to_bytes(8, "big"),
            bytes.fromhex(seed.signature),
        )
        is None
    )
