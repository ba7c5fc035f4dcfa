"""Inputs of epoch verification: claims, probe evidence, registrations, payments.

These are this package's own frozen value types; the receipt store and the probe runner
are adapted into them by the caller. Every constructor validates its fields and raises
``InvalidInput`` on a bad value, so a verified epoch never sees malformed data.
Amounts and durations are non-negative integers; there are no floats.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from enum import StrEnum

from servicelayer.errors import InvalidInput
from servicelayer.verification.reputation import Reputation
from servicelayer.verification.tolerances import COVER_EDGE_SECONDS, MIN_MEASURE_SECONDS


class ClaimKind(StrEnum):
    BANDWIDTH = "bandwidth"
    VIEWING = "viewing"
    CDN = "cdn"


def _check_nonneg(owner: str, **values: int) -> None:
    for name, value in values.items():
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise InvalidInput(f"{owner}.{name} must be a non-negative integer, got {value!r}")


def _check_text(owner: str, **values: str) -> None:
    for name, value in values.items():
        if not isinstance(value, str) or not value:
            raise InvalidInput(f"{owner}.{name} must be a non-empty string")


_TEXT, _COUNT = ("str", "str | None"), ("int", "int | None")


def _check_fields(value: object) -> None:
    """Every ``str`` field of a dataclass is non-empty and every ``int`` field is a
    non-negative integer (``None`` passes where the field is optional)."""
    owner = type(value).__name__
    for f in fields(value):  # type: ignore[arg-type]
        item = getattr(value, f.name)
        if item is None and str(f.type).endswith("| None"):
            continue
        if f.type in _TEXT:
            _check_text(owner, **{f.name: item})
        elif f.type in _COUNT:
            _check_nonneg(owner, **{f.name: item})


@dataclass(frozen=True)
class BandwidthClaim:
    """``downloader`` signed that ``uploader`` served it ``delta_bytes`` in this window."""

    receipt_id: str
    downloader: str
    uploader: str
    infohash: str
    session: str
    started_at: int
    window_start: int
    total_bytes: int
    delta_bytes: int

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class DeferredClaim:
    """A bandwidth claim an earlier epoch ``deferred`` (rules/deferred.py): its receipt,
    that epoch, who is paid for it in which swarm, and ``held_ppm``, the weight the other
    rules left it (what it gets at most once reputation releases it)."""

    receipt_id: str
    deferred_epoch: int
    uploader: str
    infohash: str
    held_ppm: int

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class CdnClaim:
    """``viewer`` signed that CDN ``operator`` delivered it ``delta_bytes`` of ``content``."""

    receipt_id: str
    operator: str
    viewer: str
    content: str
    session: str
    started_at: int
    window_start: int
    total_bytes: int
    delta_bytes: int

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class ViewingClaim:
    """``viewer`` signed that it watched ``content`` for ``delta_seconds`` in this window."""

    receipt_id: str
    viewer: str
    content: str
    session: str
    started_at: int
    window_start: int
    total_seconds: int
    delta_seconds: int

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class PeerObservation:
    """What one probe saw of one peer endpoint of the swarm."""

    endpoint: str
    account: str | None
    first_seen: int
    last_seen: int
    answered_handshake: bool
    bytes_served: int
    serve_seconds: int
    bitfield: tuple[tuple[int, int], ...]
    """``(t, pieces_have)`` samples, sorted by ``t``."""
    hash_failures: int
    service: str | None = None
    """The result of the probe's service check of this peer (probes.evidence
    SERVICE_RESULTS: ``served``, ``refused``, ...), or None when it was not checked."""

    def __post_init__(self) -> None:
        _check_fields(self)
        if self.last_seen < self.first_seen:
            raise InvalidInput("PeerObservation.last_seen is before first_seen")
        times = [t for t, _ in self.bitfield]
        for t, have in self.bitfield:
            _check_nonneg("PeerObservation.bitfield", t=t, pieces_have=have)
        if times != sorted(times):
            raise InvalidInput("PeerObservation.bitfield samples must be sorted by time")

    @property
    def measured_rate(self) -> int | None:
        """Bytes per second this peer served the probe, or ``None`` if too short to tell."""
        if not self.answered_handshake or self.serve_seconds < MIN_MEASURE_SECONDS:
            return None
        return self.bytes_served // self.serve_seconds


@dataclass(frozen=True)
class SwarmProbe:
    """One probe of one swarm: its window, the torrent geometry and the peers it saw."""

    probe_id: str
    infohash: str
    start: int
    end: int
    piece_size: int
    num_pieces: int
    bitrate: int | None
    peers: tuple[PeerObservation, ...]

    def __post_init__(self) -> None:
        _check_fields(self)
        if self.end <= self.start or self.piece_size == 0:
            raise InvalidInput("SwarmProbe needs end > start and a positive piece size")

    def overlaps(self, start: int, end: int) -> bool:
        """The probe was running at some time in ``[start, end)``."""
        return min(self.end, end) > max(self.start, start)

    def watched(self, start: int, end: int) -> bool:
        """The probe watched all of ``[start, end)`` while connected to the swarm: the
        times it held a connection to some peer (that answered its handshake), clipped to
        the probe's own run, form one stretch from ``start`` to ``end``, up to
        COVER_EDGE_SECONDS at each edge and between two connections."""
        spans = sorted(
            (max(o.first_seen, self.start), min(o.last_seen, self.end))
            for o in self.peers
            if o.answered_handshake
        )
        low, high = start + COVER_EDGE_SECONDS, end - COVER_EDGE_SECONDS
        stretch: tuple[int, int] | None = None
        for first, last in spans:
            if stretch is not None and first <= stretch[1] + COVER_EDGE_SECONDS:
                stretch = (stretch[0], max(stretch[1], last))
            else:
                stretch = (first, last)
            if stretch[0] <= low and stretch[1] >= high:
                return True
        return False


@dataclass(frozen=True)
class Registration:
    """An account's signed binding to the endpoints it uses in swarms."""

    account: str
    endpoints: tuple[str, ...]

    def __post_init__(self) -> None:
        _check_fields(self)
        for endpoint in self.endpoints:
            _check_text("Registration", endpoint=endpoint)


@dataclass(frozen=True)
class ContentInfo:
    """Catalog facts about a swarm: its stream bitrate in bytes/s, if known."""

    infohash: str
    bitrate: int | None

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class ViewerPayment:
    """Stroops ``payer`` paid in the epoch for the bandwidth of swarm ``infohash``."""

    payer: str
    infohash: str
    amount: int

    def __post_init__(self) -> None:
        _check_fields(self)


@dataclass(frozen=True)
class EarlierUsage:
    """Bytes a viewer received for a content (bandwidth and CDN receipts the stream rules
    counted) and seconds it signed watching it, in the epochs before this one."""

    viewer: str
    content: str
    received_bytes: int
    watched_seconds: int

    def __post_init__(self) -> None:
        _check_nonneg(
            "EarlierUsage", received_bytes=self.received_bytes, watched=self.watched_seconds
        )


@dataclass(frozen=True)
class EpochInputs:
    """Everything one epoch's verification reads. Order of the tuples does not matter."""

    epoch: int
    epoch_start: int
    epoch_seconds: int
    bandwidth: tuple[BandwidthClaim, ...] = ()
    viewing: tuple[ViewingClaim, ...] = ()
    cdn: tuple[CdnClaim, ...] = ()
    probes: tuple[SwarmProbe, ...] = ()
    registrations: tuple[Registration, ...] = ()
    reputations: tuple[Reputation, ...] = ()
    payments: tuple[ViewerPayment, ...] = ()
    catalog: tuple[ContentInfo, ...] = ()
    deferred: tuple[DeferredClaim, ...] = ()
    """Claims earlier epochs deferred that are still unresolved (judged again here)."""
    earlier: tuple[EarlierUsage, ...] = ()
    """What each (viewer, content) of this epoch's viewing received and watched in the
    epochs before (within VIEW_CARRY_SECONDS): playback may run on bytes received then."""

    def __post_init__(self) -> None:
        _check_nonneg(
            "EpochInputs",
            epoch=self.epoch,
            epoch_start=self.epoch_start,
            epoch_seconds=self.epoch_seconds,
        )
        if self.epoch_seconds == 0:
            raise InvalidInput("EpochInputs.epoch_seconds must be positive")
        ids = [c.receipt_id for c in self.bandwidth]
        ids += [c.receipt_id for c in self.viewing] + [c.receipt_id for c in self.cdn]
        if len(set(ids)) != len(ids):
            raise InvalidInput("EpochInputs holds the same receipt_id twice")
        for name, keys in (
            ("probe_id", [p.probe_id for p in self.probes]),
            ("catalog infohash", [c.infohash for c in self.catalog]),
            ("reputation account", [r.account for r in self.reputations]),
            ("deferred receipt_id", [d.receipt_id for d in self.deferred]),
        ):
            if len(set(keys)) != len(keys):
                raise InvalidInput(f"EpochInputs holds the same {name} twice")

    @property
    def epoch_end(self) -> int:
        return self.epoch_start + self.epoch_seconds
