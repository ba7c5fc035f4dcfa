"""Peers that claim pieces but do not deliver them leave evidence the probe records."""

from __future__ import annotations

import pytest

from servicelayer.probes.probe import SystemClock, run_probe
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.target import ProbeTarget
from testnet.fakepeer import FakePeer
from testnet.swarm import KiB, TorrentFixture

pytestmark = pytest.mark.integration


def test_peer_that_withholds_its_pieces_serves_nothing(
    fixture_2mib: TorrentFixture, probe_session: TorrentSession
) -> None:
    with FakePeer(fixture_2mib.infohash, fixture_2mib.num_pieces, mode="withhold") as liar:
        evidence = run_probe(
            probe_session,
            ProbeTarget.from_torrent_bytes(fixture_2mib.torrent),
            [liar.endpoint],
            seconds=5,
            budget_bytes=128 * KiB,
            clock=SystemClock(),
        )
    peer = evidence.peer(str(liar.endpoint))
    assert peer is not None and peer.answered and peer.seed  # it claims every piece...
    assert peer.pieces == fixture_2mib.num_pieces
    assert len(evidence.sampled_pieces) == 4
    assert peer.payload_down == 0 and evidence.verified_pieces == ()  # ...and serves none
    assert evidence.served_rate(str(liar.endpoint)) is None
    assert evidence.cost.payload_down == 0


def test_peer_that_serves_garbage_is_banned_with_hash_failures(
    fixture_2mib: TorrentFixture, probe_session: TorrentSession
) -> None:
    with FakePeer(fixture_2mib.infohash, fixture_2mib.num_pieces, mode="garbage") as liar:
        evidence = run_probe(
            probe_session,
            ProbeTarget.from_torrent_bytes(fixture_2mib.torrent),
            [liar.endpoint],
            seconds=5,
            budget_bytes=128 * KiB,
            clock=SystemClock(),
        )
        served_blocks = liar.blocks_served
    peer = evidence.peer(str(liar.endpoint))
    assert served_blocks > 0
    assert peer is not None and peer.answered and peer.banned
    assert evidence.hash_failures >= 1
    assert evidence.verified_pieces == ()
    assert evidence.cost.payload_down > 0  # the probe paid for the garbage it received
