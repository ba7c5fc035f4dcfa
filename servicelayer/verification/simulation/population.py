"""A synthetic population: honest peers, swarms and adversary groups, with their past.

Deterministic from ``SimConfig.seed`` (``random.Random``; this is a benchmark generator,
not consensus code). The adversaries' share and mix are configuration; their probe
history is drawn from the same behaviour they show in the simulated epochs.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from servicelayer.verification.model import Registration
from servicelayer.verification.reputation import Reputation
from servicelayer.verification.tolerances import HISTORY_LEN, PPM

ATTACK_MIX_PPM: dict[str, int] = {
    "colluding_pair": 150_000,
    "inflated_bytes": 150_000,
    "absent_uploader": 100_000,
    "replay": 100_000,
    "sybil_farm": 250_000,
    "overlapping_windows": 80_000,
    "inflated_viewing": 70_000,
    "probe_aware": 100_000,
}
"""Share of the adversarial peers that mount each attack."""

HONEST = "honest"


@dataclass(frozen=True)
class SimConfig:
    peers: int = 10_000
    seed: int = 1
    epochs: int = 2
    adversarial_ppm: int = 300_000
    sampling_ppm: int = 100_000
    """Share of swarms probed each epoch (seeded; nobody can predict it)."""
    probe_seconds: int = 600
    epoch_seconds: int = 3600
    peers_per_swarm: int = 40
    honest_miss_ppm: int = 5_000
    """Chance that a probe misses an honest peer (tracker, NAT, connection limits)."""
    new_account_ppm: int = 80_000
    """Share of honest accounts that joined too recently to have a probe history."""
    watch_ppm: int = 700_000
    """Chance that an honest peer watches something in a given epoch."""
    turncoat_ppm: int = 250_000
    """Share of the non-sybil adversary groups that start cheating only now: their probe
    history is as clean as an honest peer's (reputation milking)."""
    price_per_window: int = 100_000
    """Stroops a viewer pays per watched minute, the bandwidth share of its bill."""
    # -- effects of real swarms (docs/verification.md, "Measured: real swarms vs the
    # model"); all zero/False gives the idealised model of the first benchmark
    probe_jitter: bool = True
    """Probes start at any second (not at a window boundary) and may run past the epoch's
    end; what they see after it is not this epoch's evidence."""
    session_jitter: bool = True
    """Peers join and leave at any second of their first and last window, so a probe
    overlapping those windows partly may not see them."""
    carry_over_ppm: int = 200_000
    """Share of honest sessions carried over from the previous epoch (no prebuffer here,
    started before the epoch)."""
    zero_serve_ppm: int = 150_000
    """Chance that an honest peer the probe sees serves it 0 bytes (a rate-capped origin
    whose viewers are seeds already, upload slots taken)."""
    fresh_origin_ppm: int = 200_000
    """Share of swarm origins with no probe history at all (a new content owner)."""


@dataclass(frozen=True)
class Swarm:
    infohash: str
    bitrate: int
    piece_size: int
    weight: int
    origin: str
    bitrate_known: bool


@dataclass(frozen=True)
class Peer:
    account: str
    endpoints: tuple[str, ...]
    capacity: int
    attack: str
    role: str
    group: int


@dataclass(frozen=True)
class Group:
    """One adversary operation: who takes part and how it cheats."""

    number: int
    attack: str
    members: tuple[str, ...]
    swarm: int
    factor_ppm: int
    variant: int = 0
    lazy_endpoints: bool = False
    pays: bool = False
    leaky: bool = False
    turncoat: bool = False
    """Behaved until now: its probe history is as clean as an honest peer's."""


@dataclass
class Population:
    config: SimConfig
    swarms: list[Swarm] = field(default_factory=list)
    peers: dict[str, Peer] = field(default_factory=dict)
    honest: list[str] = field(default_factory=list)
    groups: list[Group] = field(default_factory=list)
    reputations: tuple[Reputation, ...] = ()

    def honest_accounts(self) -> frozenset[str]:
        return frozenset(a for a, p in self.peers.items() if p.attack == HONEST)

    def registrations(self) -> tuple[Registration, ...]:
        return tuple(Registration(p.account, p.endpoints) for p in self.peers.values())


def _swarms(config: SimConfig, rng: random.Random) -> list[Swarm]:
    count = max(3, config.peers // config.peers_per_swarm)
    swarms = []
    for i in range(count):
        bitrate = rng.choice((62_500, 125_000, 250_000, 500_000))
        piece = 262_144 if bitrate <= 250_000 else 1_048_576
        weight = 1_000_000 // (i + 1) + 1_000  # Zipf-like popularity with a long tail
        swarms.append(
            Swarm(
                f"ih{i:05d}",
                bitrate,
                piece,
                weight,
                f"GORIGIN{i:05d}",
                rng.randrange(PPM) >= 50_000,
            )
        )
    return swarms


def _history(
    rng: random.Random, age: int, fail_ppm: int, sampling_ppm: int
) -> tuple[int, int, tuple[bool, ...]]:
    """Probe outcomes of ``age`` past epochs: about ``sampling_ppm`` probes per epoch."""
    expected = age * sampling_ppm
    probes = expected // PPM + (1 if rng.randrange(PPM) < expected % PPM else 0)
    outcomes = tuple(rng.randrange(PPM) >= fail_ppm for _ in range(probes))
    passed = sum(1 for o in outcomes if o)
    return passed, probes - passed, outcomes[-HISTORY_LEN:]


PRIOR_FAIL_PPM: dict[str, int] = {
    "colluder": 700_000,
    "signer": 700_000,
    "absent": PPM,
    "sybil": 800_000,
    "cheater": 850_000,
}
"""How often each adversary role failed the probes of its past (honest roles: misses)."""

ROLES: dict[str, tuple[str, ...]] = {
    "colluding_pair": ("colluder", "colluder"),
    "inflated_bytes": ("accomplice", "signer"),
    "absent_uploader": ("absent", "signer"),
    "replay": ("accomplice", "signer"),
    "overlapping_windows": ("viewer",),
    "inflated_viewing": ("viewer",),
    "probe_aware": ("cheater", "signer"),
}


def _group(
    number: int, attack: str, first: int, rng: random.Random, swarm: int, turncoat_ppm: int
) -> Group:
    if attack == "sybil_farm":
        size = rng.randint(5, 50)
        names = tuple(f"GSYB{first + i:06d}" for i in range(size))
        return Group(
            number,
            attack,
            names,
            swarm,
            PPM,
            lazy_endpoints=rng.randrange(2) == 0,
            pays=rng.randrange(10) < 3,
            variant=rng.randint(1, 3),
            leaky=rng.randrange(10) < 3,
        )
    roles = ROLES[attack]
    size = 1 + rng.randint(1, 3) if attack == "inflated_bytes" else len(roles)
    names = tuple(f"GADV{first + i:06d}" for i in range(size))
    factor = rng.randint(1_500_000, 10_000_000)
    variant = rng.randint(4, 10) if attack == "overlapping_windows" else rng.randrange(2)
    turncoat = rng.randrange(PPM) < turncoat_ppm
    return Group(number, attack, names, swarm, factor, variant=variant, turncoat=turncoat)


def _role(group: Group, index: int) -> str:
    if group.attack == "sybil_farm":
        return "sybil"
    roles = ROLES[group.attack]
    return roles[min(index, len(roles) - 1)]


def _pick_swarm(swarms: list[Swarm], rng: random.Random) -> int:
    return rng.choices(range(len(swarms)), weights=[s.weight for s in swarms])[0]


def _reputation(
    rng: random.Random, config: SimConfig, account: str, role: str, turncoat: bool
) -> Reputation | None:
    if role == "sybil" and rng.randrange(2) == 0:
        return None
    fresh = rng.randrange(PPM) < config.new_account_ppm
    if role not in PRIOR_FAIL_PPM and role != "origin" and fresh:
        return None
    if role == "origin" and rng.randrange(PPM) < config.fresh_origin_ppm:
        return None
    age = rng.randint(100, 400) if role == "origin" else rng.randint(5, 400)
    fail_ppm = PRIOR_FAIL_PPM.get(role, config.honest_miss_ppm)
    if turncoat:
        fail_ppm = config.honest_miss_ppm
    passed, failed, history = _history(rng, age, fail_ppm, config.sampling_ppm)
    return Reputation(account, 0, 0, passed, failed, history, 0)


def build_population(config: SimConfig) -> Population:
    """Honest peers, swarms with an origin seeder each, and adversary groups."""
    rng = random.Random(f"population:{config.seed}")
    pop = Population(config, _swarms(config, rng))
    target = config.peers * config.adversarial_ppm // PPM
    attacks = sorted(ATTACK_MIX_PPM)
    adversaries = 0
    while adversaries < target:
        attack = rng.choices(attacks, weights=[ATTACK_MIX_PPM[a] for a in attacks])[0]
        at = _pick_swarm(pop.swarms, rng)
        group = _group(len(pop.groups), attack, adversaries, rng, at, config.turncoat_ppm)
        pop.groups.append(group)
        machines = [f"172.16.{group.number % 256}.{m}:6881" for m in range(group.variant or 1)]
        for index, account in enumerate(group.members):
            endpoint = (
                machines[index % len(machines)]
                if group.lazy_endpoints
                else f"192.168.{adversaries // 256 % 256}.{adversaries % 256}:{7000 + index}"
            )
            capacity = rng.choice((250_000, 500_000, 1_000_000, 2_000_000))
            pop.peers[account] = Peer(
                account, (endpoint,), capacity, attack, _role(group, index), group.number
            )
            adversaries += 1
    for swarm in pop.swarms:
        pop.peers[swarm.origin] = Peer(
            swarm.origin, (f"{swarm.origin}.cdn:6881",), 50_000_000, HONEST, "origin", -1
        )
    for i in range(max(0, config.peers - adversaries - len(pop.swarms))):
        account = f"GHON{i:06d}"
        endpoint = f"10.{i // 65536 % 256}.{i // 256 % 256}.{i % 256}:6881"
        capacity = rng.choice((250_000, 500_000, 1_000_000, 2_000_000))
        pop.peers[account] = Peer(account, (endpoint,), capacity, HONEST, "viewer", -1)
        pop.honest.append(account)
    turncoats = {m for g in pop.groups if g.turncoat for m in g.members}
    reps = [
        _reputation(rng, config, p.account, p.role, p.account in turncoats)
        for p in pop.peers.values()
    ]
    pop.reputations = tuple(r for r in reps if r is not None)
    return pop
