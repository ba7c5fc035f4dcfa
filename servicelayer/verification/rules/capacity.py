"""Capacity rule: an uploader cannot claim more per window than the probe says it can serve."""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.tolerances import (
    CAPACITY_REJECT_RATIO_PPM,
    CAPACITY_TOLERANCE_PPM,
    PPM,
    UPLOAD_SLOTS,
    WINDOW_SECONDS,
)
from servicelayer.verification.verdicts import Finding, ratio_ppm


def capacity_per_window(rate: int) -> int:
    """Bytes per window an uploader measured at ``rate`` (one slot) may claim in total."""
    return rate * WINDOW_SECONDS * UPLOAD_SLOTS * CAPACITY_TOLERANCE_PPM // PPM


def check_capacity(ix: EpochIndex) -> list[Finding]:
    """Scale down an uploader's claims in any window where their sum, over all swarms,
    exceeds its probe-measured capacity; reject them outright above twice that."""
    groups: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for claim in ix.bandwidth:
        if claim.uploader in ix.capacity:
            key = (claim.uploader, claim.window_start)
            groups.setdefault(key, []).append((claim.receipt_id, claim.delta_bytes))
    found: list[Finding] = []
    for (uploader, _), items in sorted(groups.items()):
        rate, probe_id = ix.capacity[uploader]
        allowed = capacity_per_window(rate)
        total = sum(amount for _, amount in items)
        if total <= allowed:
            continue
        over = total * PPM > allowed * CAPACITY_REJECT_RATIO_PPM
        weight = 0 if over else ratio_ppm(allowed, total)
        ref = (f"probe:{probe_id}",)
        found += [Finding(rid, ReasonCode.RATE_ABOVE_CAPACITY, weight, ref) for rid, _ in items]
    return found
