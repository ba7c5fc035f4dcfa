"""Accumulates what a probe sees of each peer, poll by poll, into evidence values."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import libtorrent as lt

from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.evidence import (
    BitfieldSample,
    PeerObservation,
    ServedSample,
    bitfield_hex,
)
from servicelayer.probes.session import alert_kind, error_text

_SOURCES = (
    (lt.peer_info.tracker, "tracker"),
    (lt.peer_info.dht, "dht"),
    (lt.peer_info.pex, "pex"),
    (lt.peer_info.lsd, "lsd"),
)
_NOT_ANSWERED = lt.peer_info.connecting | lt.peer_info.handshake
_ZERO_ID = "0" * 40
# A failed attempt is final only if no new attempt follows within this grace (libtorrent
# retries over TCP at once when a uTP connection fails).
FAILURE_GRACE_MS = 1500


@dataclass
class _PeerState:
    endpoint: str
    named: bool
    sources: set[str] = field(default_factory=set)
    peer_id: str = ""
    client: str = ""
    first_seen: int = 0
    last_seen: int = 0
    payload_down: int = 0
    payload_up: int = 0
    hash_failures: int = 0
    pieces: int = 0
    seed: bool = False
    banned: bool = False
    error: str = ""
    error_ms: int = -1
    listed_ms: int = -1
    bitfield: str | None = None
    polled: ServedSample | None = None
    recorded: ServedSample | None = None

    @property
    def answered(self) -> bool:
        return self.first_seen > 0


class SwarmObserver:
    """Feed it peer lists and alerts; read peers, bitfield changes and served samples."""

    def __init__(self, named: Iterable[Endpoint]) -> None:
        self._peers: dict[str, _PeerState] = {}
        self._bitfields: list[BitfieldSample] = []
        self._served: list[ServedSample] = []
        self.hash_failures = 0
        self.name(named)

    def name(self, endpoints: Iterable[Endpoint]) -> None:
        """Endpoints the probe connects to itself (also ones named after it started)."""
        for endpoint in endpoints:
            key = str(endpoint)
            state = self._peers.get(key)
            if state is None:
                self._peers[key] = _PeerState(endpoint=key, named=True, sources={"named"})
            else:
                state.named = True
                state.sources.add("named")

    def _state(self, key: str) -> _PeerState:
        if key not in self._peers:
            self._peers[key] = _PeerState(endpoint=key, named=False)
        return self._peers[key]

    def observe_peers(self, infos: Iterable[lt.peer_info], now: int, elapsed_ms: int) -> None:
        for info in infos:
            key = _endpoint_text(info.ip)
            if key is None:
                continue
            state = self._state(key)
            state.listed_ms = elapsed_ms
            self._sources(state, info)
            if info.flags & _NOT_ANSWERED:
                continue
            peer_id = str(info.pid)
            if peer_id == _ZERO_ID:
                continue
            self._answered(state, info, peer_id, now)
            self._bitfield(state, info, now, elapsed_ms)
            self._counter(state, int(info.total_download), elapsed_ms)

    def _sources(self, state: _PeerState, info: lt.peer_info) -> None:
        for flag, name in _SOURCES:
            if info.source & flag:
                state.sources.add(name)
        if not info.flags & lt.peer_info.outgoing_connection:
            state.sources.add("incoming")

    def _answered(self, state: _PeerState, info: lt.peer_info, peer_id: str, now: int) -> None:
        if state.first_seen == 0:
            state.first_seen = now
            state.error = ""
        state.last_seen = now
        state.peer_id = peer_id
        state.client = _client_text(info.client)
        state.payload_down = max(state.payload_down, int(info.total_download))
        state.payload_up = max(state.payload_up, int(info.total_upload))
        state.hash_failures = max(state.hash_failures, int(info.num_hashfails))
        state.seed = bool(info.flags & lt.peer_info.seed)

    def _bitfield(self, state: _PeerState, info: lt.peer_info, now: int, elapsed_ms: int) -> None:
        pieces = [bool(p) for p in info.pieces]
        if not pieces:
            return
        bits = bitfield_hex(pieces)
        state.pieces = sum(pieces)
        if bits != state.bitfield:
            state.bitfield = bits
            self._bitfields.append(
                BitfieldSample(state.endpoint, now, elapsed_ms, bits, state.pieces)
            )

    def _counter(self, state: _PeerState, total: int, elapsed_ms: int) -> None:
        """Keep the samples where the counter changes, and the one just before each change."""
        sample = ServedSample(state.endpoint, elapsed_ms, total)
        previous = state.polled
        state.polled = sample
        if previous is None:
            self._record(state, sample)
            return
        if total != previous.payload_down:
            if state.recorded is not previous:
                self._record(state, previous)
            self._record(state, sample)

    def _record(self, state: _PeerState, sample: ServedSample) -> None:
        state.recorded = sample
        self._served.append(sample)

    def finish(self) -> None:
        """Close each counter series with its last polled value."""
        for state in self._peers.values():
            if state.polled is not None and state.recorded is not state.polled:
                self._record(state, state.polled)

    def observe_alert(self, alert: Any, elapsed_ms: int) -> None:
        """``alert``: a libtorrent alert or its ``session.copy_alert`` copy."""
        kind = alert_kind(alert)
        if issubclass(kind, lt.hash_failed_alert):
            self.hash_failures += 1
        elif issubclass(kind, lt.peer_ban_alert):
            key = _endpoint_text(getattr(alert, "ip", None))
            if key is not None:
                self._state(key).banned = True
        elif issubclass(
            kind, lt.peer_error_alert | lt.peer_disconnected_alert | lt.peer_blocked_alert
        ):
            key = _endpoint_text(getattr(alert, "ip", None))
            if key is not None and key in self._peers:
                self._peers[key].error = error_text(alert)
                self._peers[key].error_ms = elapsed_ms

    def named_resolved(self, elapsed_ms: int) -> bool:
        """Every named endpoint either answered (with a bitfield) or failed to connect, with
        no new attempt since."""
        return all(
            (s.answered and s.bitfield is not None) or (not s.answered and _failed(s, elapsed_ms))
            for s in self._peers.values()
            if s.named
        )

    def named_unconnected(self, connected: set[str]) -> list[str]:
        return [k for k, s in self._peers.items() if s.named and k not in connected]

    def peers(self) -> tuple[PeerObservation, ...]:
        return tuple(_observation(self._peers[key]) for key in sorted(self._peers))

    def bitfields(self) -> tuple[BitfieldSample, ...]:
        return tuple(self._bitfields)

    def served(self) -> tuple[ServedSample, ...]:
        return tuple(self._served)

    def latest_bitfields(self, answered_only: bool = True) -> dict[str, str]:
        return {
            k: s.bitfield
            for k, s in self._peers.items()
            if s.bitfield is not None and (s.answered or not answered_only)
        }


def _failed(state: _PeerState, elapsed_ms: int) -> bool:
    if not state.error or state.listed_ms > state.error_ms:
        return False
    return elapsed_ms - state.error_ms >= FAILURE_GRACE_MS


def _observation(state: _PeerState) -> PeerObservation:
    return PeerObservation(
        endpoint=state.endpoint,
        named=state.named,
        answered=state.answered,
        peer_id=state.peer_id,
        client=state.client,
        first_seen=state.first_seen,
        last_seen=state.last_seen,
        sources=tuple(sorted(state.sources)),
        payload_down=state.payload_down,
        payload_up=state.payload_up,
        hash_failures=state.hash_failures,
        pieces=state.pieces,
        seed=state.seed,
        banned=state.banned,
        error=state.error,
    )


def _endpoint_text(ip: object) -> str | None:
    if not isinstance(ip, tuple) or len(ip) != 2:
        return None
    try:
        return str(Endpoint(str(ip[0]), int(ip[1])))
    except Exception:
        return None


def _client_text(client: object) -> str:
    if isinstance(client, bytes):
        return client.decode("utf-8", errors="replace")
    return str(client)
