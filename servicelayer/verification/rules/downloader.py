"""Downloader bounds: what a downloader signed for in a window cannot exceed what its
bitfield grew by, nor what the stream's bitrate lets it consume; what it signed for up
to a window's end cannot exceed the pieces a probe saw it hold then; and what one session
signed for from one source cannot exceed the whole content.

The window bounds are applied to the sum over all its uploaders (P2P and CDN) and cut
with ``water_fill``: the largest claims are cut first, so the small honest receipts of a
downloader that inflated one big receipt survive.
"""

from __future__ import annotations

from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.index import EpochIndex
from servicelayer.verification.model import PeerObservation, SwarmProbe
from servicelayer.verification.reputation import Reputation, reputation_weight
from servicelayer.verification.tolerances import (
    BITFIELD_SLACK_PIECES,
    BITFIELD_TOLERANCE_PPM,
    BITRATE_TOLERANCE_PPM,
    HELD_CLOCK_SLACK_SECONDS,
    PPM,
    PREBUFFER_SECONDS,
    SESSION_SLACK_PIECES,
    WINDOW_SECONDS,
)
from servicelayer.verification.verdicts import Finding, ratio_ppm, water_fill

DownloadKey = tuple[str, str, int]
"""(downloader account, infohash, window_start)."""


def download_groups(ix: EpochIndex) -> dict[DownloadKey, list[tuple[str, int, int]]]:
    """(receipt_id, delta_bytes, started_at) of everything each downloader received."""
    if ix.downloads is not None:
        return ix.downloads
    groups: dict[DownloadKey, list[tuple[str, int, int]]] = {}
    for b in ix.bandwidth:
        key = (b.downloader, b.infohash, b.window_start)
        groups.setdefault(key, []).append((b.receipt_id, b.delta_bytes, b.started_at))
    for c in ix.cdn:
        key = (c.viewer, c.content, c.window_start)
        groups.setdefault(key, []).append((c.receipt_id, c.delta_bytes, c.started_at))
    result = dict(sorted(groups.items()))
    ix.downloads = result
    return result


def bitrate_budget(bitrate: int, window_start: int, started: list[int], trust_ppm: int) -> int:
    """Bytes a viewer may receive in a window: the stream plus a tolerance and, for a
    session starting in it, a prebuffer; both extras scale with the signer's trust."""
    extra_ppm = (BITRATE_TOLERANCE_PPM - PPM) * trust_ppm // PPM
    budget = bitrate * WINDOW_SECONDS * (PPM + extra_ppm) // PPM
    if any(s >= window_start for s in started):
        budget += bitrate * PREBUFFER_SECONDS * trust_ppm // PPM
    return budget


def check_bitrate(ix: EpochIndex, reputations: dict[str, Reputation]) -> list[Finding]:
    """Cut a downloader's receipts of a window down to what the stream bitrate allows."""
    found: list[Finding] = []
    trust_of: dict[str, int] = {}
    for (downloader, infohash, window_start), items in download_groups(ix).items():
        bitrate = ix.bitrates.get(infohash)
        if bitrate is None:
            continue
        trust = trust_of.get(downloader)
        if trust is None:
            trust = trust_of[downloader] = reputation_weight(reputations.get(downloader))
        budget = bitrate_budget(bitrate, window_start, [s for _, _, s in items], trust)
        cuts = water_fill(((rid, amount) for rid, amount, _ in items), budget)
        ref = (f"bitrate:{infohash}",)
        code = ReasonCode.EXCEEDS_STREAM_BITRATE
        found += [Finding(rid, code, w, ref) for rid, w in cuts.items()]
    return found


def _growth(obs: PeerObservation, window_start: int) -> int | None:
    """Pieces gained across the window, bracketed by the samples around it."""
    before = [have for t, have in obs.bitfield if t <= window_start]
    after = [have for t, have in obs.bitfield if t >= window_start + WINDOW_SECONDS]
    if not before or not after:
        return None
    return max(0, after[0] - before[-1])


def _measured_growth(
    ix: EpochIndex, downloader: str, infohash: str, window_start: int
) -> tuple[SwarmProbe, int] | None:
    """The first probe overlapping the window that bracketed it with bitfield samples of
    every observation of the downloader, and the pieces it gained."""
    for probe in ix.probes_over(infohash, window_start, window_start + WINDOW_SECONDS):
        growths = [_growth(o, window_start) for o in ix.seen(probe, downloader)]
        if growths and all(g is not None for g in growths):
            return probe, sum(g for g in growths if g is not None)
    return None


def check_bitfield(ix: EpochIndex) -> list[Finding]:
    found: list[Finding] = []
    for (downloader, infohash, window_start), items in download_groups(ix).items():
        measured = _measured_growth(ix, downloader, infohash, window_start)
        if measured is None:
            continue
        probe, growth = measured
        pieces = growth + BITFIELD_SLACK_PIECES
        budget = pieces * probe.piece_size * BITFIELD_TOLERANCE_PPM // PPM
        cuts = water_fill(((rid, amount) for rid, amount, _ in items), budget)
        ref = (f"probe:{probe.probe_id}",)
        code = ReasonCode.EXCEEDS_BITFIELD_GROWTH
        found += [Finding(rid, code, w, ref) for rid, w in cuts.items()]
    return found


def _sessions(ix: EpochIndex) -> list[tuple[str, str, int, int]]:
    """(receipt id, content, session total, delta) of every bandwidth and CDN claim."""
    claims = [(b.receipt_id, b.infohash, b.total_bytes, b.delta_bytes) for b in ix.bandwidth]
    claims += [(c.receipt_id, c.content, c.total_bytes, c.delta_bytes) for c in ix.cdn]
    return sorted(claims)


def check_content_size(ix: EpochIndex) -> list[Finding]:
    """A session never fetches a piece it already has, so what one session signed for from
    one source (its cumulative ``total_bytes``) cannot exceed the content's size, as the
    swarm's probes read it from the torrent (``EpochIndex.sizes``), plus
    SESSION_SLACK_PIECES. Each claim keeps the part of its delta below that ceiling: a
    viewer that signs several times the bytes it got is paid at most for the video once."""
    found: list[Finding] = []
    for rid, infohash, total, delta in _sessions(ix):
        size = ix.sizes.get(infohash)
        if size is None or delta == 0:
            continue
        ceiling = size[0] + SESSION_SLACK_PIECES * size[1]
        allowed = max(0, min(total, ceiling) - min(total - delta, ceiling))
        if allowed < delta:
            ref = (f"torrent:{infohash}",)
            weight = ratio_ppm(allowed, delta)
            found.append(Finding(rid, ReasonCode.EXCEEDS_CONTENT_SIZE, weight, ref))
    return found


def _bytes_held(ix: EpochIndex, downloader: str, infohash: str, at: int) -> tuple[str, int] | None:
    """(probe id, bytes of the pieces) the downloader held at ``at`` as a probe saw it:
    the probe was connected to every endpoint the account registered at that moment (so no
    device of it is unseen), and each one's last bitfield sample before ``at`` counts
    (samples are kept when they change). The most any such probe saw, or None."""
    registered = ix.endpoints.get(downloader, ())
    best: tuple[str, int] | None = None
    for probe in ix.probes_over(infohash, at, at + 1):
        held: dict[str, int] = {}
        for o in ix.seen(probe, downloader):
            samples = [have for t, have in o.bitfield if t <= at]
            if o.first_seen <= at <= o.last_seen and samples:
                held[o.endpoint] = max(held.get(o.endpoint, 0), samples[-1])
        if not registered or set(held) != set(registered):
            continue
        pieces = sum(held.values()) * probe.piece_size
        if best is None or pieces > best[1]:
            best = (probe.probe_id, pieces)
    return best


def check_pieces_held(ix: EpochIndex) -> list[Finding]:
    """Bytes a downloader received of a content up to a window's end (the cumulative
    totals of its streams there, over all its sources) cannot exceed the pieces it held
    then, plus BITFIELD_SLACK_PIECES in flight, at BITFIELD_TOLERANCE. A probe connected
    to the downloader tells (``_bytes_held``); the excess comes out of the window's
    deltas, largest first. A viewer that signs several times the bytes it got is cut to
    what it holds, window by window."""
    totals = {rid: total for rid, _, total, _ in _sessions(ix)}
    found: list[Finding] = []
    for (downloader, infohash, window_start), items in download_groups(ix).items():
        at = window_start + WINDOW_SECONDS + HELD_CLOCK_SLACK_SECONDS
        held = _bytes_held(ix, downloader, infohash, at)
        if held is None:
            continue
        probe_id, held_bytes = held
        piece = ix.probes[probe_id].piece_size
        ceiling = (held_bytes + BITFIELD_SLACK_PIECES * piece) * BITFIELD_TOLERANCE_PPM // PPM
        before = sum(totals[rid] - delta for rid, delta, _ in items)
        cuts = water_fill(((rid, delta) for rid, delta, _ in items), max(0, ceiling - before))
        ref = (f"probe:{probe_id}",)
        code = ReasonCode.EXCEEDS_PIECES_HELD
        found += [Finding(rid, code, w, ref) for rid, w in cuts.items()]
    return found
