"""Probing each window's swarms, concurrently, and keeping what the probes saw.

Each window (60 s) the node plans its probes once, ``LEAD_SECONDS`` before the window
begins (``planner.plan_window``: the active swarms and those with owner-registered
origins, within the budget), records them as probe runs (``runs``), and starts them at
once, each in its own thread. A probe watches its swarm from then until ``OVERLAP_SECONDS``
after its window ends (at most ``seconds``), with at most ``connections_per_probe``
connections and ``budget_bytes`` of payload, so its bitfield samples bracket the window
(the bitfield-growth rule needs one before and one after). Then it asks a few named peers
that served it nothing for one piece each, alone (``service_check``).

libtorrent holds one torrent handle per infohash per session, and a swarm's probes of two
consecutive windows overlap; so windows alternate between two sessions (even and odd
window numbers), and a probe's service checks run in its own session after its
observation, before the session's next window begins. Evidence is committed per probe,
and the run marked done.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, wait
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, replace
from typing import Protocol

import libtorrent as lt
from sqlalchemy.orm import Session
from stellar_sdk import Keypair

from servicelayer.epochs.clock import epoch_of
from servicelayer.probes import runs
from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.evidence import SwarmEvidence, evidence_dumps
from servicelayer.probes.planner import (
    Pending,
    PlannedProbe,
    epoch_seed,
    plan_window,
    swarm_limit,
    swarm_peers,
)
from servicelayer.probes.probe import Clock, ProbeCancelled, run_probe
from servicelayer.probes.registration import Registration
from servicelayer.probes.registry import live_registrations
from servicelayer.probes.service_check import check_service
from servicelayer.probes.session import SharedSession
from servicelayer.probes.target import ProbeTarget
from servicelayer.receipts.model import WINDOW_SECONDS
from servicelayer.storage import evidence_repo
from servicelayer.storage.db import Database
from servicelayer.storage.verification_models import StoredEvidence

log = logging.getLogger("acenode.probes")

DEADLINE_GRACE_SECONDS = 30
"""Slack after a run's window and service checks before it counts as timed out."""
LEAD_SECONDS = 10
"""A window's probes are planned and started this long before it begins."""
OVERLAP_SECONDS = 10
"""...and watch this long after it ends."""
REPLAN_SECONDS = 10
"""A planned window is planned again this often, so a swarm that becomes active (its first
receipts) while the window runs is probed from then on, while the budget has room."""

Origins = Callable[[Session], Mapping[str, Sequence[str]]]
"""Infohash -> the origin accounts its catalog owner registered (replicated state)."""


@dataclass(frozen=True)
class ProbePolicy:
    seconds: int = 120  # longest a probe watches (it also ends at its window's end)
    budget_bytes: int = 4 * 1024 * 1024  # payload one probe may download
    max_concurrent: int = 8  # probes watching at once
    window_bytes: int = 64 * 1024 * 1024  # payload all probes of a window may download
    connections_per_probe: int = 30
    active_windows: int = 3  # receipts in this many recent windows make a swarm active
    service_checks: int = 2  # named peers per probe asked alone for one piece
    service_seconds: int = 15  # one such check's longest

    @property
    def swarms_per_window(self) -> int:
        return swarm_limit(self.max_concurrent, self.window_bytes, self.budget_bytes)

    @property
    def overrun(self) -> int:
        """How long after its window ends a probe may still run (its evidence is stored, or
        sealed, when it ends): the overlap and its service checks."""
        return OVERLAP_SECONDS + self.service_checks * (self.service_seconds + 1)

    def deadline(self, window: int) -> int:
        return window + WINDOW_SECONDS + self.overrun + DEADLINE_GRACE_SECONDS


def no_origins(session: Session) -> Mapping[str, Sequence[str]]:
    return {}


class ProbeRunner:
    """Plans each window's probes once and runs them concurrently (a thread each).

    ``tick()`` plans the window that begins within ``LEAD_SECONDS`` (or the current one)
    if not yet, and starts its planned runs; it returns at once with the futures. Threads:
    ``max_concurrent`` per window, two windows overlapping."""

    def __init__(
        self,
        database: Database,
        sessions: tuple[SharedSession, SharedSession],
        keypair: Keypair,
        network_id: bytes,
        epoch_seconds: int,
        policy: ProbePolicy,
        clock: Clock,
        origins: Origins = no_origins,
        cancelled: Callable[[], bool] = lambda: False,
        federated: Federated | None = None,
    ) -> None:
        """``federated``: this node is a validator of a federation; its probes' evidence
        is sealed into its batches rather than kept, and its plans count the batches held
        but not applied yet."""
        self.database, self.sessions = database, sessions
        self.keypair, self.network_id, self.epoch_seconds = keypair, network_id, epoch_seconds
        self.policy, self.clock, self.origins, self.cancelled = policy, clock, origins, cancelled
        self.federated = federated
        self.pending = None if federated is None else federated.pending
        self.pool = ThreadPoolExecutor(2 * policy.max_concurrent, thread_name_prefix="probe")
        self.started: dict[int, set[int]] = {}  # window -> runs this process started
        self.preempted: set[int] = set()  # runs to stop (runs.record_plan)
        self.holding: set[tuple[int, str]] = set()  # (session, swarm) a probe here holds
        self.released = threading.Condition()
        self.planned_at: dict[int, int] = {}  # window -> when this process last planned it

    def tick(self) -> list[Future[str | None]]:
        now = self.clock.wall_seconds()
        window = (now + LEAD_SECONDS) - (now + LEAD_SECONDS) % WINDOW_SECONDS
        started = self.started.setdefault(window, set())
        for old in [w for w in self.started if w < window - WINDOW_SECONDS]:
            del self.started[old]
            self.planned_at.pop(old, None)
        with self.database.session(write=True) as session:
            runs.expire(session, now)
            rows = runs.runs_of_window(session, window)
            fresh = now - self.planned_at.get(window, now - REPLAN_SECONDS) < REPLAN_SECONDS
            if fresh and all(r.status != runs.PLANNED or r.id in started for r in rows):
                return []  # planned and started lately: look for new swarms a bit later
            self.planned_at[window] = now
            epoch = epoch_of(window, self.epoch_seconds)
            seed = epoch_seed(session, self.keypair, self.network_id, epoch)
            planned = plan_window(
                session,
                window,
                seed,
                None,  # every candidate: record_plan takes the budget's worth in rank order
                self.policy.active_windows,
                self._registrations(session, now),
                self.origins(session),
                self.pending,
            )
            rows = runs.record_plan(
                session,
                window,
                epoch,
                planned,
                now,
                self.policy.deadline(window),
                self.policy.swarms_per_window,
            )
            todo = [(r.id, r.infohash) for r in rows if r.status == runs.PLANNED]
            self.preempted |= {r.id for r in rows if r.status == runs.PREEMPTED}
        by_hash = {p.infohash: p for p in planned}
        futures = []
        for run_id, infohash in todo:
            if run_id in started:
                continue
            started.add(run_id)
            probe = by_hash.get(infohash, PlannedProbe(infohash, ()))
            futures.append(self.pool.submit(self.run_one, run_id, window, probe, seed))
        return futures

    def run_one(self, run_id: int, window: int, probe: PlannedProbe, seed: bytes) -> str | None:
        """Run one planned probe; the infohash when it stored evidence, else None. A swarm
        planned again after its preempted run waits until that run let go of the torrent
        (one session holds a torrent once; a preempted run stops within one poll)."""
        held = (self._session_of(window), probe.infohash)
        with self.released:
            self.released.wait_for(lambda: held not in self.holding, timeout=30)
            self.holding.add(held)
        try:
            return self._run_one(run_id, window, probe, seed)
        finally:
            self.preempted.discard(run_id)
            with self.released:
                self.holding.discard(held)
                self.released.notify_all()

    @staticmethod
    def _session_of(window: int) -> int:
        """Windows alternate between the two sessions (a swarm's probes of two consecutive
        windows overlap, and one session holds a torrent once)."""
        return (window // WINDOW_SECONDS) % 2

    def _run_one(self, run_id: int, window: int, probe: PlannedProbe, seed: bytes) -> str | None:
        with self.database.session(write=True) as session:
            if not runs.start(session, run_id, self.clock.wall_seconds()):
                return None
        try:
            evidence = self._probe(
                window, probe, seed, lambda: self.cancelled() or run_id in self.preempted
            )
        except ProbeCancelled:
            with self.database.session(write=True) as session:
                runs.abandon(session, run_id, self.clock.wall_seconds())
            return None
        except Exception:
            log.exception("probe of %s failed", probe.infohash)
            with self.database.session(write=True) as session:
                runs.abandon(session, run_id, self.clock.wall_seconds())
            return None
        epoch = epoch_of(window, self.epoch_seconds)
        sealing = nullcontext() if self.federated is None else self.federated.sealing
        with sealing, self.database.session(write=True) as session:
            run = runs.finish(session, run_id, self.clock.wall_seconds())
            if run is None:
                log.warning(
                    "probe of %s ended after its deadline: evidence dropped", probe.infohash
                )
                return None
            if self.federated is not None:
                self.federated.seal(session, epoch, evidence)
            else:
                row = store_evidence(session, epoch, evidence)
                run.evidence_id = row.id
        return probe.infohash

    def _probe(
        self, window: int, probe: PlannedProbe, seed: bytes, cancelled: Callable[[], bool]
    ) -> SwarmEvidence:
        p = self.policy
        left = window + WINDOW_SECONDS + OVERLAP_SECONDS - self.clock.wall_seconds()
        metadata: list[lt.torrent_info] = []
        shared = self.sessions[self._session_of(window)]
        with shared.view() as view:
            evidence = run_probe(
                view,
                ProbeTarget.from_infohash(probe.infohash),
                probe.peers,
                max(1, min(p.seconds, left)),
                p.budget_bytes,
                self.clock,
                piece_seed=seed,
                cancelled=cancelled,
                max_connections=p.connections_per_probe,
                on_metadata=metadata.append,
                more_peers=lambda: self._peers_now(window, probe.infohash),
            )
        candidates = service_candidates(evidence, probe, p.service_checks)
        if not metadata or not candidates:
            return evidence
        checks = []
        with shared.view() as view:
            for endpoint in candidates:
                checks.append(
                    check_service(
                        view,
                        metadata[0],
                        endpoint,
                        p.service_seconds,
                        self.clock,
                        piece_seed=seed,
                        cancelled=cancelled,
                    )
                )
        return replace(evidence, service=tuple(checks))

    def _peers_now(self, window: int, infohash: str) -> tuple[Endpoint, ...]:
        with self.database.session() as session:
            return swarm_peers(
                session,
                infohash,
                window,
                self.policy.active_windows,
                self._registrations(session, self.clock.wall_seconds()),
                self.origins(session).get(infohash, ()),
                self.pending,
            )

    def _registrations(self, session: Session, now: int) -> list[Registration]:
        """Every live registration, those pending after those stored (newer last)."""
        stored = live_registrations(session, now)
        return stored if self.pending is None else stored + self.pending.registrations(session, now)

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)


def store_evidence(
    session: Session, epoch: int, evidence: SwarmEvidence, source: str | None = None
) -> StoredEvidence:
    """Keep a probe's evidence (``epoch``: the one that planned it; ``source``: its name
    on every validator of a federation, None on a node alone)."""
    row = StoredEvidence(
        epoch=epoch,
        infohash=evidence.infohash,
        started_at=evidence.started_at,
        ended_at=max(evidence.ended_at, evidence.started_at),
        cost_bytes=evidence.cost.total + sum(c.payload_down for c in evidence.service),
        evidence=evidence_dumps(evidence),
        source=source,
    )
    evidence_repo.add_evidence(session, row)
    return row


class Federated(Protocol):
    """What a federation validator's probes need (``ProbeRunner``'s ``federated``)."""

    @property
    def pending(self) -> Pending: ...

    @property
    def sealing(self) -> AbstractContextManager[object]:
        """Held while sealing (one sealer at a time)."""
        ...

    def seal(self, session: Session, epoch: int, evidence: SwarmEvidence) -> None:
        """Seal the probe's evidence (planned by ``epoch``) into this validator's batches."""
        ...


def service_candidates(evidence: SwarmEvidence, probe: PlannedProbe, limit: int) -> list[Endpoint]:
    """Named peers that answered the probe but served it nothing: origins first, then the
    ones advertising the most pieces."""
    origins = {str(e) for e in probe.origins}
    found = [
        p for p in evidence.peers if p.named and p.answered and p.payload_down == 0 and not p.banned
    ]
    found.sort(key=lambda p: (p.endpoint not in origins, -p.pieces, p.endpoint))
    return [Endpoint.parse(p.endpoint) for p in found[: max(0, limit)]]


def probe_window(runner: ProbeRunner, timeout_s: float = 300.0) -> list[str]:
    """Plan and run the current window's probes and wait for them; the infohashes whose
    evidence was stored (tests, the real fraud run). When the window had too little left
    to start them, the next window's plan runs instead."""
    deadline = time.monotonic() + timeout_s
    while True:
        futures = runner.tick()
        wait(futures, timeout=max(0.0, deadline - time.monotonic()))
        stored = sorted(r for f in futures if f.done() and (r := f.result()) is not None)
        if stored or not futures or time.monotonic() >= deadline:
            return stored
        wall = runner.clock.wall_seconds() + LEAD_SECONDS
        next_window = time.monotonic() + WINDOW_SECONDS - wall % WINDOW_SECONDS
        while time.monotonic() < min(next_window, deadline):
            time.sleep(0.2)  # poll until the next window begins
