"""Viewing-time rules: wall clock, concurrent sessions, and bytes actually received."""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.tolerances import (
    MAX_CONCURRENT_SESSIONS,
    PPM,
    VIEW_BYTES_SLACK_SECONDS,
    VIEW_BYTES_TOLERANCE_PPM,
    VIEW_CLOCK_SLACK_SECONDS,
    WINDOW_SECONDS,
)
from servicelayer.verification.verdicts import Finding, water_fill


def check_wallclock(ix: EpochIndex) -> list[Finding]:
    """A session cannot watch more than the window's length in it, nor more in total than
    the time since the session started."""
    found: list[Finding] = []
    for v in ix.viewing:
        elapsed = v.window_start + WINDOW_SECONDS - v.started_at
        too_long = v.delta_seconds > WINDOW_SECONDS + VIEW_CLOCK_SLACK_SECONDS
        if too_long or v.total_seconds > elapsed + VIEW_CLOCK_SLACK_SECONDS:
            found.append(Finding(v.receipt_id, ReasonCode.VIEWING_EXCEEDS_WALLCLOCK, 0))
    return found


def check_concurrency(ix: EpochIndex) -> list[Finding]:
    """A viewer's sessions in one window sum to at most MAX_CONCURRENT_SESSIONS x window."""
    groups: dict[tuple[str, int], list[tuple[str, int]]] = {}
    for v in ix.viewing:
        groups.setdefault((v.viewer, v.window_start), []).append((v.receipt_id, v.delta_seconds))
    budget = WINDOW_SECONDS * MAX_CONCURRENT_SESSIONS
    found: list[Finding] = []
    for key in sorted(groups):
        cuts = water_fill(groups[key], budget)
        code = ReasonCode.VIEWING_OVER_CONCURRENCY
        found += [Finding(rid, code, w) for rid, w in cuts.items()]
    return found


def check_bytes_backing(ix: EpochIndex, received: dict[tuple[str, str], int]) -> list[Finding]:
    """Seconds watched x bitrate must be backed by bytes the viewer verifiably received in
    that swarm this epoch (``received``: (viewer, infohash) -> weighted bytes)."""
    groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for v in ix.viewing:
        groups.setdefault((v.viewer, v.content), []).append((v.receipt_id, v.delta_seconds))
    found: list[Finding] = []
    for (viewer, content), items in sorted(groups.items()):
        bitrate = ix.bitrates.get(content)
        if not bitrate:
            continue
        got = received.get((viewer, content), 0)
        backed = got * PPM // (bitrate * VIEW_BYTES_TOLERANCE_PPM) + VIEW_BYTES_SLACK_SECONDS
        cuts = water_fill(items, backed)
        ref = (f"bitrate:{content}",)
        code = ReasonCode.VIEWING_NOT_BACKED_BY_BYTES
        found += [Finding(rid, code, w, ref) for rid, w in cuts.items()]
    return found
