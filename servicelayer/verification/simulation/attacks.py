"""How each adversary group behaves in an epoch: where it is and what it signs.

- colluding_pair: two real viewers that also serve honest peers; each inflates the
  receipts it signs for the other 1.5-10x.
- inflated_bytes: an uploader whose 1-3 sockpuppet viewers inflate its receipts 1.5-10x.
- absent_uploader: an account that never joins; a sockpuppet viewer credits it with
  30-100 % of the bytes it really got from others.
- replay: a viewer signs its accomplice's real bytes twice (a second session), or
  re-signs windows of the previous epoch.
- sybil_farm: 5-50 accounts that join a swarm cheaply and sign each other a stream's
  worth of bytes they never exchanged; half share machines (endpoints); 30 % pay a
  viewer's price and sign the viewing minutes that bill is for; 30 % are leaky: one
  gateway member really watches, downloads from honest peers and serves them, which
  ties the farm to the rest of the serve graph.
- overlapping_windows: a viewer claims 4-10 extra concurrent viewing sessions.
- inflated_viewing: a viewer claims 1.5-10x the minutes it watched.
- probe_aware: like inflated_bytes or absent_uploader, but behaves in the windows it
  guesses are probed; the guess is as good as chance because sampling is seeded.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from servicelayer.verification.simulation.population import Group
from servicelayer.verification.simulation.traffic import (
    EpochBuilder,
    Session,
    fraction,
    plan,
    sign_honestly,
    transfer,
)
from servicelayer.verification.tolerances import PPM, WINDOW_SECONDS

Sessions = dict[str, Session]


def plan_group(b: EpochBuilder, g: Group) -> Sessions:
    """Join the swarm as the attack needs; return the viewing sessions of the members."""
    rng, whole = b.rng, b.windows
    length = rng.randint(5, 25)
    w0 = rng.randint(0, whole - length)
    first, rest = g.members[0], g.members[1:]
    if g.attack == "sybil_farm":
        for m in g.members:
            b.join(m, g.swarm, w0, w0 + length, serves=False)
        return {first: plan(b, first, g.swarm, length, w0)} if g.leaky else {}
    if g.attack in ("colluding_pair", "overlapping_windows", "inflated_viewing"):
        return {m: plan(b, m, g.swarm, length, w0) for m in g.members}
    if g.attack == "probe_aware" and g.variant == 1:
        guess = guessed_window(b, g)
        if guess is not None:
            b.join(first, g.swarm, guess[0], guess[1], serves=True)
    elif g.attack != "absent_uploader":
        b.join(first, g.swarm, 0, whole, serves=True)
    return {m: plan(b, m, g.swarm, length, w0) for m in rest}


def guessed_window(b: EpochBuilder, g: Group) -> tuple[int, int] | None:
    """The cheater's own guess whether (and when) its swarm is probed this epoch."""
    rng = random.Random(f"guess:{b.pop.config.seed}:{b.epoch}:{g.number}")
    if rng.randrange(PPM) >= b.pop.config.sampling_ppm:
        return None
    span = b.pop.config.probe_seconds // WINDOW_SECONDS
    start = rng.randrange(b.windows - span + 1)
    return start, start + span


def _inflate(b: EpochBuilder, g: Group, s: Session, target: str, honest_in: set[int]) -> None:
    shares = transfer(b, s, forced=(target,))
    for w in range(s.w0, s.w1):
        for uploader, real in sorted(shares[w].items()):
            if uploader == target and w not in honest_in:
                b.sign_bw(s, uploader, w, fraction(real, g.factor_ppm), real, g.attack)
            else:
                b.sign_bw(s, uploader, w, real, real)
        b.sign_view(s.viewer, s.swarm, s.sid, s.w0, w, WINDOW_SECONDS)
    b.pay(s.viewer, s.swarm, s.w1 - s.w0)


def _credit_absent(b: EpochBuilder, g: Group, s: Session, target: str, honest_in: set[int]) -> None:
    part = b.rng.randint(300_000, PPM)
    shares = transfer(b, s, forced=(target,))
    for w in range(s.w0, s.w1):
        got = sum(shares[w].values())
        cheat = w not in honest_in and target not in shares[w]
        for uploader, real in sorted(shares[w].items()):
            claimed = real - fraction(real, part) if cheat else real
            if claimed:
                b.sign_bw(s, uploader, w, claimed, claimed)
        if cheat:
            b.sign_bw(s, target, w, fraction(got, part), 0, g.attack)
        b.sign_view(s.viewer, s.swarm, s.sid, s.w0, w, WINDOW_SECONDS)
    b.pay(s.viewer, s.swarm, s.w1 - s.w0)


def colluding_pair(b: EpochBuilder, g: Group, sessions: Sessions) -> None:
    a, c = g.members
    _inflate(b, g, sessions[a], c, set())
    _inflate(b, g, sessions[c], a, set())


def inflated_bytes(b: EpochBuilder, g: Group, sessions: Sessions) -> None:
    for signer in g.members[1:]:
        _inflate(b, g, sessions[signer], g.members[0], set())


def absent_uploader(b: EpochBuilder, g: Group, sessions: Sessions) -> None:
    _credit_absent(b, g, sessions[g.members[1]], g.members[0], set())


def probe_aware(b: EpochBuilder, g: Group, sessions: Sessions) -> None:
    guess = guessed_window(b, g)
    careful = set(range(*guess)) if guess else set()
    s = sessions[g.members[1]]
    if g.variant == 0:
        _inflate(b, g, s, g.members[0], careful)
    else:
        _credit_absent(b, g, s, g.members[0], careful)


def replay(b: EpochBuilder, g: Group, sessions: Sessions) -> None:
    target, s = g.members[0], sessions[g.members[1]]
    shares = transfer(b, s, forced=(target,))
    sign_honestly(b, s, shares)
    for w in range(s.w0, s.w1):
        real = shares[w].get(target, 0)
        if not real:
            continue
        if g.variant == 1 and b.epoch > 0:
            old = b.at(w) - b.pop.config.epoch_seconds
            b.sign_bw(s, target, w, real, 0, g.attack, sid=f"{s.sid}:old", at=old)
        else:
            b.sign_bw(s, target, w, real, 0, g.attack, sid=f"{s.sid}:again")


def sybil_farm(b: EpochBuilder, g: Group, sessions: Sessions) -> None:
    members = g.members
    for gateway in sessions.values():  # a leaky farm's gateway really watches and serves
        sign_honestly(b, gateway, transfer(b, gateway))
    bitrate = b.swarm(g.swarm).bitrate
    for m in members:
        w0, w1 = b.presence[g.swarm][m]
        s = Session(m, g.swarm, w0, w1, f"{m}:farm{g.number}")
        for w in range(w0, w1):
            need = bitrate * WINDOW_SECONDS * b.rng.randint(800, 1200) // 1000
            peers = b.rng.sample([x for x in members if x != m], b.rng.randint(1, 2))
            for peer in peers:
                b.sign_bw(s, peer, w, need // len(peers), 0, g.attack)
            if g.pays:  # a paying farm also signs the viewing its bill is for
                b.sign_view(m, g.swarm, s.sid, w0, w, 0, g.attack)
        if g.pays:
            b.pay(m, g.swarm, w1 - w0)


def overlapping_windows(b: EpochBuilder, g: Group, sessions: Sessions) -> None:
    s = sessions[g.members[0]]
    sign_honestly(b, s, transfer(b, s))
    for extra in range(g.variant):
        other = b.rng.randrange(len(b.pop.swarms))
        for w in range(s.w0, s.w1):
            b.sign_view(s.viewer, other, f"{s.sid}:x{extra}", s.w0, w, 0, g.attack)


def inflated_viewing(b: EpochBuilder, g: Group, sessions: Sessions) -> None:
    s = sessions[g.members[0]]
    sign_honestly(b, s, transfer(b, s))
    watched = s.w1 - s.w0
    extra = watched * g.factor_ppm // PPM - watched
    for w in range(s.w1, min(b.windows, s.w1 + extra)):
        b.sign_view(s.viewer, s.swarm, s.sid, s.w0, w, 0, g.attack)


SIGNERS: dict[str, Callable[[EpochBuilder, Group, Sessions], None]] = {
    "colluding_pair": colluding_pair,
    "inflated_bytes": inflated_bytes,
    "absent_uploader": absent_uploader,
    "probe_aware": probe_aware,
    "replay": replay,
    "sybil_farm": sybil_farm,
    "overlapping_windows": overlapping_windows,
    "inflated_viewing": inflated_viewing,
}
