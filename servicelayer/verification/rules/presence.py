"""Presence rules: whoever claims to have taken part in a probed period must have been seen.

A claim speaks for its period (``index.claim_period``). Every probe of the swarm that
overlapped the period is consulted: a probe that saw the peer there makes it present; it is
absent only if no probe saw it and some probe covered the period while connected to the
swarm (``SwarmProbe.watched``); otherwise the claim is unsampled and left to reputation
(rules/unsampled.py), with no finding and so no probe failure.

A downloader that registered no endpoint (so no probe could ever recognise it) has one
more way to be found absent: bytes from an uploader can only move while that uploader is
in the swarm. A probe that ran through the whole claimed period
and saw the uploader there for at least UPLOADER_WATCH_SECONDS knows when those bytes could
have moved (a probe keeps reconnecting to the named peers, so it sees the uploader come
back); if no probe ever saw the downloader then, the downloader was not there
(``uploader_watch``). This catches a fake downloader crediting a real peer in a swarm's
first or last window, which no probe can watch whole because nobody was there all along.
"""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex, Sighting, claim_period, present_in
from servicelayer.verification.model import BandwidthClaim, SwarmProbe
from servicelayer.verification.tolerances import (
    COVER_EDGE_SECONDS,
    MAX_HASH_FAILURES,
    UPLOADER_WATCH_SECONDS,
)
from servicelayer.verification.verdicts import Finding


def _refs(sightings: tuple[Sighting, ...]) -> tuple[str, ...]:
    return tuple(sorted({f"probe:{probe.probe_id}" for probe, _ in sightings}))


def _service_code(sightings: tuple[Sighting, ...]) -> tuple[ReasonCode, tuple[str, ...]] | None:
    """Why a present uploader's service is refused: it answered no probe's handshake, or
    one probe got more corrupt pieces from it than tolerated."""
    if not any(o.answered_handshake for _, seen in sightings for o in seen):
        return ReasonCode.UPLOADER_UNRESPONSIVE, _refs(sightings)
    for probe, seen in sightings:
        if sum(o.hash_failures for o in seen) > MAX_HASH_FAILURES:
            return ReasonCode.UPLOADER_CORRUPT, (f"probe:{probe.probe_id}",)
    return None


def check_uploader_presence(ix: EpochIndex) -> list[Finding]:
    """Reject a served period if a probe watched it and never saw the uploader, or the
    probes that saw it got no handshake from it, or corrupt pieces."""
    found: list[Finding] = []
    for claim in ix.bandwidth:
        presence = ix.claim_presence(claim, claim.uploader)
        if presence.watcher is not None and presence.absent:
            ref = (f"probe:{presence.watcher.probe_id}",)
            found.append(Finding(claim.receipt_id, ReasonCode.UPLOADER_ABSENT, 0, ref))
        elif presence.sightings:
            refused = _service_code(presence.sightings)
            if refused is not None:
                found.append(Finding(claim.receipt_id, refused[0], 0, refused[1]))
    return found


def check_downloader_presence(ix: EpochIndex) -> list[Finding]:
    """Reject a downloaded period a probe watched without ever seeing the downloader."""
    found: list[Finding] = []
    for claim in ix.bandwidth:
        presence = ix.claim_presence(claim, claim.downloader)
        if presence.sightings:
            continue
        watcher = presence.watcher
        if watcher is None and claim.downloader not in ix.endpoints:
            watcher = uploader_watch(ix, claim)
        if watcher is not None:
            ref = (f"probe:{watcher.probe_id}",)
            found.append(Finding(claim.receipt_id, ReasonCode.DOWNLOADER_ABSENT, 0, ref))
    return found


def uploader_watch(ix: EpochIndex, claim: BandwidthClaim) -> SwarmProbe | None:
    """A probe that ran through the claim's period and saw the uploader in it for at least
    UPLOADER_WATCH_SECONDS (see the module doc), or None."""
    start, end = claim_period(claim.window_start, claim.started_at)
    for probe in ix.probes_over(claim.infohash, start, end):
        if probe.start > start + COVER_EDGE_SECONDS or probe.end < end - COVER_EDGE_SECONDS:
            continue
        spans = [
            (max(start, o.first_seen), min(end, o.last_seen))
            for o in present_in(ix.seen(probe, claim.uploader), start, end)
        ]
        if sum(max(0, b - a) for a, b in spans) >= UPLOADER_WATCH_SECONDS:
            return probe
    return None
