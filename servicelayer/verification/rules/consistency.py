"""Rules that need no evidence: window alignment, epoch bounds, cumulative amounts."""

from __future__ import annotations

from collections.abc import Iterator

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.tolerances import WINDOW_SECONDS
from servicelayer.verification.verdicts import Finding


def _windows(ix: EpochIndex) -> Iterator[tuple[str, int, int, int, int]]:
    for b in ix.bandwidth:
        yield b.receipt_id, b.started_at, b.window_start, b.total_bytes, b.delta_bytes
    for c in ix.cdn:
        yield c.receipt_id, c.started_at, c.window_start, c.total_bytes, c.delta_bytes
    for v in ix.viewing:
        yield v.receipt_id, v.started_at, v.window_start, v.total_seconds, v.delta_seconds


def check_windows(ix: EpochIndex) -> list[Finding]:
    """Reject windows that are misaligned, outside the epoch, or whose amounts contradict
    themselves (window delta above the session total, session starting after the window)."""
    start, end = ix.inputs.epoch_start, ix.inputs.epoch_end
    found: list[Finding] = []
    for rid, started_at, window_start, total, delta in _windows(ix):
        if window_start % WINDOW_SECONDS:
            found.append(Finding(rid, ReasonCode.WINDOW_MISALIGNED, 0))
        elif window_start < start or window_start + WINDOW_SECONDS > end:
            found.append(Finding(rid, ReasonCode.WINDOW_OUTSIDE_EPOCH, 0))
        elif delta > total or started_at >= window_start + WINDOW_SECONDS:
            found.append(Finding(rid, ReasonCode.CUMULATIVE_INCONSISTENT, 0))
    return found


def check_self_service(ix: EpochIndex) -> list[Finding]:
    """An account cannot be paid for serving itself."""
    found = [
        Finding(b.receipt_id, ReasonCode.SELF_SERVICE, 0)
        for b in ix.bandwidth
        if b.uploader == b.downloader
    ]
    found += [
        Finding(c.receipt_id, ReasonCode.SELF_SERVICE, 0) for c in ix.cdn if c.operator == c.viewer
    ]
    return found
