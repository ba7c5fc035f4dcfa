"""Unsampled windows: no probe covered them, so reputation sets the weight.

- The uploader's probe-history weight (its failure share) applies to each claim.
- New accounts are capped until vetted: in each (downloader, swarm, window), the claims
  from uploaders that have not passed VETTING_PASSES probes may add up to at most
  NEW_UPLOADER_RATIO_PPM times the claims from vetted uploaders (largest cut first).

(The signer's own reputation tightens its bitrate bound; see rules/downloader.py.)
"""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.reputation import Reputation, is_vetted, reputation_weight
from servicelayer.verification.tolerances import NEW_UPLOADER_RATIO_PPM, PPM
from servicelayer.verification.verdicts import Finding, water_fill

WindowKey = tuple[str, str, int]


def check_unsampled(ix: EpochIndex, reputations: dict[str, Reputation]) -> list[Finding]:
    found: list[Finding] = []
    vetted_bytes: dict[WindowKey, int] = {}
    unvetted: dict[WindowKey, list[tuple[str, int]]] = {}
    for claim in ix.bandwidth:
        if ix.covering_probe(claim.infohash, claim.window_start) is not None:
            continue
        rep = reputations.get(claim.uploader)
        weight = reputation_weight(rep)
        if weight < PPM:
            ref = (f"reputation:{claim.uploader}",)
            found.append(Finding(claim.receipt_id, ReasonCode.LOW_REPUTATION, weight, ref))
        key = (claim.downloader, claim.infohash, claim.window_start)
        if is_vetted(rep):
            vetted_bytes[key] = vetted_bytes.get(key, 0) + claim.delta_bytes
        else:
            unvetted.setdefault(key, []).append((claim.receipt_id, claim.delta_bytes))
    by_id = {c.receipt_id: c for c in ix.bandwidth}
    for key, items in sorted(unvetted.items()):
        budget = vetted_bytes.get(key, 0) * NEW_UPLOADER_RATIO_PPM // PPM
        for rid, w in sorted(water_fill(items, budget).items()):
            ref = (f"reputation:{by_id[rid].uploader}",)
            found.append(Finding(rid, ReasonCode.UNVETTED_ACCOUNT, w, ref))
    return found
