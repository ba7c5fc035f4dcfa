"""Lookups over one epoch's inputs, built once and shared by the rules.

Everything is sorted on construction so no rule ever depends on input order.
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
from servicelayer.verification.tolerances import WINDOW_SECONDS


@dataclass
class EpochIndex:
    inputs: EpochInputs
    bandwidth: list[BandwidthClaim] = field(default_factory=list)
    viewing: list[ViewingClaim] = field(default_factory=list)
    cdn: list[CdnClaim] = field(default_factory=list)
    probes_by_swarm: dict[str, list[SwarmProbe]] = field(default_factory=dict)
    observations: dict[tuple[str, str], list[PeerObservation]] = field(default_factory=dict)
    endpoints: dict[str, tuple[str, ...]] = field(default_factory=dict)
    bitrates: dict[str, int] = field(default_factory=dict)
    capacity: dict[str, tuple[int, str]] = field(default_factory=dict)
    payers: set[tuple[str, str]] = field(default_factory=set)
    downloads: dict[tuple[str, str, int], list[tuple[str, int, int]]] | None = None
    """What each (downloader, swarm, window) received; built on first use (downloader.py)."""

    def covering_probe(self, infohash: str, window_start: int) -> SwarmProbe | None:
        """The first probe of this swarm whose window contains the whole claim window."""
        for probe in self.probes_by_swarm.get(infohash, ()):
            if probe.covers(window_start, window_start + WINDOW_SECONDS):
                return probe
        return None

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
        if probe.bitrate is not None:
            ix.bitrates.setdefault(probe.infohash, probe.bitrate)
        for obs in sorted(probe.peers, key=lambda o: (o.endpoint, o.first_seen)):
            if obs.account is None:
                continue
            ix.observations.setdefault((probe.probe_id, obs.account), []).append(obs)
            rate = obs.measured_rate
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
