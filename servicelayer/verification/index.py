"""Lookups over one epoch's inputs, built once and shared by the rules.

Everything is sorted on construction so no rule ever depends on input order.

Presence is judged per claim *period*: the part of the claim's window after its session
started. Every probe of the swarm that overlaps the period is consulted; see ``Presence``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from servicelayer.verification.model import (
    BandwidthClaim,
    CdnClaim,
    EpochInputs,
    PeerObservation,
    SwarmProbe,
    ViewingClaim,
)
from servicelayer.verification.tolerances import (
    CAPACITY_MIN_SAMPLE_BYTES,
    PRESENCE_SLACK_SECONDS,
    WINDOW_SECONDS,
)

Sighting = tuple[SwarmProbe, tuple[PeerObservation, ...]]


def claim_period(window_start: int, started_at: int) -> tuple[int, int]:
    """``[start, end)`` a claim speaks for: its window, from the session start on."""
    end = window_start + WINDOW_SECONDS
    return min(max(window_start, started_at), end - 1), end


def present_in(observations: list[PeerObservation], start: int, end: int) -> list[PeerObservation]:
    """Observations whose seen interval reaches into ``[start, end)`` (with slack)."""
    low, high = start - PRESENCE_SLACK_SECONDS, end + PRESENCE_SLACK_SECONDS
    return [o for o in observations if o.first_seen <= high and o.last_seen >= low]


@dataclass(frozen=True)
class Presence:
    """What the probes of a swarm say about one account in one period.

    ``sightings``: every overlapping probe that saw the account there, with what it saw.
    ``watcher``: the first probe that covered the period (``SwarmProbe.watched``).
    Seen by any probe: present. Not seen, but watched: absent. Neither: unsampled.
    """

    sightings: tuple[Sighting, ...]
    watcher: SwarmProbe | None

    @property
    def sampled(self) -> bool:
        return bool(self.sightings) or self.watcher is not None

    @property
    def absent(self) -> bool:
        return not self.sightings and self.watcher is not None


@dataclass
class EpochIndex:
    inputs: EpochInputs
    bandwidth: list[BandwidthClaim] = field(default_factory=list)
    viewing: list[ViewingClaim] = field(default_factory=list)
    cdn: list[CdnClaim] = field(default_factory=list)
    probes_by_swarm: dict[str, list[SwarmProbe]] = field(default_factory=dict)
    probes: dict[str, SwarmProbe] = field(default_factory=dict)
    observations: dict[tuple[str, str], list[PeerObservation]] = field(default_factory=dict)
    endpoints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bitrates: dict[str, int] = field(default_factory=dict)
    capacity: dict[str, tuple[int, str]] = field(default_factory=dict)
    sizes: dict[str, tuple[int, int]] = field(default_factory=dict)
    """infohash -> (content size bound, piece size): ``num_pieces x piece_size`` as a probe
    of the swarm read them from the torrent's metadata (the last piece may be shorter)."""
    payers: set[tuple[str, str]] = field(default_factory=set)
    downloads: dict[tuple[str, str, int], list[tuple[str, int, int]]] | None = None
    """What each (downloader, swarm, window) received; built on first use (downloader.py)."""
    presences: dict[tuple[str, str, int, int], Presence] = field(default_factory=dict)

    def probes_over(self, infohash: str, start: int, end: int) -> list[SwarmProbe]:
        """Every probe of this swarm that ran at some time in ``[start, end)``."""
        return [p for p in self.probes_by_swarm.get(infohash, ()) if p.overlaps(start, end)]

    def presence(self, infohash: str, account: str, start: int, end: int) -> Presence:
        """What every probe overlapping ``[start, end)`` says about ``account`` there."""
        key = (infohash, account, start, end)
        known = self.presences.get(key)
        if known is not None:
            return known
        sightings: list[Sighting] = []
        watcher = None
        for probe in self.probes_over(infohash, start, end):
            here = present_in(self.seen(probe, account), start, end)
            if here:
                sightings.append((probe, tuple(here)))
            elif watcher is None and probe.watched(start, end):
                watcher = probe
        result = self.presences[key] = Presence(tuple(sightings), watcher)
        return result

    def claim_presence(self, claim: BandwidthClaim, account: str) -> Presence:
        return self.presence(
            claim.infohash, account, *claim_period(claim.window_start, claim.started_at)
        )

    def is_home(self, probe_id: str) -> bool:
        """The middle of the probe's run falls in this epoch (its passes count toward
        reputation here, once). A window's probe starts a little before its window and ends a
        little after it, so its middle lies in its window's epoch, the one that waits for it."""
        probe = self.probes.get(probe_id)
        if probe is None:
            return False
        middle = (probe.start + probe.end) // 2
        return self.inputs.epoch_start <= middle < self.inputs.epoch_end

    def seen(self, probe: SwarmProbe, account: str) -> list[PeerObservation]:
        return self.observations.get((probe.probe_id, account), [])

    def is_payer(self, account: str, infohash: str) -> bool:
        return (account, infohash) in self.payers


def build_index(inputs: EpochInputs) -> EpochIndex:
    ix = EpochIndex(inputs)
    ix.bandwidth = sorted(inputs.bandwidth, key=lambda c: c.receipt_id)
    ix.viewing = sorted(inputs.viewing, key=lambda c: c.receipt_id)
    ix.cdn = sorted(inputs.cdn, key=lambda c: c.receipt_id)
    for probe in sorted(inputs.probes, key=lambda p: (p.infohash, p.start, p.probe_id)):
        ix.probes_by_swarm.setdefault(probe.infohash, []).append(probe)
        ix.probes[probe.probe_id] = probe
        if probe.bitrate is not None:
            ix.bitrates.setdefault(probe.infohash, probe.bitrate)
        if probe.num_pieces > 0:  # the probe got the torrent's metadata
            size = (probe.num_pieces * probe.piece_size, probe.piece_size)
            ix.sizes.setdefault(probe.infohash, size)
        for obs in sorted(probe.peers, key=lambda o: (o.endpoint, o.first_seen)):
            if obs.account is None:
                continue
            ix.observations.setdefault((probe.probe_id, obs.account), []).append(obs)
            # a rate on a few sampled pieces is the probe's demand, not the uploader's capacity
            rate = obs.measured_rate if obs.bytes_served >= CAPACITY_MIN_SAMPLE_BYTES else None
            best = ix.capacity.get(obs.account)
            if rate is not None and (best is None or rate > best[0]):
                ix.capacity[obs.account] = (rate, probe.probe_id)
    for info in sorted(inputs.catalog, key=lambda i: i.infohash):
        if info.bitrate is not None:
            ix.bitrates[info.infohash] = info.bitrate
    merged: dict[str, set[str]] = {}
    for reg in inputs.registrations:
        merged.setdefault(reg.account, set()).update(reg.endpoints)
    ix.endpoints = {a: tuple(sorted(eps)) for a, eps in sorted(merged.items())}
    ix.payers = {(p.payer, p.infohash) for p in inputs.payments if p.amount > 0}
    return ix
