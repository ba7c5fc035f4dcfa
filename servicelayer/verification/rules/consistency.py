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


def check_duplicate_sessions(ix: EpochIndex) -> list[Finding]:
    """One peer pair has one connection per swarm at a time: a reconnect shares at most
    one window with the session before it. Two sessions of the same pair that overlap in
    more windows are the same bytes signed twice; the later-started one is rejected in
    the windows they share."""
    spans: dict[tuple[str, str, str], dict[str, list[tuple[int, str]]]] = {}
    for b in ix.bandwidth:
        pair = spans.setdefault((b.downloader, b.uploader, b.infohash), {})
        pair.setdefault(b.session, []).append((b.window_start, b.receipt_id))
    found: list[Finding] = []
    starts = {b.receipt_id: b.started_at for b in ix.bandwidth}
    for _, sessions in sorted(spans.items()):
        if len(sessions) < 2:
            continue
        ordered = sorted(sessions.items(), key=lambda kv: (starts[kv[1][0][1]], kv[0]))
        for index, (_, rows) in enumerate(ordered):
            mine = {w for w, _ in rows}
            earlier = set().union(*({w for w, _ in r} for _, r in ordered[:index]))
            shared = mine & earlier
            if len(shared) < 2:
                continue
            found += [
                Finding(rid, ReasonCode.DUPLICATE_SESSION, 0)
                for w, rid in sorted(rows)
                if w in shared
            ]
    return found
