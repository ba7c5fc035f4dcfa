"""Probe outcomes: which accounts a probe vouched for and which it caught."""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
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
DOWNLOADER_FAILS = frozenset({ReasonCode.DOWNLOADER_ABSENT, ReasonCode.EXCEEDS_BITFIELD_GROWTH})


def _probe_refs(finding: Finding) -> list[str]:
    return sorted(ref[len("probe:") :] for ref in finding.evidence if ref.startswith("probe:"))


def probe_outcomes(ix: EpochIndex, findings: list[Finding]) -> tuple[ProbeOutcome, ...]:
    """One outcome per (account, probe): failed if evidence of that probe contradicted one of
    the account's claims; passed if the probe, started in this epoch, saw it answer and
    serve; else none."""
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
    passed: set[tuple[str, str]] = set()
    for (probe_id, account), observations in ix.observations.items():
        if not ix.is_home(probe_id):
            continue  # a probe read by two epochs vouches once: in the one it started in
        if any(o.answered_handshake and o.bytes_served > 0 for o in observations):
            passed.add((account, probe_id))
    outcomes = [ProbeOutcome(a, p, False, code) for (a, p), code in failed.items()]
    outcomes += [ProbeOutcome(a, p, True) for (a, p) in sorted(passed) if (a, p) not in failed]
    return tuple(sorted(outcomes))
