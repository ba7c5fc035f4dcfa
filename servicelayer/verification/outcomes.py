"""Probe outcomes: which accounts a probe vouched for and which it caught."""

from __future__ import annotations

from servicelayer.probes.evidence import CORRUPT, NO_BITFIELD, REFUSED, SERVED
from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.model import PeerObservation
from servicelayer.verification.reputation import ProbeOutcome
from servicelayer.verification.verdicts import Finding

UPLOADER_FAILS = frozenset(
    {
        ReasonCode.UPLOADER_ABSENT,
        ReasonCode.UPLOADER_UNRESPONSIVE,
        ReasonCode.UPLOADER_CORRUPT,
        ReasonCode.RATE_ABOVE_CAPACITY,
    }
)
DOWNLOADER_FAILS = frozenset(
    {
        ReasonCode.DOWNLOADER_ABSENT,
        ReasonCode.EXCEEDS_BITFIELD_GROWTH,
        ReasonCode.EXCEEDS_PIECES_HELD,
    }
)
SERVICE_FAILS = {
    REFUSED: ReasonCode.UPLOADER_UNRESPONSIVE,
    NO_BITFIELD: ReasonCode.UPLOADER_UNRESPONSIVE,
    CORRUPT: ReasonCode.UPLOADER_CORRUPT,
}
"""Service-check results that fail an account claiming uploads in the swarm."""


def served(o: PeerObservation) -> bool:
    """The probe got service from this peer: payload bytes in its observation, or, in the
    service check, at least one block of a piece it advertised (a valid bitfield, then data
    that did not fail the hash check)."""
    return o.answered_handshake and (o.bytes_served > 0 or o.service == SERVED)


def _probe_refs(finding: Finding) -> list[str]:
    return sorted(ref[len("probe:") :] for ref in finding.evidence if ref.startswith("probe:"))


def probe_outcomes(ix: EpochIndex, findings: list[Finding]) -> tuple[ProbeOutcome, ...]:
    """One outcome per (account, probe): failed if evidence of that probe contradicted one of
    the account's claims; passed if the probe, home in this epoch (``EpochIndex.is_home``),
    saw it answer and serve (``served``); failed too if the probe asked an account that
    claims uploads in the swarm for a piece it advertised and got none, no bitfield, or
    corrupt data; else none."""
    claims = {b.receipt_id: b for b in ix.bandwidth}
    failed: dict[tuple[str, str], ReasonCode] = {}
    for finding in sorted(findings):
        claim = claims.get(finding.receipt_id)
        if claim is None:
            continue
        if finding.code in UPLOADER_FAILS:
            account = claim.uploader
        elif finding.code in DOWNLOADER_FAILS:
            account = claim.downloader
        else:
            continue
        for probe_id in _probe_refs(finding):
            failed.setdefault((account, probe_id), finding.code)
    uploaders = {(b.uploader, b.infohash) for b in ix.bandwidth}
    passed: set[tuple[str, str]] = set()
    for (probe_id, account), observations in ix.observations.items():
        if not ix.is_home(probe_id):
            continue  # a probe read by two epochs vouches once: in its home epoch
        if any(served(o) for o in observations):
            passed.add((account, probe_id))
            continue
        claims_uploads = (account, ix.probes[probe_id].infohash) in uploaders
        for o in observations:
            code = SERVICE_FAILS.get(o.service or "")
            if code is not None and claims_uploads:
                failed.setdefault((account, probe_id), code)
    outcomes = [ProbeOutcome(a, p, False, code) for (a, p), code in failed.items()]
    outcomes += [ProbeOutcome(a, p, True) for (a, p) in sorted(passed) if (a, p) not in failed]
    return tuple(sorted(outcomes))
