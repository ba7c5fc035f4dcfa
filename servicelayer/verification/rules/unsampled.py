"""Unsampled windows: no probe covered them, so the uploader's reputation sets the weight.

The weight is the uploader's probe-history weight (its failure share). An uploader that
has not yet passed VETTING_PASSES probes is paid for at most NEW_ACCOUNT_BYTES_PER_EPOCH
of unsampled bytes per epoch, and a claim between two unvetted accounts weighs
NEW_PAIR_WEIGHT_PPM. (The signer's reputation tightens its bitrate bound; see
rules/downloader.py.)
"""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.reputation import Reputation, is_vetted, reputation_weight
from servicelayer.verification.tolerances import (
    NEW_ACCOUNT_BYTES_PER_EPOCH,
    NEW_PAIR_WEIGHT_PPM,
    PPM,
)
from servicelayer.verification.verdicts import Finding, water_fill


def check_unsampled(ix: EpochIndex, reputations: dict[str, Reputation]) -> list[Finding]:
    found: list[Finding] = []
    unvetted: dict[str, list[tuple[str, int]]] = {}
    for claim in ix.bandwidth:
        if ix.covering_probe(claim.infohash, claim.window_start) is not None:
            continue
        weight = reputation_weight(reputations.get(claim.uploader))
        if weight < PPM:
            ref = (f"reputation:{claim.uploader}",)
            found.append(Finding(claim.receipt_id, ReasonCode.LOW_REPUTATION, weight, ref))
        if not is_vetted(reputations.get(claim.uploader)):
            items = unvetted.setdefault(claim.uploader, [])
            items.append((claim.receipt_id, claim.delta_bytes))
            if not is_vetted(reputations.get(claim.downloader)):
                refs = (f"reputation:{claim.downloader}", f"reputation:{claim.uploader}")
                code = ReasonCode.UNVETTED_ACCOUNT
                found.append(Finding(claim.receipt_id, code, NEW_PAIR_WEIGHT_PPM, refs))
    for uploader, items in sorted(unvetted.items()):
        ref = (f"reputation:{uploader}",)
        cuts = water_fill(items, NEW_ACCOUNT_BYTES_PER_EPOCH)
        found += [Finding(r, ReasonCode.UNVETTED_ACCOUNT, w, ref) for r, w in cuts.items()]
    return found
