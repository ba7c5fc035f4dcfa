"""Receipts from a real libtorrent swarm are judged against the node's own probe of it.

A rate-limited seeder serves a leecher while the node's probe watches the swarm; then the
leecher's account signs an honest receipt (its payload counter), an inflated one, and one
naming an uploader that never joined. The catalog knows the video's bitrate. Epochs are a
day long here so the probe and the receipts are in one epoch.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from stellar_sdk import Keypair

from servicelayer.epochs.verifying import verify_closed_epoch
from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.probes.evidence import evidence_loads
from servicelayer.probes.probe import SystemClock
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.probes.registry import register
from servicelayer.probes.service import ProbePolicy, probe_round
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.settings import loopback_settings
from servicelayer.receipts import WINDOW_SECONDS, network_id
from servicelayer.receipts.peer import ReceiptSigner
from servicelayer.storage import evidence_repo
from servicelayer.storage.db import Database
from servicelayer.verification.model import ContentInfo
from testnet.processes import free_port
from testnet.swarm import KiB, MiB, make_torrent_fixture, start_leecher, start_seeder
from tests.support import PASSPHRASE, now

pytestmark = [pytest.mark.integration, pytest.mark.slow]
NET = network_id(PASSPHRASE)
DAY = 86_400
POLICY = IngestPolicy(NET, 120, DAY, 125_000_000, DAY)
BITRATE = 160 * KiB  # bytes per second of the "video": over 3 x the file per window


def register_endpoint(database: Database, key: Keypair, endpoint: str, t: int) -> None:
    reg = build_registration(key.public_key, seq=1, valid_until=t + 3600, endpoints=[endpoint])
    with database.session(write=True) as s:
        register(s, to_json(sign_registration(reg, key, NET), NET), NET, t)


def submit(database: Database, receipts: list[dict[str, object]], t: int) -> list[str]:
    with database.session(write=True) as s:
        return [r.status for r in ingest_batch(s, receipts, POLICY, t)]


def busiest_window(start: int, end: int) -> int:
    """The window in which [start, end) spent the most time."""
    windows = range(start - start % WINDOW_SECONDS, end, WINDOW_SECONDS)
    return max(windows, key=lambda w: min(end, w + WINDOW_SECONDS) - max(start, w))


def test_honest_receipts_pass_and_fabricated_ones_fail(tmp_path: Path) -> None:
    database = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    database.upgrade()
    fixture = make_torrent_fixture(tmp_path / "seed", size=3 * MiB, piece_size=32 * KiB)
    uploader, ghost, downloader = Keypair.random(), Keypair.random(), Keypair.random()
    signer = ReceiptSigner(downloader, PASSPHRASE)
    infohash = bytes.fromhex(fixture.infohash)
    t0 = now()
    with (
        start_seeder(fixture, upload_rate_limit=200 * KiB) as seeder,
        start_leecher(fixture, tmp_path / "leech", connect_to=[seeder.endpoint]) as leecher,
    ):
        register_endpoint(database, uploader, str(seeder.endpoint), t0)
        register_endpoint(database, downloader, str(leecher.endpoint), t0)
        register_endpoint(database, ghost, f"127.0.0.1:{free_port()}", t0)
        # the first receipt of the session names the swarm, so the node probes it
        session = signer.bandwidth_session(uploader.public_key, infohash, t0 - 60)
        assert submit(database, [signer.wire(session.update(1, t0))], t0) == ["accepted"]
        with TorrentSession(loopback_settings()) as torrents:
            probed = probe_round(
                database,
                torrents,
                Keypair.random(),
                NET,
                t0 // DAY,
                DAY,
                ProbePolicy(1_000_000, 15, 128 * KiB, 5),
                SystemClock(),
            )
        assert probed == [fixture.infohash]
        leecher.wait_complete(timeout_s=60)
        received = leecher.payload_counters()[str(seeder.endpoint)][0]

    with database.session() as s:
        (row,) = evidence_repo.evidence_in(s, t0 // DAY)
    evidence = evidence_loads(row.evidence)
    w = busiest_window(evidence.started_at, evidence.ended_at)
    t = max(now(), w)
    inflated = signer.bandwidth_session(uploader.public_key, infohash, t0 - 60)
    absent = signer.bandwidth_session(ghost.public_key, infohash, t0 - 60)
    receipts = [
        signer.wire(session.update(received, w)),
        signer.wire(inflated.update(received * 10, w)),
        signer.wire(absent.update(received, w)),
    ]
    assert submit(database, receipts, t) == ["accepted"] * 3

    with database.session(write=True) as s:
        catalog = [ContentInfo(fixture.infohash, bitrate=BITRATE)]
        verdicts = verify_closed_epoch(s, t0 // DAY, DAY, catalog=catalog).by_id()
    honest_v, inflated_v, absent_v = (verdicts[r["id"]] for r in receipts)
    assert honest_v.verdict == "accepted", honest_v
    # cut down to what the stream's bitrate leaves beside the honest receipt, no more
    assert inflated_v.verdict != "accepted" and "exceeds_stream_bitrate" in inflated_v.reasons
    headroom = BITRATE * WINDOW_SECONDS * 13 // 10  # the documented 30 % tolerance
    assert (received * 10) * inflated_v.weight_ppm // 1_000_000 <= headroom - received
    assert absent_v.verdict == "rejected" and "uploader_absent" in absent_v.reasons, absent_v
