"""One simulated epoch: sessions, real transfers, and the receipts everyone signs.

Honest viewers sign exactly what they received. Adversaries sign what their attack
needs (see attacks.py). Every receipt's ground truth (attack, real amount) is kept
beside it so the benchmark can score the verdicts.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from servicelayer.verification.model import BandwidthClaim, ViewingClaim
from servicelayer.verification.simulation.population import HONEST, Population, Swarm
from servicelayer.verification.tolerances import PPM, WINDOW_SECONDS


@dataclass(frozen=True)
class Truth:
    """What really happened behind one receipt: who made it and the real amount."""

    attack: str
    real: int


@dataclass
class Session:
    viewer: str
    swarm: int
    w0: int
    w1: int
    sid: str
    started: int | None = None
    """Unix start of a session carried over from the previous epoch (None: it began at
    its first window here, with a prebuffer)."""


@dataclass
class EpochBuilder:
    pop: Population
    epoch: int
    rng: random.Random
    bandwidth: list[BandwidthClaim] = field(default_factory=list)
    viewing: list[ViewingClaim] = field(default_factory=list)
    truth: dict[str, Truth] = field(default_factory=dict)
    totals: dict[tuple[str, ...], int] = field(default_factory=dict)
    received: dict[tuple[str, int], dict[int, int]] = field(default_factory=dict)
    presence: dict[int, dict[str, tuple[int, int]]] = field(default_factory=dict)
    uploaders: dict[int, list[str]] = field(default_factory=dict)
    load: dict[tuple[str, int], int] = field(default_factory=dict)
    payments: dict[tuple[str, str], int] = field(default_factory=dict)
    counter: int = 0

    @property
    def start(self) -> int:
        return self.epoch * self.pop.config.epoch_seconds

    @property
    def windows(self) -> int:
        return self.pop.config.epoch_seconds // WINDOW_SECONDS

    def swarm(self, index: int) -> Swarm:
        return self.pop.swarms[index]

    def next_id(self) -> str:
        self.counter += 1
        return f"e{self.epoch}-{self.counter:08d}"

    def at(self, window: int) -> int:
        return self.start + window * WINDOW_SECONDS

    def sign_bw(
        self,
        s: Session,
        uploader: str,
        window: int,
        delta: int,
        real: int,
        attack: str = HONEST,
        sid: str | None = None,
        at: int | None = None,
    ) -> None:
        session = sid or s.sid
        key = ("bw", s.viewer, uploader, session)
        total = self.totals.get(key, 0) + delta
        self.totals[key] = total
        rid = self.next_id()
        start = self.at(s.w0) if s.started is None else s.started
        if at is not None:
            start = min(at, start)
        self.bandwidth.append(
            BandwidthClaim(
                rid,
                s.viewer,
                uploader,
                self.swarm(s.swarm).infohash,
                session,
                start,
                self.at(window) if at is None else at,
                total,
                delta,
            )
        )
        self.truth[rid] = Truth(attack, real)

    def sign_view(
        self,
        viewer: str,
        swarm: int,
        sid: str,
        started: int,
        window: int,
        real: int,
        attack: str = HONEST,
        *,
        started_at: int | None = None,
    ) -> None:
        key = ("view", viewer, sid)
        total = self.totals.get(key, 0) + WINDOW_SECONDS
        self.totals[key] = total
        rid = self.next_id()
        self.viewing.append(
            ViewingClaim(
                rid,
                viewer,
                self.swarm(swarm).infohash,
                sid,
                self.at(started) if started_at is None else started_at,
                self.at(window),
                total,
                WINDOW_SECONDS,
            )
        )
        self.truth[rid] = Truth(attack, real)

    def join(self, account: str, swarm: int, w0: int, w1: int, *, serves: bool) -> None:
        self.presence.setdefault(swarm, {})[account] = (w0, w1)
        if serves:
            self.uploaders.setdefault(swarm, []).append(account)

    def present(self, account: str, swarm: int, window: int) -> bool:
        span = self.presence.get(swarm, {}).get(account)
        return span is not None and span[0] <= window < span[1]

    def pay(self, viewer: str, swarm: int, windows: int) -> None:
        key = (viewer, self.swarm(swarm).infohash)
        self.payments[key] = self.payments.get(key, 0) + windows * self.pop.config.price_per_window


def plan(
    b: EpochBuilder, viewer: str, swarm: int, length: int | None = None, w0: int | None = None
) -> Session:
    """A viewing session of ``viewer`` in ``swarm``; the viewer joins and can serve."""
    rng = b.rng
    length = length or rng.randint(5, 25)
    length = min(length, b.windows)
    started = None
    if w0 is None and rng.randrange(PPM) < b.pop.config.carry_over_ppm:
        w0, started = 0, max(0, b.start - rng.randint(1, 1800))  # began in the epoch before
    w0 = rng.randint(0, b.windows - length) if w0 is None else w0
    w1 = min(b.windows, w0 + length)
    b.join(viewer, swarm, w0, w1, serves=True)
    return Session(viewer, swarm, w0, w1, f"{viewer}:{b.epoch}:{swarm}", started)


ORIGIN_WEIGHT = 3
"""The origin seeder is always among a viewer's uploaders: content enters the swarm there."""


def partners(b: EpochBuilder, s: Session, forced: tuple[str, ...]) -> list[tuple[str, int]]:
    """The origin plus 2-4 uploaders (with preference weights) among the swarm members."""
    pool = b.uploaders.get(s.swarm, [])
    chosen: list[tuple[str, int]] = [(b.swarm(s.swarm).origin, ORIGIN_WEIGHT)]
    chosen += [(f, 10) for f in forced]
    want = 1 + b.rng.randint(2, 4)
    for _ in range(12):
        if len(chosen) >= want or not pool:
            break
        cand = pool[b.rng.randrange(len(pool))]
        span = b.presence[s.swarm][cand]
        fresh = all(cand != c for c, _ in chosen)
        if fresh and cand != s.viewer and span[0] < s.w1 and span[1] > s.w0:
            chosen.append((cand, b.rng.randint(1, 10)))
    return chosen


def transfer(
    b: EpochBuilder, s: Session, forced: tuple[str, ...] = ()
) -> dict[int, dict[str, int]]:
    """Real bytes per window per uploader; what partners cannot serve comes from the origin."""
    swarm = b.swarm(s.swarm)
    chosen = partners(b, s, forced)
    out: dict[int, dict[str, int]] = {}
    got = b.received.setdefault((s.viewer, s.swarm), {})
    for w in range(s.w0, s.w1):
        need = swarm.bitrate * WINDOW_SECONDS * b.rng.randint(950, 1050) // 1000
        if w == s.w0 and s.started is None:  # a session carried over has its buffer
            need += swarm.bitrate * b.rng.randint(5, 20)
        here = [(p, wt) for p, wt in chosen if b.present(p, s.swarm, w)]
        weights = sum(wt for _, wt in here)
        shares: dict[str, int] = {}
        for p, wt in here:
            room = b.pop.peers[p].capacity * WINDOW_SECONDS - b.load.get((p, w), 0)
            alloc = max(0, min(need * wt // weights, room))
            if alloc:
                shares[p] = alloc
                b.load[(p, w)] = b.load.get((p, w), 0) + alloc
        rest = need - sum(shares.values())
        if rest > 0:
            shares[swarm.origin] = shares.get(swarm.origin, 0) + rest
        out[w] = shares
        got[w] = got.get(w, 0) + need
    return out


def sign_honestly(b: EpochBuilder, s: Session, shares: dict[int, dict[str, int]]) -> None:
    for w in range(s.w0, s.w1):
        for uploader, real in sorted(shares[w].items()):
            b.sign_bw(s, uploader, w, real, real)
        b.sign_view(s.viewer, s.swarm, s.sid, s.w0, w, WINDOW_SECONDS, started_at=s.started)
    b.pay(s.viewer, s.swarm, s.w1 - s.w0)


def ppm_of(rng: random.Random, low: int, high: int) -> int:
    return rng.randint(low, high) if high > low else low


def fraction(amount: int, part_ppm: int) -> int:
    return amount * part_ppm // PPM
