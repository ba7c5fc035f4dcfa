"""What the probes see: a seeded sample of swarms, each watched for a while.

A probe joins the swarm for ``probe_seconds`` at a seeded time, sees every peer present
(but misses one with ``honest_miss_ppm``), measures each peer's upload to it (about one
of libtorrent's unchoke slots of its capacity) and samples each peer's bitfield at every
window boundary from the bytes that peer really received.
"""

from __future__ import annotations

import random

from servicelayer.verification.model import PeerObservation, SwarmProbe
from servicelayer.verification.simulation.traffic import EpochBuilder
from servicelayer.verification.tolerances import PPM, UPLOAD_SLOTS, WINDOW_SECONDS

MEASURE_SECONDS = 60
SYBIL_PIECES = 3
"""Pieces a sybil fetches once so it can answer a probe and look like a peer."""


def sampled_windows(b: EpochBuilder) -> list[tuple[int, int]]:
    """(swarm index, first probed window) of this epoch's probes: seeded, unpredictable."""
    config = b.pop.config
    rng = random.Random(f"probe-sample:{config.seed}:{b.epoch}")
    span = config.probe_seconds // WINDOW_SECONDS
    chosen = []
    for index in range(len(b.pop.swarms)):
        if rng.randrange(PPM) < config.sampling_ppm:
            chosen.append((index, rng.randrange(b.windows - span + 1)))
    return chosen


def _bitfield(
    b: EpochBuilder, account: str, swarm: int, first: int, last: int
) -> tuple[tuple[int, int], ...]:
    piece = b.swarm(swarm).piece_size
    got = b.received.get((account, swarm), {})
    if b.pop.peers[account].role == "sybil" and not got:
        return tuple((b.at(w), SYBIL_PIECES) for w in range(first, last + 1))
    samples, total = [], 0
    for w in range(0, last + 1):
        if w >= first:
            samples.append((b.at(w), total // piece))
        total += got.get(w, 0)
    return tuple(samples)


def observe(
    b: EpochBuilder, rng: random.Random, swarm: int, w0: int, w1: int
) -> list[PeerObservation]:
    seen = []
    for account, (a0, a1) in sorted(b.presence.get(swarm, {}).items()):
        first, last = max(w0, a0), min(w1, a1)
        if first >= last or rng.randrange(PPM) < b.pop.config.honest_miss_ppm:
            continue
        peer = b.pop.peers[account]
        if peer.role == "sybil":
            rate = rng.randint(5_000, 20_000)
        else:
            rate = peer.capacity // UPLOAD_SLOTS * rng.randint(800, 1000) // 1000
        seen.append(
            PeerObservation(
                endpoint=peer.endpoints[0],
                account=account,
                first_seen=b.at(first),
                last_seen=b.at(last),
                answered_handshake=True,
                bytes_served=rate * MEASURE_SECONDS,
                serve_seconds=MEASURE_SECONDS,
                bitfield=_bitfield(b, account, swarm, first, last),
                hash_failures=0,
            )
        )
    return seen


def run_probes(b: EpochBuilder) -> tuple[SwarmProbe, ...]:
    span = b.pop.config.probe_seconds // WINDOW_SECONDS
    rng = random.Random(f"probe-run:{b.pop.config.seed}:{b.epoch}")
    probes = []
    for swarm, w0 in sampled_windows(b):
        s = b.swarm(swarm)
        peers = tuple(observe(b, rng, swarm, w0, w0 + span))
        probes.append(
            SwarmProbe(
                f"p{b.epoch}-{swarm}",
                s.infohash,
                b.at(w0),
                b.at(w0 + span),
                s.piece_size,
                1 << 20,
                s.bitrate if s.bitrate_known else None,
                peers,
            )
        )
    return tuple(probes)
