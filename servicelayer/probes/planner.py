"""Which swarms the node probes in each window, and whom it contacts there.

Every window (60 s) the node probes the active swarms and the swarms with owner-registered
origins, up to a budget (``swarm_limit``). When there are more, the sample is seeded by the
node's own Ed25519 signature over the window's epoch:

    signature = Ed25519-Sign(node key, "ACE-PROBE-SEED-V1" || 0x00 || network_id || u64 epoch)
    seed      = SHA-256(signature)

Peers cannot compute it without the node's key, so they cannot tell in advance which
swarms will be watched; once the node publishes the signature, any validator can check
it and recompute the sample: swarms are ranked by ``SHA-256(tag || seed || window ||
infohash)`` (``sampling.sample_score``), origin swarms first, and the first ``limit`` are
probed.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from sqlalchemy.orm import Session
from stellar_sdk import Keypair

from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.registration import Registration
from servicelayer.probes.sampling import sample_score
from servicelayer.receipts.model import WINDOW_SECONDS, Kind
from servicelayer.storage import evidence_repo
from servicelayer.storage.verification_models import ProbeSeed

SEED_TAG = b"ACE-PROBE-SEED-V1\x00"
V1_INFOHASH_HEX = 40


def seed_message(network_id: bytes, epoch: int) -> bytes:
    return SEED_TAG + network_id + epoch.to_bytes(8, "big")


def epoch_seed(session: Session, keypair: Keypair, network_id: bytes, epoch: int) -> bytes:
    """The epoch's seed, signed and stored on first use (the same one ever after)."""
    stored = evidence_repo.seed(session, epoch)
    if stored is not None:
        return bytes.fromhex(stored.seed)
    signature = keypair.sign(seed_message(network_id, epoch))
    seed = hashlib.sha256(signature).digest()
    evidence_repo.put_seed(
        session,
        ProbeSeed(
            epoch=epoch, signer=keypair.public_key, signature=signature.hex(), seed=seed.hex()
        ),
    )
    return seed


Parties = list[tuple[str, str, str | None]]
"""(content, signer, counterparty) of bandwidth streams."""


class Pending(Protocol):
    """Facts this node holds that are not in its tables yet: a federation validator's
    batches, which apply only when their epoch closes, yet name the swarms to probe now."""

    def bandwidth_parties(
        self, session: Session, low: int, high: int, content: str | None = None
    ) -> Parties:
        """Of the bandwidth receipts with ``window_start`` in ``[low, high)``."""
        ...

    def registrations(self, session: Session, now: int) -> list[Registration]:
        """Registrations not expired at ``now``, newest last."""
        ...


def bandwidth_parties(
    session: Session, pending: Pending | None, low: int, high: int, content: str | None = None
) -> Parties:
    """The parties of bandwidth receipts stored here, and of those ``pending``."""
    found = evidence_repo.bandwidth_parties(session, int(Kind.BANDWIDTH), low, high, content)
    if pending is not None:
        found += pending.bandwidth_parties(session, low, high, content)
    return found


def window_of(now: int) -> int:
    """The start of the window ``now`` falls in."""
    return now - now % WINDOW_SECONDS


def swarm_limit(max_concurrent: int, window_bytes: int, budget_bytes: int) -> int:
    """How many swarms one window probes at most: every probe of a window runs for the
    window, so at most ``max_concurrent``, and their byte budgets fit ``window_bytes``."""
    by_bytes = window_bytes // budget_bytes if budget_bytes > 0 else max_concurrent
    return max(0, min(max_concurrent, by_bytes))


IDLE, STALE, FRESH = 0, 1, 2
"""A swarm's activity when planned: FRESH with bandwidth receipts in the planned window or
the one before, STALE with receipts only in the earlier active windows, IDLE with none (a
swarm planned for its owner-registered origins)."""


@dataclass(frozen=True)
class PlannedProbe:
    infohash: str
    peers: tuple[Endpoint, ...]  # registered endpoints: the swarm's origins first
    origin: bool = False  # the content's owner registered origins for it
    origins: tuple[Endpoint, ...] = ()  # the origins' endpoints (also first in ``peers``)
    activity: int = FRESH  # FRESH, STALE or IDLE (an origin swarm with no receipts)

    @property
    def active(self) -> bool:
        """Bandwidth receipts in the active windows (else an idle origin swarm)."""
        return self.activity > IDLE


def _endpoints(
    accounts: Iterable[str], endpoints: dict[str, tuple[Endpoint, ...]]
) -> tuple[Endpoint, ...]:
    return tuple(sorted({e for account in accounts for e in endpoints.get(account, ())}, key=str))


def plan_window(
    session: Session,
    window: int,
    seed: bytes,
    limit: int | None,
    active_windows: int,
    registrations: Iterable[Registration],
    origins: Mapping[str, Sequence[str]] = {},
    pending: Pending | None = None,
) -> list[PlannedProbe]:
    """The swarms probed in ``window``: the active ones (bandwidth receipts in the
    ``active_windows`` windows up to and including it) and those with owner-registered
    origins. When there are more than ``limit``, fresh swarms come first (receipts in this
    window or the one before: their claims need this window's evidence), then stale ones
    (receipts only earlier), then idle origin swarms; within each, those with origins
    first, then by ``sample_score(seed, window, infohash)`` (lowest first): the seed is
    the node's signed seed of the window's epoch, so the sample is unpredictable to peers
    and checkable by anyone once the signature is published. (Idle origin swarms only vet
    their origins early; they never take the budget of a swarm whose receipts need
    evidence.) The list is in that order, the first ``limit`` (all with None): the runner
    passes them all to ``runs.record_plan``, which needs every candidate's activity to
    know which runs may yield."""
    low = window - (active_windows - 1) * WINDOW_SECONDS
    high = window + WINDOW_SECONDS
    parties = bandwidth_parties(session, pending, low, high)
    since = window - WINDOW_SECONDS  # the window before
    recent = {c for c, _, _ in bandwidth_parties(session, pending, since, high)}
    endpoints = {reg.account_id: reg.endpoints for reg in registrations}
    accounts: dict[str, set[str]] = {}
    for content, signer, counterparty in parties:
        if len(content) != V1_INFOHASH_HEX:  # probing v2-only swarms is not supported yet
            continue
        accounts.setdefault(content, set()).update(a for a in (signer, counterparty) if a)
    owned = {h: tuple(a) for h, a in origins.items() if len(h) == V1_INFOHASH_HEX and a}
    active = set(accounts)
    for infohash in owned:
        accounts.setdefault(infohash, set())

    def activity(infohash: str) -> int:
        return FRESH if infohash in recent else STALE if infohash in active else IDLE

    def rank(infohash: str) -> tuple[int, bool, bytes, str]:
        first = (-activity(infohash), infohash not in owned)
        return (*first, sample_score(seed, window, infohash), infohash)

    ranked = sorted(accounts, key=rank)
    planned = []
    for infohash in ranked if limit is None else ranked[: max(0, limit)]:
        first = _endpoints(owned.get(infohash, ()), endpoints)
        rest = [e for e in _endpoints(accounts[infohash], endpoints) if e not in first]
        planned.append(
            PlannedProbe(
                infohash, first + tuple(rest), infohash in owned, first, activity(infohash)
            )
        )
    return planned


def swarm_peers(
    session: Session,
    infohash: str,
    window: int,
    active_windows: int,
    registrations: Iterable[Registration],
    origins: Sequence[str] = (),
    pending: Pending | None = None,
) -> tuple[Endpoint, ...]:
    """The registered endpoints of one swarm's origins and of the accounts its bandwidth
    receipts name in the recent windows, as they are now: a probe asks again while it
    runs, so a peer that registered or started signing after the plan is contacted too."""
    low = window - (active_windows - 1) * WINDOW_SECONDS
    parties = bandwidth_parties(session, pending, low, window + WINDOW_SECONDS, infohash)
    accounts = set(origins) | {a for _, signer, other in parties for a in (signer, other) if a}
    return _endpoints(accounts, {reg.account_id: reg.endpoints for reg in registrations})
