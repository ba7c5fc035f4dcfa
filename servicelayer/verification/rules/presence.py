"""Presence rules: whoever claims to have taken part in a probed window must have been seen."""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.model import PeerObservation
from servicelayer.verification.tolerances import (
    MAX_HASH_FAILURES,
    PRESENCE_SLACK_SECONDS,
    WINDOW_SECONDS,
)
from servicelayer.verification.verdicts import Finding


def present_in(observations: list[PeerObservation], window_start: int) -> list[PeerObservation]:
    """Observations whose seen interval reaches into the window (with slack)."""
    low = window_start - PRESENCE_SLACK_SECONDS
    high = window_start + WINDOW_SECONDS + PRESENCE_SLACK_SECONDS
    return [o for o in observations if o.first_seen <= high and o.last_seen >= low]


def check_uploader_presence(ix: EpochIndex) -> list[Finding]:
    """Reject a served window the probe covered if the uploader was never there, was
    there but never answered the probe's handshake, or sent the probe corrupt pieces."""
    found: list[Finding] = []
    for claim in ix.bandwidth:
        probe = ix.covering_probe(claim.infohash, claim.window_start)
        if probe is None:
            continue
        here = present_in(ix.seen(probe, claim.uploader), claim.window_start)
        ref = (f"probe:{probe.probe_id}",)
        if not here:
            found.append(Finding(claim.receipt_id, ReasonCode.UPLOADER_ABSENT, 0, ref))
        elif not any(o.answered_handshake for o in here):
            found.append(Finding(claim.receipt_id, ReasonCode.UPLOADER_UNRESPONSIVE, 0, ref))
        elif sum(o.hash_failures for o in here) > MAX_HASH_FAILURES:
            found.append(Finding(claim.receipt_id, ReasonCode.UPLOADER_CORRUPT, 0, ref))
    return found


def check_downloader_presence(ix: EpochIndex) -> list[Finding]:
    """Reject a downloaded window the probe covered if the downloader was never there."""
    found: list[Finding] = []
    for claim in ix.bandwidth:
        probe = ix.covering_probe(claim.infohash, claim.window_start)
        if probe is None:
            continue
        if not present_in(ix.seen(probe, claim.downloader), claim.window_start):
            ref = (f"probe:{probe.probe_id}",)
            found.append(Finding(claim.receipt_id, ReasonCode.DOWNLOADER_ABSENT, 0, ref))
    return found
