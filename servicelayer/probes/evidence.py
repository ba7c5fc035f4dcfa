"""What one probe saw in one swarm, as frozen values with a stable JSON form.

Conventions: infohash is 40 lowercase hex characters (BitTorrent v1), wall-clock times are int
unix seconds, byte counts are ints. A rate needs finer time than a second, so served samples carry
``elapsed_ms``: integer milliseconds on a monotonic clock since the probe started. Bitfields are
hex in BitTorrent wire order (piece 0 is the most significant bit of the first byte).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

from servicelayer.errors import InvalidInput

EVIDENCE_VERSION = 1


@dataclass(frozen=True)
class PeerObservation:
    """One remote peer as the probe saw it over the probe window."""

    endpoint: str
    named: bool  # the caller asked the probe to connect to this endpoint
    answered: bool  # it completed a BitTorrent handshake with the probe
    peer_id: str  # 40 hex characters; "" when it never answered
    client: str  # client name it announced ("" if none)
    first_seen: int  # unix seconds of the first answer; 0 when it never answered
    last_seen: int  # unix seconds of the last time it was connected; 0 when never
    sources: tuple[str, ...]  # how the probe learnt of it: named, tracker, dht, pex, lsd, incoming
    payload_down: int  # payload bytes this peer served to the probe
    payload_up: int  # payload bytes the probe served to this peer
    hash_failures: int  # pieces from this peer that failed the hash check
    pieces: int  # pieces it had at its last bitfield
    seed: bool
    banned: bool  # the probe banned it for sending data that failed the hash check
    error: str  # the last connection error ("" if none)


@dataclass(frozen=True)
class BitfieldSample:
    """A peer's bitfield whenever it changed."""

    endpoint: str
    at: int  # unix seconds
    elapsed_ms: int
    bitfield: str  # hex, BitTorrent wire order
    pieces: int  # set bits


@dataclass(frozen=True)
class ServedSample:
    """The cumulative payload bytes a peer had served to the probe at a moment."""

    endpoint: str
    elapsed_ms: int
    payload_down: int


@dataclass(frozen=True)
class ProbeCost:
    """What the probe itself spent: payload and protocol bytes, each way."""

    payload_down: int
    payload_up: int
    protocol_down: int
    protocol_up: int

    @property
    def total(self) -> int:
        return self.payload_down + self.payload_up + self.protocol_down + self.protocol_up


SERVED, REFUSED, NO_BITFIELD, CORRUPT, UNREACHABLE = (
    "served",
    "refused",
    "no_bitfield",
    "corrupt",
    "unreachable",
)
SERVICE_RESULTS = (SERVED, REFUSED, NO_BITFIELD, CORRUPT, UNREACHABLE)


@dataclass(frozen=True)
class ServiceCheck:
    """The probe, alone with one peer, asked it for one piece it advertised
    (servicelayer.probes.service_check); ``result`` is one of SERVICE_RESULTS."""

    endpoint: str
    started_at: int  # unix seconds
    elapsed_ms: int  # how long the check ran
    advertised: int  # pieces in the peer's bitfield (0: none, or no bitfield)
    piece: int  # the piece asked for; -1 when none was
    unchoked: bool  # the peer unchoked the probe
    first_byte_ms: int  # when its first payload byte came; -1 if none did
    payload_down: int  # payload bytes it delivered
    verified: bool  # the asked piece arrived whole and passed the hash check
    hash_failures: int
    result: str


@dataclass(frozen=True)
class SwarmEvidence:
    """The evidence of one probe of one swarm."""

    infohash: str
    started_at: int
    ended_at: int
    has_metadata: bool
    num_pieces: int
    piece_size: int
    total_size: int
    budget_bytes: int
    sampled_pieces: tuple[int, ...]  # pieces the probe chose to download
    verified_pieces: tuple[int, ...]  # of those, the ones it got and that passed the hash check
    hash_failures: int
    peers: tuple[PeerObservation, ...]
    bitfields: tuple[BitfieldSample, ...]
    served: tuple[ServedSample, ...]
    cost: ProbeCost
    version: int = EVIDENCE_VERSION
    service: tuple[ServiceCheck, ...] = ()  # checks run after the observation ended

    def service_check(self, endpoint: str) -> ServiceCheck | None:
        for check in self.service:
            if check.endpoint == endpoint:
                return check
        return None

    def peer(self, endpoint: str) -> PeerObservation | None:
        for peer in self.peers:
            if peer.endpoint == endpoint:
                return peer
        return None

    def served_samples(self, endpoint: str) -> tuple[ServedSample, ...]:
        return tuple(s for s in self.served if s.endpoint == endpoint)

    def served_rate(self, endpoint: str) -> int | None:
        """Bytes per second the peer served at while it was sending (None if it sent nothing)."""
        return served_rate(self.served_samples(endpoint))


def served_span(
    samples: tuple[ServedSample, ...] | list[ServedSample],
) -> tuple[int, int] | None:
    """(bytes moved, milliseconds) while the peer was sending, from cumulative counters:
    from the last sample before the first increase to the first sample that reached the
    final count (None if it sent nothing)."""
    ordered = sorted(samples, key=lambda s: s.elapsed_ms)
    if len(ordered) < 2 or ordered[-1].payload_down <= ordered[0].payload_down:
        return None
    base = ordered[0].payload_down
    start = next(i for i, s in enumerate(ordered) if s.payload_down > base) - 1
    final = ordered[-1].payload_down
    end = next(i for i, s in enumerate(ordered) if s.payload_down == final)
    moved = final - ordered[start].payload_down
    return moved, max(1, ordered[end].elapsed_ms - ordered[start].elapsed_ms)


def served_rate(samples: tuple[ServedSample, ...] | list[ServedSample]) -> int | None:
    """Rate (bytes/s, integer) while the peer was sending (see ``served_span``)."""
    span = served_span(samples)
    return None if span is None else span[0] * 1000 // span[1]


def bitfield_hex(pieces: list[bool]) -> str:
    """Pack a piece list into hex, BitTorrent wire order."""
    out = bytearray((len(pieces) + 7) // 8)
    for index, have in enumerate(pieces):
        if have:
            out[index // 8] |= 0x80 >> (index % 8)
    return out.hex()


def bitfield_has(bitfield: str, index: int) -> bool:
    raw = bytes.fromhex(bitfield)
    if not 0 <= index < len(raw) * 8:
        return False
    return bool(raw[index // 8] & (0x80 >> (index % 8)))


def evidence_to_json(evidence: SwarmEvidence) -> dict[str, Any]:
    """A JSON-ready dict (lists for tuples); stable key names."""
    data: dict[str, Any] = json.loads(json.dumps(asdict(evidence)))
    return data


def evidence_dumps(evidence: SwarmEvidence) -> str:
    return json.dumps(evidence_to_json(evidence), sort_keys=True, separators=(",", ":"))


def evidence_loads(text: str | bytes) -> SwarmEvidence:
    try:
        data = json.loads(text)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"evidence is not JSON: {exc}", code="bad_evidence") from None
    return evidence_from_json(data)


def evidence_from_json(data: Any) -> SwarmEvidence:
    """Rebuild evidence from its JSON form; any missing or mistyped field is ``bad_evidence``."""
    obj = _Reader(data, "evidence")
    if obj.get_int("version") != EVIDENCE_VERSION:
        raise InvalidInput("unsupported evidence version", code="bad_evidence")
    infohash = obj.get_str("infohash")
    if len(infohash) != 40 or not _is_lower_hex(infohash):
        raise InvalidInput("infohash must be 40 lowercase hex characters", code="bad_evidence")
    cost = _Reader(obj.raw("cost"), "cost")
    return SwarmEvidence(
        infohash=infohash,
        started_at=obj.get_int("started_at"),
        ended_at=obj.get_int("ended_at"),
        has_metadata=obj.get_bool("has_metadata"),
        num_pieces=obj.get_int("num_pieces"),
        piece_size=obj.get_int("piece_size"),
        total_size=obj.get_int("total_size"),
        budget_bytes=obj.get_int("budget_bytes"),
        sampled_pieces=obj.get_ints("sampled_pieces"),
        verified_pieces=obj.get_ints("verified_pieces"),
        hash_failures=obj.get_int("hash_failures"),
        peers=tuple(_peer(item) for item in obj.get_list("peers")),
        bitfields=tuple(_bitfield(item) for item in obj.get_list("bitfields")),
        served=tuple(_served(item) for item in obj.get_list("served")),
        cost=ProbeCost(
            payload_down=cost.get_int("payload_down"),
            payload_up=cost.get_int("payload_up"),
            protocol_down=cost.get_int("protocol_down"),
            protocol_up=cost.get_int("protocol_up"),
        ),
        service=tuple(_service(item) for item in obj.get_list("service"))
        if "service" in data
        else (),
    )


def _service(data: Any) -> ServiceCheck:
    obj = _Reader(data, "service")
    result = obj.get_str("result")
    if result not in SERVICE_RESULTS:
        raise InvalidInput("service.result is not a known result", code="bad_evidence")
    piece, first = obj.raw("piece"), obj.raw("first_byte_ms")
    for name, value in (("piece", piece), ("first_byte_ms", first)):
        if isinstance(value, bool) or not isinstance(value, int) or value < -1:
            raise InvalidInput(f"service.{name} must be an integer >= -1", code="bad_evidence")
    return ServiceCheck(
        endpoint=obj.get_str("endpoint"),
        started_at=obj.get_int("started_at"),
        elapsed_ms=obj.get_int("elapsed_ms"),
        advertised=obj.get_int("advertised"),
        piece=piece,
        unchoked=obj.get_bool("unchoked"),
        first_byte_ms=first,
        payload_down=obj.get_int("payload_down"),
        verified=obj.get_bool("verified"),
        hash_failures=obj.get_int("hash_failures"),
        result=result,
    )


def _peer(data: Any) -> PeerObservation:
    obj = _Reader(data, "peer")
    return PeerObservation(
        endpoint=obj.get_str("endpoint"),
        named=obj.get_bool("named"),
        answered=obj.get_bool("answered"),
        peer_id=obj.get_str("peer_id"),
        client=obj.get_str("client"),
        first_seen=obj.get_int("first_seen"),
        last_seen=obj.get_int("last_seen"),
        sources=tuple(obj.get_strs("sources")),
        payload_down=obj.get_int("payload_down"),
        payload_up=obj.get_int("payload_up"),
        hash_failures=obj.get_int("hash_failures"),
        pieces=obj.get_int("pieces"),
        seed=obj.get_bool("seed"),
        banned=obj.get_bool("banned"),
        error=obj.get_str("error"),
    )


def _bitfield(data: Any) -> BitfieldSample:
    obj = _Reader(data, "bitfield")
    bits = obj.get_str("bitfield")
    if not _is_lower_hex(bits) or len(bits) % 2:
        raise InvalidInput("bitfield must be lowercase hex bytes", code="bad_evidence")
    return BitfieldSample(
        endpoint=obj.get_str("endpoint"),
        at=obj.get_int("at"),
        elapsed_ms=obj.get_int("elapsed_ms"),
        bitfield=bits,
        pieces=obj.get_int("pieces"),
    )


def _served(data: Any) -> ServedSample:
    obj = _Reader(data, "served")
    return ServedSample(
        endpoint=obj.get_str("endpoint"),
        elapsed_ms=obj.get_int("elapsed_ms"),
        payload_down=obj.get_int("payload_down"),
    )


def _is_lower_hex(text: str) -> bool:
    return all(c in "0123456789abcdef" for c in text)


class _Reader:
    """Typed field access on a JSON object; every failure is ``bad_evidence``."""

    def __init__(self, data: Any, what: str) -> None:
        if not isinstance(data, dict):
            raise InvalidInput(f"{what} must be an object", code="bad_evidence")
        self._data = data
        self._what = what

    def raw(self, key: str) -> Any:
        if key not in self._data:
            raise InvalidInput(f"{self._what}.{key} is missing", code="bad_evidence")
        return self._data[key]

    def _fail(self, key: str, kind: str) -> InvalidInput:
        return InvalidInput(f"{self._what}.{key} must be {kind}", code="bad_evidence")

    def get_int(self, key: str) -> int:
        value = self.raw(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self._fail(key, "an integer >= 0")
        return value

    def get_bool(self, key: str) -> bool:
        value = self.raw(key)
        if not isinstance(value, bool):
            raise self._fail(key, "a boolean")
        return value

    def get_str(self, key: str) -> str:
        value = self.raw(key)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def get_list(self, key: str) -> list[Any]:
        value = self.raw(key)
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        return value

    def get_ints(self, key: str) -> tuple[int, ...]:
        values = self.get_list(key)
        if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in values):
            raise self._fail(key, "a list of integers >= 0")
        return tuple(values)

    def get_strs(self, key: str) -> tuple[str, ...]:
        values = self.get_list(key)
        if not all(isinstance(v, str) for v in values):
            raise self._fail(key, "a list of strings")
        return tuple(values)
