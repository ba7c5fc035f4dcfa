"""Probing an epoch's sampled swarms and keeping what the probes saw."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from stellar_sdk import Keypair

from servicelayer.probes.evidence import evidence_dumps
from servicelayer.probes.planner import epoch_seed, plan
from servicelayer.probes.probe import Clock, run_probe
from servicelayer.probes.registry import live_registrations
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.target import ProbeTarget
from servicelayer.storage import evidence_repo
from servicelayer.storage.db import Database
from servicelayer.storage.verification_models import StoredEvidence


@dataclass(frozen=True)
class ProbePolicy:
    rate_ppm: int  # share of the epoch's swarms to probe, in millionths
    seconds: int  # how long one probe watches a swarm
    budget_bytes: int  # how much payload one probe may download
    per_round: int  # swarms probed per scheduler round at most


def probe_round(
    database: Database,
    torrents: TorrentSession,
    keypair: Keypair,
    network_id: bytes,
    epoch: int,
    epoch_seconds: int,
    policy: ProbePolicy,
    clock: Clock,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[str]:
    """Probe the epoch's sampled swarms not probed yet; return the infohashes probed.

    Each probe's evidence is committed on its own, so a crash loses at most one probe;
    a cancelled probe (shutdown) stores nothing and its swarm is probed again later.
    """
    with database.session(write=True) as session:
        seed = epoch_seed(session, keypair, network_id, epoch)
        registrations = live_registrations(session, clock.wall_seconds())
        planned = plan(session, epoch, epoch_seconds, seed, policy.rate_ppm, registrations)
    probed = []
    for probe in planned[: policy.per_round]:
        evidence = run_probe(
            torrents,
            ProbeTarget.from_infohash(probe.infohash),
            probe.peers,
            policy.seconds,
            policy.budget_bytes,
            clock,
            piece_seed=seed,
            cancelled=cancelled,
        )
        with database.session(write=True) as session:
            evidence_repo.add_evidence(
                session,
                StoredEvidence(
                    epoch=epoch,
                    infohash=probe.infohash,
                    started_at=evidence.started_at,
                    ended_at=max(evidence.ended_at, evidence.started_at),
                    cost_bytes=evidence.cost.total,
                    evidence=evidence_dumps(evidence),
                ),
            )
        probed.append(probe.infohash)
    return probed
