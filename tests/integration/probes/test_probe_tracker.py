"""The probe finds peers nobody named through the swarm's tracker."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicelayer.probes.probe import SystemClock, run_probe
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.target import ProbeTarget
from testnet.swarm import KiB, MiB, make_torrent_fixture, start_seeder, wait_until
from testnet.tracker import LoopbackTracker

pytestmark = pytest.mark.integration


def test_probe_finds_and_checks_a_seeder_through_the_tracker(
    tmp_path: Path, probe_session: TorrentSession
) -> None:
    with LoopbackTracker() as tracker:
        fixture = make_torrent_fixture(
            tmp_path / "seed", size=1 * MiB, piece_size=32 * KiB, trackers=[tracker.announce_url]
        )
        with start_seeder(fixture) as seeder:
            wait_until(
                lambda: ("127.0.0.1", seeder.endpoint.port) in tracker.peers(fixture.infohash),
                timeout_s=10,
                what="the seeder to announce",
            )
            evidence = run_probe(
                probe_session,
                ProbeTarget.from_torrent_bytes(fixture.torrent),
                [],
                seconds=15,
                budget_bytes=64 * KiB,
                clock=SystemClock(),
                stop_when_complete=True,
            )
    peer = evidence.peer(str(seeder.endpoint))
    assert peer is not None and not peer.named
    assert "tracker" in peer.sources
    assert peer.answered and peer.seed and peer.payload_down == 64 * KiB
    assert len(evidence.verified_pieces) == 2
