"""Unsampled windows: no probe covered them, so the uploader's reputation sets the weight."""

from __future__ import annotations

from servicelayer.verification.index import EpochIndex
from servicelayer.verification.reputation import Reputation, reputation_weight
from servicelayer.verification.verdicts import Finding


def check_unsampled(ix: EpochIndex, reputations: dict[str, Reputation]) -> list[Finding]:
    """Weight every bandwidth claim no probe covered by its uploader's reputation (after
    this epoch's probe outcomes); unvetted accounts are capped."""
    found: list[Finding] = []
    for claim in ix.bandwidth:
        if ix.covering_probe(claim.infohash, claim.window_start) is not None:
            continue
        weight, code = reputation_weight(reputations.get(claim.uploader))
        if code is not None:
            ref = (f"reputation:{claim.uploader}",)
            found.append(Finding(claim.receipt_id, code, weight, ref))
    return found
