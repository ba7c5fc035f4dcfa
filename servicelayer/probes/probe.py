"""Run one probe: join a swarm as an ordinary peer for a window and record evidence.

The torrent is added in libtorrent's share mode: the probe announces no ``upload_only`` and
keeps its connections to seeds, sees every peer's bitfield and have messages, and downloads
nothing on its own. To check that peers really serve data, it then picks a few whole pieces
(ranked from ``piece_seed``, within ``budget_bytes``) among those the peers have and gives
them top priority; per-peer payload counters (``peer_info.total_download``), polled over time,
give who served how many bytes and at what rate.
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import libtorrent as lt

from servicelayer.errors import InvalidInput
from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.evidence import ProbeCost, SwarmEvidence
from servicelayer.probes.observer import SwarmObserver
from servicelayer.probes.sampling import choose_pieces
from servicelayer.probes.target import ProbeTarget

POLL_MS = 100
RECONNECT_MS = 5000
MAX_SECONDS = 3600
TOP_PRIORITY = 7


class ProbeCancelled(Exception):
    """A probe was stopped before its end; its partial evidence is not kept."""


class ProbeSession(Protocol):
    """What a probe needs of a session: ``TorrentSession`` or a ``SessionView`` of a shared one."""

    def add_torrent(self, params: lt.add_torrent_params) -> lt.torrent_handle: ...

    def remove_torrent(self, handle: lt.torrent_handle) -> None: ...

    def wait_alerts(self, timeout_ms: int) -> list[lt.alert]: ...


class Clock(Protocol):
    def wall_seconds(self) -> int: ...

    def monotonic_ms(self) -> int: ...


class SystemClock:
    def wall_seconds(self) -> int:
        return int(time.time())

    def monotonic_ms(self) -> int:
        return time.monotonic_ns() // 1_000_000


@dataclass
class _Run:
    handle: lt.torrent_handle
    observer: SwarmObserver
    named: tuple[Endpoint, ...]
    budget_bytes: int
    piece_seed: bytes
    started_ms: int
    more_peers: Callable[[], Sequence[Endpoint]] | None = None
    sampled: tuple[int, ...] | None = None
    last_connect_ms: int | None = None


def run_probe(
    session: ProbeSession,
    target: ProbeTarget,
    peers: Sequence[Endpoint],
    seconds: int,
    budget_bytes: int,
    clock: Clock,
    *,
    piece_seed: bytes = b"",
    stop_when_complete: bool = False,
    poll_ms: int = POLL_MS,
    cancelled: Callable[[], bool] = lambda: False,
    max_connections: int | None = None,
    on_metadata: Callable[[lt.torrent_info], None] | None = None,
    more_peers: Callable[[], Sequence[Endpoint]] | None = None,
) -> SwarmEvidence:
    """Probe ``target`` for at most ``seconds``; connect to ``peers`` (and whatever the
    tracker/DHT give). With ``stop_when_complete`` it returns as soon as every named peer
    answered or failed and the sampled pieces are in. When ``cancelled()`` turns true (the
    node is shutting down) it raises ``ProbeCancelled`` within one poll. ``max_connections``
    bounds the peer connections the probe holds; ``on_metadata`` receives the torrent's
    metadata at the end (if the probe got it), e.g. for ``check_service``; ``more_peers``
    (asked before each reconnection round) names endpoints learnt after the probe began,
    such as a peer that registered once its session started."""
    _check_arguments(peers, seconds, budget_bytes, poll_ms)
    named = tuple(dict.fromkeys(peers))
    with tempfile.TemporaryDirectory(prefix="ace-probe-") as save_path:
        handle = session.add_torrent(target.add_params(save_path))
        if max_connections is not None:
            handle.set_max_connections(max_connections)
        run = _Run(handle, SwarmObserver(named), named, budget_bytes, piece_seed, 0, more_peers)
        try:
            started_at = clock.wall_seconds()
            run.started_ms = clock.monotonic_ms()
            _loop(session, run, clock, seconds * 1000, stop_when_complete, poll_ms, cancelled)
            # One last look, so counters include whatever arrived since the last poll.
            _observe(run, clock, session.wait_alerts(0))
            run.observer.finish()
            evidence = _evidence(run, target, started_at, clock.wall_seconds())
            metadata = handle.torrent_file() if evidence.has_metadata else None
            if on_metadata is not None and metadata is not None:
                on_metadata(metadata)
            return evidence
        finally:
            session.remove_torrent(handle)


def _check_arguments(
    peers: Sequence[Endpoint], seconds: int, budget_bytes: int, poll_ms: int
) -> None:
    if not all(isinstance(p, Endpoint) for p in peers):
        raise InvalidInput("peers must be Endpoint values", code="bad_endpoint")
    for name, value, low, high in (
        ("seconds", seconds, 1, MAX_SECONDS),
        ("budget_bytes", budget_bytes, 0, 1 << 40),
        ("poll_ms", poll_ms, 10, 1000),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise InvalidInput(f"{name} must be in {low}..{high}", code="bad_probe_parameter")


def _loop(
    session: ProbeSession,
    run: _Run,
    clock: Clock,
    window_ms: int,
    stop_when_complete: bool,
    poll_ms: int,
    cancelled: Callable[[], bool],
) -> None:
    deadline = run.started_ms + window_ms
    while True:
        now_ms = clock.monotonic_ms()
        if now_ms >= deadline:
            return
        if cancelled():
            raise ProbeCancelled("the probe was cancelled")
        _connect_named(run, now_ms)
        elapsed = _observe(run, clock, session.wait_alerts(min(poll_ms, deadline - now_ms)))
        status = run.handle.status()
        _pick_pieces(run, status)
        _enforce_budget(run, status)
        if stop_when_complete and _complete(run, status, elapsed):
            return


def _observe(run: _Run, clock: Clock, alerts: list[lt.alert]) -> int:
    """Feed alerts and the current peer list to the observer; returns elapsed ms."""
    infos = run.handle.get_peer_info()
    elapsed = clock.monotonic_ms() - run.started_ms
    for alert in alerts:
        if getattr(alert, "handle", None) == run.handle or not hasattr(alert, "handle"):
            run.observer.observe_alert(alert, elapsed)
    run.observer.observe_peers(infos, clock.wall_seconds(), elapsed)
    return elapsed


def _connect_named(run: _Run, now_ms: int) -> None:
    """Connect to the named endpoints at the start, and retry those not connected now and then."""
    if run.last_connect_ms is not None and now_ms - run.last_connect_ms < RECONNECT_MS:
        return
    run.last_connect_ms = now_ms
    if run.more_peers is not None:
        run.observer.name(run.more_peers())
    connected = set()
    for info in run.handle.get_peer_info():
        if isinstance(info.ip, tuple):
            connected.add(str(Endpoint(str(info.ip[0]), int(info.ip[1]))))
    for key in run.observer.named_unconnected(connected):
        endpoint = Endpoint.parse(key)
        run.handle.connect_peer(endpoint.as_tuple())


def _pick_pieces(run: _Run, status: lt.torrent_status) -> None:
    if run.sampled is not None or not status.has_metadata:
        return
    info = run.handle.torrent_file()
    if info is None or run.budget_bytes < info.piece_length():
        run.sampled = () if info is not None else None
        return
    bitfields = run.observer.latest_bitfields()
    named_keys = {str(e) for e in run.named}
    chosen = {k: v for k, v in bitfields.items() if k in named_keys} or bitfields
    if not chosen:
        return
    available = [False] * info.num_pieces()
    for bits in chosen.values():
        raw = bytes.fromhex(bits)
        for index in range(len(available)):
            if raw[index // 8] & (0x80 >> (index % 8)):
                available[index] = True
    if not any(available):
        return  # no bitfield with pieces yet (it may still be on its way)
    have = [bool(p) for p in status.pieces]
    run.sampled = choose_pieces(
        available, have, info.piece_length(), run.budget_bytes, run.piece_seed
    )
    for index in run.sampled:
        run.handle.piece_priority(index, TOP_PRIORITY)


def _enforce_budget(run: _Run, status: lt.torrent_status) -> None:
    """Never fetch past the byte budget: drop every priority once it is spent."""
    if run.sampled and status.total_payload_download >= run.budget_bytes:
        for index in run.sampled:
            run.handle.piece_priority(index, 0)


def _complete(run: _Run, status: lt.torrent_status, elapsed_ms: int) -> bool:
    if not run.observer.named_resolved(elapsed_ms):
        return False
    if run.sampled is None:
        # Nothing sampled yet: done only if every named peer failed; else wait for pieces.
        return bool(run.named) and not run.observer.latest_bitfields()
    pieces = status.pieces
    return all(i < len(pieces) and pieces[i] for i in run.sampled)


def _evidence(run: _Run, target: ProbeTarget, started_at: int, ended_at: int) -> SwarmEvidence:
    status = run.handle.status()
    info = run.handle.torrent_file() if status.has_metadata else None
    pieces = list(status.pieces)
    sampled = run.sampled or ()
    payload_down = int(status.total_payload_download)
    payload_up = int(status.total_payload_upload)
    return SwarmEvidence(
        infohash=target.infohash,
        started_at=started_at,
        ended_at=max(started_at, ended_at),
        has_metadata=bool(status.has_metadata),
        num_pieces=info.num_pieces() if info is not None else 0,
        piece_size=info.piece_length() if info is not None else 0,
        total_size=int(info.total_size()) if info is not None else 0,
        budget_bytes=run.budget_bytes,
        sampled_pieces=sampled,
        verified_pieces=tuple(i for i in sampled if i < len(pieces) and pieces[i]),
        hash_failures=run.observer.hash_failures,
        peers=run.observer.peers(),
        bitfields=run.observer.bitfields(),
        served=run.observer.served(),
        cost=ProbeCost(
            payload_down=payload_down,
            payload_up=payload_up,
            protocol_down=max(0, int(status.total_download) - payload_down),
            protocol_up=max(0, int(status.total_upload) - payload_up),
        ),
    )
