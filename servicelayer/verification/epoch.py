"""``verify_epoch``: every receipt of the epoch gets a verdict from the composed rules."""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex, build_index
from servicelayer.verification.model import ClaimKind, EpochInputs
from servicelayer.verification.outcomes import probe_outcomes
from servicelayer.verification.reputation import update_all
from servicelayer.verification.rules.capacity import check_capacity
from servicelayer.verification.rules.consistency import (
    check_duplicate_sessions,
    check_self_service,
    check_windows,
)
from servicelayer.verification.rules.deferred import resolve_deferred
from servicelayer.verification.rules.downloader import (
    check_bitfield,
    check_bitrate,
    check_content_size,
    check_pieces_held,
)
from servicelayer.verification.rules.graph import check_closed_clusters, check_shared_endpoints
from servicelayer.verification.rules.presence import (
    check_downloader_presence,
    check_uploader_presence,
)
from servicelayer.verification.rules.unsampled import (
    caught_in_swarms,
    check_caught_in_swarm,
    check_unsampled,
    served_in_swarms,
)
from servicelayer.verification.rules.viewing import (
    Received,
    check_bytes_backing,
    check_bytes_watched,
    check_concurrency,
    check_wallclock,
)
from servicelayer.verification.tolerances import PPM
from servicelayer.verification.verdicts import EpochVerification, Finding, compose

EVIDENCE_RULES = (
    check_windows,
    check_self_service,
    check_duplicate_sessions,
    check_uploader_presence,
    check_downloader_presence,
    check_capacity,
    check_bitfield,
    check_content_size,
    check_pieces_held,
    check_shared_endpoints,
    check_closed_clusters,
    check_wallclock,
    check_concurrency,
    check_bytes_watched,
)
"""Rules that read only the epoch's inputs; the rules that need this epoch's reputations
(bitrate, unsampled) and the viewing backing come after."""

UPLOADER_SIDE_CODES = frozenset(
    {
        ReasonCode.LOW_REPUTATION,
        ReasonCode.UPLOADER_ABSENT,
        ReasonCode.UPLOADER_UNRESPONSIVE,
        ReasonCode.RATE_ABOVE_CAPACITY,
        ReasonCode.UNVETTED_ACCOUNT,
    }
)
"""Findings about the uploader, which do not make the viewer's bytes less real. Bytes
from a fresh uploader no probe vetted are held (deferred) until it is, but
they back the viewer's playback now: whether the viewer was in the swarm and got them is
what the downloader-side rules judge, and a viewer of a new origin would otherwise lose
every minute it watched."""


def received_bytes(ix: EpochIndex, findings: list[Finding]) -> Received:
    """Bytes each (viewer, swarm) verifiably received: claims weighted by the findings
    about the downloader side (bounds, presence, self-dealing), not those about the
    uploader (its absence, capacity or reputation do not make the viewer's bytes fake
    once they fit the viewer's own bounds)."""
    weights: dict[str, int] = {}
    for f in findings:
        if f.code not in UPLOADER_SIDE_CODES:
            weights[f.receipt_id] = min(weights.get(f.receipt_id, PPM), f.weight_ppm)
    received: Received = {}
    rows = [
        (b.receipt_id, b.downloader, b.infohash, b.window_start, b.delta_bytes)
        for b in ix.bandwidth
    ]
    rows += [(c.receipt_id, c.viewer, c.content, c.window_start, c.delta_bytes) for c in ix.cdn]
    for rid, viewer, swarm, window, amount in rows:
        per_window = received.setdefault((viewer, swarm), {})
        per_window[window] = per_window.get(window, 0) + amount * weights.get(rid, PPM) // PPM
    return received


def verify_epoch(inputs: EpochInputs) -> EpochVerification:
    """Verdicts for every receipt of the epoch, the probe outcomes, the new reputations,
    and the resolutions of earlier epochs' deferred claims (judged with the new ones)."""
    ix = build_index(inputs)
    findings: list[Finding] = []
    for rule in EVIDENCE_RULES:
        findings += rule(ix)
    outcomes = probe_outcomes(ix, findings)
    reputations = update_all(inputs.reputations, inputs.epoch, outcomes)
    by_account = {r.account: r for r in reputations}
    served = served_in_swarms(ix, outcomes)
    findings += check_bitrate(ix, by_account)
    findings += check_unsampled(ix, by_account, served)
    findings += check_caught_in_swarm(ix, outcomes)
    findings += check_bytes_backing(ix, received_bytes(ix, findings))
    by_receipt: dict[str, list[Finding]] = {}
    for finding in findings:
        by_receipt.setdefault(finding.receipt_id, []).append(finding)
    kinds = [(b.receipt_id, ClaimKind.BANDWIDTH) for b in ix.bandwidth]
    kinds += [(v.receipt_id, ClaimKind.VIEWING) for v in ix.viewing]
    kinds += [(c.receipt_id, ClaimKind.CDN) for c in ix.cdn]
    verdicts = tuple(compose(rid, kind, by_receipt.get(rid, ())) for rid, kind in sorted(kinds))
    caught = caught_in_swarms(ix, outcomes)
    resolutions = resolve_deferred(inputs.epoch, inputs.deferred, by_account, caught, served)
    return EpochVerification(inputs.epoch, verdicts, outcomes, reputations, resolutions)
