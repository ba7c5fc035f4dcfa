"""The node probes each window's active swarms concurrently, on real libtorrent sessions
(loopback), and records each probe run."""

from __future__ import annotations

from pathlib import Path

import pytest
from stellar_sdk import Keypair

from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.probes import runs
from servicelayer.probes.evidence import evidence_loads
from servicelayer.probes.probe import SystemClock
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.probes.registry import register
from servicelayer.probes.service import ProbePolicy, ProbeRunner, probe_window
from servicelayer.probes.session import SharedSession, TorrentSession
from servicelayer.probes.settings import loopback_settings
from servicelayer.receipts import network_id
from servicelayer.receipts.peer import ReceiptSigner
from servicelayer.storage import evidence_repo
from servicelayer.storage.db import Database
from testnet.swarm import KiB, MiB, make_torrent_fixture, start_seeder
from tests.support import PASSPHRASE, now

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NET = network_id(PASSPHRASE)
POLICY = ProbePolicy(seconds=5, budget_bytes=256 * KiB, max_concurrent=4)


def test_two_swarms_of_one_window_are_probed_concurrently(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    database.upgrade()
    fixtures = [
        make_torrent_fixture(
            tmp_path / f"seed{i}", size=1 * MiB, piece_size=32 * KiB, seed=b"%d" % i
        )
        for i in range(2)
    ]
    with (
        start_seeder(fixtures[0]) as first,
        start_seeder(fixtures[1]) as second,
        TorrentSession(loopback_settings()) as watch,
        TorrentSession(loopback_settings()) as checks,
    ):
        t = now()
        for fixture, seeder in ((fixtures[0], first), (fixtures[1], second)):
            uploader, downloader = Keypair.random(), Keypair.random()
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
        node_key = Keypair.random()
        runner = ProbeRunner(
            database,
            (SharedSession(watch), SharedSession(checks)),
            node_key,
            NET,
            3600,
            POLICY,
            SystemClock(),
        )
        try:
            probed = probe_window(runner)
            assert probed == sorted(f.infohash for f in fixtures)
        finally:
            runner.close()

    with database.session() as s:
        rows = evidence_repo.evidence_observed(s, 0, 2**62)
        done = runs.runs_in(s, 0, 2**62)
    assert len(rows) == 2
    assert [r.status for r in done].count(runs.DONE) == 2
    (a, b) = rows
    assert a.started_at <= b.ended_at and b.started_at <= a.ended_at  # they ran at once
    for row in rows:
        evidence = evidence_loads(row.evidence)
        assert any(p.answered and p.payload_down > 0 for p in evidence.peers)
        assert row.cost_bytes > 0
