"""A fresh rate-capped origin whose only viewer already finished is vetted by the service
check; a peer that advertises pieces it never serves fails it (real libtorrent, loopback)."""

from __future__ import annotations

import time
from pathlib import Path

import libtorrent as lt
import pytest

from servicelayer.probes.evidence import REFUSED, SERVED
from servicelayer.probes.planner import PlannedProbe
from servicelayer.probes.probe import SystemClock, run_probe
from servicelayer.probes.service import service_candidates
from servicelayer.probes.service_check import BLOCK_BYTES, check_service
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.target import ProbeTarget
from testnet.fakepeer import FakePeer
from testnet.swarm import KiB, MiB, make_torrent_fixture, start_seeder

pytestmark = pytest.mark.integration
SEED = b"s" * 32


def test_capped_origin_passes_and_withholding_peer_fails(
    tmp_path: Path, probe_session: TorrentSession
) -> None:
    fixture = make_torrent_fixture(tmp_path / "seed", size=1 * MiB, piece_size=32 * KiB)
    with (
        start_seeder(fixture, upload_rate_limit=8 * KiB) as origin,
        start_seeder(fixture) as viewer,  # the origin's only viewer, already complete
        FakePeer(fixture.infohash, fixture.num_pieces, mode="withhold") as liar,
    ):
        named = [origin.endpoint, viewer.endpoint, liar.endpoint]
        metadata: list[lt.torrent_info] = []
        started = time.monotonic()
        evidence = run_probe(
            probe_session,
            ProbeTarget.from_infohash(fixture.infohash),
            named,
            4,
            256 * KiB,
            SystemClock(),
            piece_seed=SEED,
            on_metadata=metadata.append,
        )
        watched = time.monotonic() - started
        plan = PlannedProbe(fixture.infohash, tuple(named), True, (origin.endpoint,))
        candidates = service_candidates(evidence, plan, 2)
        assert str(viewer.endpoint) not in {str(c) for c in candidates}  # it served
        assert str(liar.endpoint) in {str(c) for c in candidates}
        checks = {}
        for endpoint in (origin.endpoint, liar.endpoint):
            started = time.monotonic()
            check = check_service(
                probe_session, metadata[0], endpoint, 10, SystemClock(), piece_seed=SEED
            )
            checks[str(endpoint)] = (check, time.monotonic() - started)
    good, good_s = checks[str(origin.endpoint)]
    bad, bad_s = checks[str(liar.endpoint)]
    print(f"observation {watched:.1f}s cost {evidence.cost}; origin check {good_s:.1f}s {good}")
    print(f"liar check {bad_s:.1f}s {bad}")
    assert good.result == SERVED and good.unchoked and good.payload_down >= BLOCK_BYTES
    assert good.advertised == fixture.num_pieces and good.hash_failures == 0
    assert good.payload_down <= fixture.piece_size  # one piece at most
    assert bad.result == REFUSED and bad.advertised == fixture.num_pieces
    assert bad.payload_down == 0
