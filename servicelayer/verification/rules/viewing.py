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
    WATCH_BYTES_SLACK_SECONDS,
    WATCH_BYTES_TOLERANCE_PPM,
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


Received = dict[tuple[str, str], dict[int, int]]
"""(viewer, infohash) -> window_start -> verified bytes received in that window."""


def check_bytes_backing(ix: EpochIndex, received: Received) -> list[Finding]:
    """Playback cannot run ahead of download: up to each window, the seconds watched x
    bitrate (counting the seconds watched in earlier epochs, ``EpochInputs.earlier``)
    must be backed by the bytes the viewer received up to that window (this epoch's,
    verified, plus the earlier epochs'), at VIEW_BYTES_TOLERANCE_PPM, plus
    VIEW_BYTES_SLACK_SECONDS for a viewer that received any bytes of the content. The
    windows past what the bytes cover are cut, so inflated minutes at the end of a
    session lose their weight and the minutes that were really watched keep it; minutes
    watched without a byte received are rejected."""
    earlier = {(e.viewer, e.content): e for e in ix.inputs.earlier}
    groups: dict[tuple[str, str], dict[int, list[tuple[str, int]]]] = {}
    for v in ix.viewing:
        windows = groups.setdefault((v.viewer, v.content), {})
        windows.setdefault(v.window_start, []).append((v.receipt_id, v.delta_seconds))
    found: list[Finding] = []
    for (viewer, content), windows in sorted(groups.items()):
        bitrate = ix.bitrates.get(content)
        if not bitrate:
            continue
        got = received.get((viewer, content), {})
        got_windows = sorted(got)
        before = earlier.get((viewer, content))
        cum_bytes = before.received_bytes if before else 0
        paid = before.watched_seconds if before else 0
        index = 0
        ref = (f"bitrate:{content}",)
        for window, items in sorted(windows.items()):
            while index < len(got_windows) and got_windows[index] <= window:
                cum_bytes += got[got_windows[index]]
                index += 1
            backed = cum_bytes * PPM // (bitrate * VIEW_BYTES_TOLERANCE_PPM)
            slack = VIEW_BYTES_SLACK_SECONDS if cum_bytes > 0 else 0
            allowed = max(0, backed + slack - paid)
            cuts = water_fill(items, allowed)
            paid += sum(sec * cuts.get(rid, PPM) // PPM for rid, sec in items)
            code = ReasonCode.VIEWING_NOT_BACKED_BY_BYTES
            found += [Finding(rid, code, w, ref) for rid, w in cuts.items()]
    return found


def check_bytes_watched(ix: EpochIndex) -> list[Finding]:
    """Bytes a downloader signed for in a swarm must be watched: over the epoch they may
    exceed its viewing seconds x bitrate only by WATCH_BYTES_TOLERANCE_PPM plus
    WATCH_BYTES_SLACK_SECONDS of stream. Accounts that trade a stream nobody watches
    (sybils signing each other bytes) are cut here, largest receipts first."""
    watched: dict[tuple[str, str], int] = {}
    for v in ix.viewing:
        key = (v.viewer, v.content)
        watched[key] = watched.get(key, 0) + min(v.delta_seconds, WINDOW_SECONDS)
    groups: dict[tuple[str, str], list[tuple[str, int]]] = {}
    for b in ix.bandwidth:
        groups.setdefault((b.downloader, b.infohash), []).append((b.receipt_id, b.delta_bytes))
    for c in ix.cdn:
        groups.setdefault((c.viewer, c.content), []).append((c.receipt_id, c.delta_bytes))
    found: list[Finding] = []
    for key, items in sorted(groups.items()):
        bitrate = ix.bitrates.get(key[1])
        if not bitrate:
            continue
        seconds = watched.get(key, 0) * WATCH_BYTES_TOLERANCE_PPM // PPM
        budget = bitrate * (seconds + WATCH_BYTES_SLACK_SECONDS)
        cuts = water_fill(items, budget)
        ref = (f"bitrate:{key[1]}",)
        found += [Finding(r, ReasonCode.BYTES_NOT_WATCHED, w, ref) for r, w in cuts.items()]
    return found
