"""Two probes in two threads over one shared libtorrent session each see their own swarm's
alerts, and the alerts outlive the other thread's next pop (real libtorrent, loopback)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.evidence import SwarmEvidence
from servicelayer.probes.probe import SystemClock, run_probe
from servicelayer.probes.session import SharedSession, TorrentSession
from servicelayer.probes.target import ProbeTarget
from testnet.swarm import KiB, MiB, TorrentFixture, make_torrent_fixture, start_seeder

pytestmark = pytest.mark.integration


def test_two_probes_share_one_session(
    tmp_path: Path,
    fixture_2mib: TorrentFixture,
    probe_session: TorrentSession,
    dead_endpoint: Endpoint,
) -> None:
    other = make_torrent_fixture(tmp_path / "other", size=1 * MiB, seed=b"other")
    shared = SharedSession(probe_session)

    def probe(target: ProbeTarget, peers: list[Endpoint]) -> SwarmEvidence:
        with shared.view() as view:
            return run_probe(view, target, peers, 3, 64 * KiB, SystemClock())

    with start_seeder(fixture_2mib) as seeder, ThreadPoolExecutor(2) as pool:
        served = pool.submit(
            probe, ProbeTarget.from_torrent_bytes(fixture_2mib.torrent), [seeder.endpoint]
        )
        refused = pool.submit(probe, ProbeTarget.from_torrent_bytes(other.torrent), [dead_endpoint])
        seen, missed = served.result(timeout=30), refused.result(timeout=30)
    peer = seen.peer(str(seeder.endpoint))
    assert peer is not None and peer.answered and peer.payload_down > 0
    assert seen.peer(str(dead_endpoint)) is None  # the other probe's peer is not in this one
    dead = missed.peer(str(dead_endpoint))
    assert dead is not None and not dead.answered
    assert "refused" in dead.error.lower()
