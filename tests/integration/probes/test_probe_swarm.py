"""Probes against real libtorrent swarms on loopback."""

from __future__ import annotations

from pathlib import Path

import pytest

from servicelayer.probe_settings import ProbeSettings
from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.evidence import bitfield_has, evidence_dumps, evidence_loads
from servicelayer.probes.probe import SystemClock, run_probe
from servicelayer.probes.session import SharedSession, TorrentSession
from servicelayer.probes.settings import production_settings
from servicelayer.probes.target import ProbeTarget
from testnet.swarm import (
    KiB,
    MiB,
    SwarmPeer,
    TorrentFixture,
    start_leecher,
    start_seeder,
    wait_until,
)

pytestmark = pytest.mark.integration


def test_probe_sees_seeder_and_leecher_with_bitfields_and_downloads_nothing(
    fixture_2mib: TorrentFixture, probe_session: TorrentSession, tmp_path: Path
) -> None:
    fx = fixture_2mib
    with (
        start_seeder(fx, upload_rate_limit=512 * KiB) as seeder,
        start_leecher(fx, tmp_path / "leech", connect_to=[seeder.endpoint]) as leecher,
    ):
        wait_until(lambda: leecher.progress_ppm() > 0, timeout_s=10, what="leecher to start")
        evidence = run_probe(
            probe_session,
            ProbeTarget.from_torrent_bytes(fx.torrent),
            [seeder.endpoint, leecher.endpoint],
            seconds=3,
            budget_bytes=0,
            clock=SystemClock(),
        )

    seen = evidence.peer(str(seeder.endpoint))
    assert seen is not None and seen.answered and seen.seed
    assert seen.pieces == fx.num_pieces
    assert seen.client.startswith("libtorrent/")
    assert len(seen.peer_id) == 40 and seen.first_seen <= seen.last_seen

    other = evidence.peer(str(leecher.endpoint))
    assert other is not None and other.answered and not other.seed
    assert other.peer_id != seen.peer_id
    # The leecher's bitfield was sampled as it grew, while the probe watched.
    counts = [b.pieces for b in evidence.bitfields if b.endpoint == str(leecher.endpoint)]
    assert len(counts) >= 2 and counts == sorted(counts) and counts[-1] > counts[0]

    # A budget of zero keeps the probe passive: it took no payload from anyone.
    assert evidence.sampled_pieces == ()
    assert evidence.cost.payload_down == 0
    assert evidence.cost.protocol_down > 0 and evidence.cost.protocol_up > 0
    assert evidence.num_pieces == fx.num_pieces and evidence.infohash == fx.infohash


@pytest.mark.parametrize("limit", [128 * KiB, 512 * KiB], ids=["128KiB/s", "512KiB/s"])
def test_uploader_serves_probe_at_its_rate_limit(
    limit: int, fixture_2mib: TorrentFixture, probe_session: TorrentSession
) -> None:
    fx = fixture_2mib
    budget = 2 * limit  # about two seconds of transfer
    with start_seeder(fx, upload_rate_limit=limit) as seeder:
        evidence = run_probe(
            probe_session,
            ProbeTarget.from_torrent_bytes(fx.torrent),
            [seeder.endpoint],
            seconds=20,
            budget_bytes=budget,
            clock=SystemClock(),
            piece_seed=b"epoch-7",
            stop_when_complete=True,
        )
        served_by_seeder = seeder.total_payload_upload()

    key = str(seeder.endpoint)
    assert len(evidence.sampled_pieces) == budget // fx.piece_size
    assert evidence.verified_pieces == evidence.sampled_pieces
    peer = evidence.peer(key)
    assert peer is not None and peer.payload_down == budget
    assert served_by_seeder == budget  # the seeder's own counter agrees
    assert evidence.cost.payload_down <= evidence.budget_bytes
    rate = evidence.served_rate(key)
    assert rate is not None
    assert limit * 6 // 10 <= rate <= limit * 115 // 100, (rate, limit)


def test_endpoint_where_nobody_listens_is_recorded_as_never_answering(
    fixture_2mib: TorrentFixture, probe_session: TorrentSession, dead_endpoint: Endpoint
) -> None:
    with start_seeder(fixture_2mib) as seeder:
        evidence = run_probe(
            probe_session,
            ProbeTarget.from_torrent_bytes(fixture_2mib.torrent),
            [dead_endpoint, seeder.endpoint],
            seconds=15,
            budget_bytes=64 * KiB,
            clock=SystemClock(),
            stop_when_complete=True,
        )
    dead = evidence.peer(str(dead_endpoint))
    assert dead is not None and dead.named
    assert not dead.answered and dead.peer_id == "" and dead.first_seen == 0
    assert dead.payload_down == 0 and dead.error != ""
    assert evidence.served_rate(str(dead_endpoint)) is None
    alive = evidence.peer(str(seeder.endpoint))
    assert alive is not None and alive.answered and alive.payload_down == 64 * KiB


def test_infohash_alone_fetches_metadata_from_the_peer(
    fixture_2mib: TorrentFixture, probe_session: TorrentSession
) -> None:
    with start_seeder(fixture_2mib) as seeder:
        evidence = run_probe(
            probe_session,
            ProbeTarget.from_infohash(fixture_2mib.infohash.upper()),
            [seeder.endpoint],
            seconds=15,
            budget_bytes=1 * MiB // 4,
            clock=SystemClock(),
            stop_when_complete=True,
        )
    assert evidence.has_metadata
    assert evidence.num_pieces == fixture_2mib.num_pieces
    assert evidence.total_size == fixture_2mib.size
    assert len(evidence.verified_pieces) == 8
    # Every piece the probe verified is one the seeder advertised.
    last = [b for b in evidence.bitfields if b.endpoint == str(seeder.endpoint)][-1]
    assert all(bitfield_has(last.bitfield, i) for i in evidence.verified_pieces)
    assert evidence_loads(evidence_dumps(evidence)) == evidence


def test_a_peer_that_joins_later_is_seen_at_its_registered_endpoint(
    fixture_2mib: TorrentFixture, tmp_path: Path
) -> None:
    """A viewer that joins after the probe would learn a listening probe's port from the
    swarm's PEX and could connect in first, from a port no registration names; libtorrent
    then folds the probe's own connection to its registered endpoint into that one, and
    the probe cannot name the viewer (measured on the real-swarm benchmark). The node's
    probes listen nowhere (``[probes] listen`` empty), so even a viewer told the probe's
    address has nothing to connect to, and the probe sees it at its registered endpoint."""
    fx = fixture_2mib
    assert ProbeSettings().listen == ""
    joined: list[SwarmPeer] = []
    with (
        TorrentSession(production_settings(ProbeSettings().listen, dht=False)) as probe_session,
        start_seeder(fx, upload_rate_limit=256 * KiB) as seeder,
    ):
        assert probe_session.listen_endpoints == ()

        def late_viewer() -> list[Endpoint]:
            if not joined:  # the first reconnection round: the probe is in the swarm
                viewer = start_leecher(
                    fx,
                    tmp_path / "viewer",
                    connect_to=[seeder.endpoint],
                    download_rate_limit=32 * KiB,
                )
                joined.append(viewer)
                wait_until(lambda: viewer.progress_ppm() > 0, timeout_s=10, what="viewer")
                return []  # its receipts, and so its name, reach the node a round later
            return [joined[0].endpoint]

        try:
            with SharedSession(probe_session).view() as view:
                evidence = run_probe(
                    view,
                    ProbeTarget.from_torrent_bytes(fx.torrent),
                    [seeder.endpoint],
                    seconds=12,
                    budget_bytes=128 * KiB,
                    clock=SystemClock(),
                    more_peers=late_viewer,
                )
        finally:
            for peer in joined:
                peer.close()
    assert not [p for p in evidence.peers if "incoming" in p.sources]
    named = evidence.peer(str(joined[0].endpoint))
    assert named is not None and named.answered and named.pieces > 0
