"""Synthetic epochs for the fraud benchmark: ground truth, receipts and probe evidence.

``simulate_epoch(population, epoch)`` is deterministic from the population's seed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass

from servicelayer.verification.model import ContentInfo, EpochInputs, ViewerPayment
from servicelayer.verification.reputation import Reputation
from servicelayer.verification.simulation.attacks import SIGNERS, plan_group
from servicelayer.verification.simulation.evidence import run_probes
from servicelayer.verification.simulation.population import (
    ATTACK_MIX_PPM,
    HONEST,
    Population,
    SimConfig,
    build_population,
)
from servicelayer.verification.simulation.traffic import (
    EpochBuilder,
    Session,
    Truth,
    plan,
    sign_honestly,
    transfer,
)
from servicelayer.verification.tolerances import PPM

__all__ = [
    "ATTACK_MIX_PPM",
    "HONEST",
    "Population",
    "SimConfig",
    "SimEpoch",
    "Truth",
    "build_population",
    "simulate_epoch",
]


@dataclass(frozen=True)
class SimEpoch:
    """One epoch's verification inputs plus the ground truth behind every receipt."""

    inputs: EpochInputs
    truth: Mapping[str, Truth]
    probe_bytes: int
    honest: frozenset[str]


def simulate_epoch(
    pop: Population, epoch: int, reputations: tuple[Reputation, ...] | None = None
) -> SimEpoch:
    config = pop.config
    b = EpochBuilder(pop, epoch, random.Random(f"traffic:{config.seed}:{epoch}"))
    for index, swarm in enumerate(pop.swarms):
        b.join(swarm.origin, index, 0, b.windows, serves=False)
    group_sessions = [plan_group(b, g) for g in pop.groups]
    cumulative, total = [], 0
    for info in pop.swarms:
        total += info.weight
        cumulative.append(total)
    honest: list[Session] = []
    for account in pop.honest:
        if b.rng.randrange(PPM) < config.watch_ppm:
            chosen = b.rng.choices(range(len(pop.swarms)), cum_weights=cumulative)[0]
            honest.append(plan(b, account, chosen))
    for s in honest:
        sign_honestly(b, s, transfer(b, s))
    for g, sessions in zip(pop.groups, group_sessions, strict=True):
        SIGNERS[g.attack](b, g, sessions)
    probes = run_probes(b)
    inputs = EpochInputs(
        epoch=epoch,
        epoch_start=b.start,
        epoch_seconds=config.epoch_seconds,
        bandwidth=tuple(b.bandwidth),
        viewing=tuple(b.viewing),
        probes=probes,
        registrations=pop.registrations(),
        reputations=pop.reputations if reputations is None else reputations,
        payments=tuple(ViewerPayment(p, ih, amount) for (p, ih), amount in b.payments.items()),
        catalog=tuple(
            ContentInfo(s.infohash, s.bitrate if s.bitrate_known else None) for s in pop.swarms
        ),
    )
    probe_bytes = sum(o.bytes_served for p in probes for o in p.peers)
    return SimEpoch(inputs, b.truth, probe_bytes, pop.honest_accounts())
