"""A fresh rate-capped origin whose only viewer already finished is vetted by the service
check; a peer that advertises pieces it never serves fails it (real libtorrent, loopback)."""

from __future__ import annotations

import time
from pathlib import Path

import libtorrent as lt
import pytest
from stellar_sdk import Keypair

from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.probes import runs
from servicelayer.probes.evidence import REFUSED, SERVED, evidence_loads
from servicelayer.probes.probe import SystemClock
from servicelayer.probes.registration import build_registration, sign_registration, to_json
from servicelayer.probes.registry import register
from servicelayer.probes.service import ProbePolicy, ProbeRunner, probe_window
from servicelayer.probes.service_check import BLOCK_BYTES, check_service
from servicelayer.probes.session import SharedSession, TorrentSession
from servicelayer.probes.settings import loopback_settings
from servicelayer.receipts import network_id
from servicelayer.receipts.peer import ReceiptSigner
from servicelayer.storage import evidence_repo
from servicelayer.storage.db import Database
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.inputs import load_inputs
from testnet.fakepeer import FakePeer
from testnet.swarm import KiB, MiB, make_torrent_fixture, start_seeder
from tests.support import PASSPHRASE, now

pytestmark = pytest.mark.integration
SEED = b"s" * 32
NET = network_id(PASSPHRASE)


def test_capped_origin_passes_and_withholding_peer_fails(
    tmp_path: Path, probe_session: TorrentSession
) -> None:
    fixture = make_torrent_fixture(tmp_path / "seed", size=1 * MiB, piece_size=32 * KiB)
    info = lt.torrent_info(lt.bdecode(fixture.torrent))
    with (
        start_seeder(fixture, upload_rate_limit=8 * KiB) as origin,
        FakePeer(fixture.infohash, fixture.num_pieces, mode="withhold") as liar,
    ):
        checks = {}
        for endpoint in (origin.endpoint, liar.endpoint):
            started = time.monotonic()
            check = check_service(probe_session, info, endpoint, 8, SystemClock(), piece_seed=SEED)
            checks[str(endpoint)] = (check, time.monotonic() - started)
    good, good_s = checks[str(origin.endpoint)]
    bad, bad_s = checks[str(liar.endpoint)]
    print(f"origin check {good_s:.1f}s {good}; liar check {bad_s:.1f}s {bad}")
    assert good.result == SERVED and good.unchoked and good.payload_down >= BLOCK_BYTES
    assert good.advertised == fixture.num_pieces and good.hash_failures == 0
    assert good.payload_down <= fixture.piece_size  # one piece at most
    assert bad.result == REFUSED and bad.advertised == fixture.num_pieces
    assert bad.payload_down == 0 and not bad.unchoked


def test_a_window_probe_vets_a_fresh_origin_and_fails_a_withholding_uploader(
    tmp_path: Path,
) -> None:
    """The node's runner probes the swarm (the origin named by its owner), stores the
    evidence with its service checks, and verification turns it into probe outcomes: a
    pass for the fresh capped origin, a failure for the uploader that withholds."""
    database = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    database.upgrade()
    fixture = make_torrent_fixture(tmp_path / "seed", size=1 * MiB, piece_size=32 * KiB)
    origin_key, liar_key, viewer = Keypair.random(), Keypair.random(), Keypair.random()
    with (
        start_seeder(fixture, upload_rate_limit=8 * KiB) as origin,
        start_seeder(fixture) as complete,  # the origin's viewer, already complete
        FakePeer(fixture.infohash, fixture.num_pieces, mode="withhold") as liar,
        TorrentSession(loopback_settings()) as even,
        TorrentSession(loopback_settings()) as odd,
    ):
        t = now()
        infohash = bytes.fromhex(fixture.infohash)
        signer = ReceiptSigner(viewer, PASSPHRASE)
        wires = []
        for key, peer in (
            (origin_key, origin.endpoint),
            (liar_key, liar.endpoint),
            (viewer, complete.endpoint),
        ):
            reg = build_registration(
                key.public_key, seq=1, valid_until=t + 3600, endpoints=[str(peer)]
            )
            with database.session(write=True) as s:
                register(s, to_json(sign_registration(reg, key, NET), NET), NET, t)
            if key is not viewer:
                session = signer.bandwidth_session(key.public_key, infohash, t - 60)
                wires.append(signer.wire(session.update(64 * KiB, t)))
        with database.session(write=True) as s:
            policy = IngestPolicy(NET, 120, 86_400, 125_000_000, 3600)
            assert {r.status for r in ingest_batch(s, wires, policy, t)} == {"accepted"}
        runner = ProbeRunner(
            database,
            (SharedSession(even), SharedSession(odd)),
            Keypair.random(),
            NET,
            3600,
            ProbePolicy(seconds=5, budget_bytes=256 * KiB, service_seconds=8),
            SystemClock(),
            origins=lambda session: {fixture.infohash: [origin_key.public_key]},
        )
        try:
            assert probe_window(runner) == [fixture.infohash]
        finally:
            runner.close()
    with database.session() as s:
        (row,) = evidence_repo.evidence_observed(s, 0, 2**62)
        (run,) = [r for r in runs.runs_in(s, 0, 2**62) if r.status == runs.DONE]
        epoch = (row.started_at + row.ended_at) // 2 // 3600
        inputs = load_inputs(s, epoch, 3600)
    assert run.origin and run.evidence_id == row.id
    evidence = evidence_loads(row.evidence)
    checks = {c.endpoint: c.result for c in evidence.service}
    print(f"cost {row.cost_bytes} bytes; checks {checks}")
    assert checks[str(liar.endpoint)] == REFUSED
    outcomes = {o.account: o for o in verify_epoch(inputs).outcomes}
    assert outcomes[origin_key.public_key].passed
    assert not outcomes[liar_key.public_key].passed
