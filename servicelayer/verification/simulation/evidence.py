"""What the probes see: a seeded sample of swarms, each watched for a while.

A probe joins the swarm for ``probe_seconds`` at a seeded time, sees every peer present
(but misses one with ``honest_miss_ppm``), measures each peer's upload to it (about one
of libtorrent's unchoke slots of its capacity) and samples each peer's bitfield at every
window boundary from the bytes that peer really received.

With the real-swarm effects (``SimConfig``): the probe starts at any second and may run
past the epoch's end (only this epoch's part is evidence here); peers join and leave at
any second of their first and last window, so a probe that overlaps those windows only
partly may miss them; an honest peer may serve the probe 0 bytes.
"""

from __future__ import annotations

import random

from servicelayer.verification.model import PeerObservation, SwarmProbe
from servicelayer.verification.simulation.population import HONEST
from servicelayer.verification.simulation.traffic import EpochBuilder
from servicelayer.verification.tolerances import PPM, UPLOAD_SLOTS, WINDOW_SECONDS

MEASURE_SECONDS = 60
SYBIL_PIECES = 3
"""Pieces a sybil fetches once so it can answer a probe and look like a peer."""


def sampled_starts(b: EpochBuilder) -> list[tuple[int, int]]:
    """(swarm index, probe start in seconds from the epoch's start): window-aligned and
    inside the epoch, or with ``probe_jitter`` any second of the epoch."""
    config = b.pop.config
    rng = random.Random(f"probe-sample:{config.seed}:{b.epoch}")
    span = config.probe_seconds // WINDOW_SECONDS
    chosen = []
    for index in range(len(b.pop.swarms)):
        if rng.randrange(PPM) < config.sampling_ppm:
            if config.probe_jitter:
                chosen.append((index, rng.randrange(config.epoch_seconds)))
            else:
                chosen.append((index, rng.randrange(b.windows - span + 1) * WINDOW_SECONDS))
    return chosen


def _stay(b: EpochBuilder, account: str, swarm: int, a0: int, a1: int) -> tuple[int, int]:
    """When ``account`` really was in the swarm: [join, leave) in epoch seconds."""
    if not b.pop.config.session_jitter or b.pop.peers[account].role == "origin":
        return a0 * WINDOW_SECONDS, a1 * WINDOW_SECONDS
    rng = random.Random(f"stay:{b.pop.config.seed}:{b.epoch}:{account}:{swarm}")
    join = a0 * WINDOW_SECONDS + (rng.randrange(WINDOW_SECONDS) if a0 > 0 else 0)
    leave = a1 * WINDOW_SECONDS - (rng.randrange(WINDOW_SECONDS) if a1 < b.windows else 0)
    return join, max(join + 1, leave)


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
    b: EpochBuilder, rng: random.Random, swarm: int, start: int, end: int
) -> list[PeerObservation]:
    """The peers a probe watching [start, end) (epoch seconds) sees in ``swarm``."""
    config = b.pop.config
    seen = []
    for account, (a0, a1) in sorted(b.presence.get(swarm, {}).items()):
        join, leave = _stay(b, account, swarm, a0, a1)
        first_s, last_s = max(start, join), min(end, leave)
        if first_s >= last_s or rng.randrange(PPM) < config.honest_miss_ppm:
            continue
        peer = b.pop.peers[account]
        if peer.role == "sybil":
            rate = rng.randint(5_000, 20_000)
        else:
            rate = peer.capacity // UPLOAD_SLOTS * rng.randint(800, 1000) // 1000
        serve = min(MEASURE_SECONDS, last_s - first_s)
        if peer.attack == HONEST and rng.randrange(PPM) < config.zero_serve_ppm:
            rate = 0
        first_w = first_s // WINDOW_SECONDS
        last_w = min(b.windows, -(-last_s // WINDOW_SECONDS))
        seen.append(
            PeerObservation(
                endpoint=peer.endpoints[0],
                account=account,
                first_seen=b.start + first_s,
                last_seen=b.start + last_s,
                answered_handshake=True,
                bytes_served=rate * serve,
                serve_seconds=serve if rate else 0,
                bitfield=_bitfield(b, account, swarm, first_w, max(first_w, last_w)),
                hash_failures=0,
            )
        )
    return seen


def run_probes(b: EpochBuilder) -> tuple[SwarmProbe, ...]:
    config = b.pop.config
    rng = random.Random(f"probe-run:{config.seed}:{b.epoch}")
    probes = []
    for swarm, start in sampled_starts(b):
        s = b.swarm(swarm)
        end = min(start + config.probe_seconds, config.epoch_seconds)  # this epoch's part
        peers = tuple(observe(b, rng, swarm, start, end))
        probes.append(
            SwarmProbe(
                f"p{b.epoch}-{swarm}",
                s.infohash,
                b.start + start,
                b.start + end,
                s.piece_size,
                1 << 20,
                s.bitrate if s.bitrate_known else None,
                peers,
            )
        )
    return tuple(probes)
