"""Runs contracts and journals every action with its events and resulting state hash.

The journal is a write-ahead log in the raiden sense: each action is stored with the
events it produced and the hash of the state after it, in the caller's transaction, so
the state can always be rebuilt by re-running the journal, and a replay proves that the
run was deterministic.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from contracts.canonical import STATE_HASH_VERSION, canonical_bytes, full_state_hash, state_hash
from contracts.core import Action, Context, Event
from servicelayer.errors import InvariantViolation, NotFound, ServiceLayerError
from servicelayer.runtime.contracts import ContractSpec
from servicelayer.storage import journal_repo as repo
from servicelayer.storage.journal_models import JournalEntry, Snapshot


@dataclass(frozen=True)
class Applied:
    contract: str
    seq: int
    events: tuple[Event, ...]
    state_hash: str


SNAPSHOT_RATIO = 10  # at most one full snapshot per (entries / SNAPSHOT_RATIO) actions


@dataclass(frozen=True)
class _Cached:
    seq: int
    state: Any
    snapshot_seq: int  # seq of the latest snapshot stored (or taken) of this contract


class ContractRuntime:
    def __init__(self, specs: Iterable[ContractSpec], snapshot_every: int = 500) -> None:
        self.specs = {spec.name: spec for spec in specs}
        self.snapshot_every = snapshot_every
        self._cache: dict[str, _Cached] = {}

    def spec(self, name: str) -> ContractSpec:
        try:
            return self.specs[name]
        except KeyError:
            raise NotFound(f"no contract named {name!r}") from None

    def current(self, session: Session, name: str) -> tuple[Any, int]:
        """The contract's latest state and the seq of the last action applied to it."""
        last = repo.last_seq(session, name)
        cached = self._cache.get(name)
        if cached is not None and cached.seq == last:
            return cached.state, last
        state, seq, snap = self._rebuild(session, self.spec(name), last)
        self._cache[name] = _Cached(seq, state, snap)
        return state, seq

    def load(self, session: Session) -> None:
        """Rebuild every contract's state now (the node does this when it starts, so the
        first write does not pay for it, and a journal it cannot use stops it there)."""
        for name in self.specs:
            self.current(session, name)

    def apply(
        self, session: Session, name: str, actions: Sequence[Action], ctx: Context
    ) -> list[Applied]:
        """Apply ``actions`` in order; journal them in ``session`` (the caller commits)."""
        spec = self.spec(name)
        state, seq = self.current(session, name)
        snap = self._cache[name].snapshot_seq
        rows: list[JournalEntry | Snapshot] = []
        applied: list[Applied] = []
        for action in actions:
            result = spec.transition(state, action, ctx)
            state, seq = result.state, seq + 1
            digest = state_hash(state)
            rows.append(_entry(name, seq, ctx, action, result.events, digest))
            if seq - snap >= max(self.snapshot_every, _entry_count(state) // SNAPSHOT_RATIO):
                rows.append(_snapshot(name, seq, state, digest))
                snap = seq
            applied.append(Applied(name, seq, result.events, digest))
        repo.add(session, rows)
        self._cache[name] = _Cached(seq, state, snap)
        return applied

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """Wrap the caller's write transaction: if it fails, the cached states return to
        what they were (the states are immutable, so keeping the old ones is exact)."""
        mark = dict(self._cache)
        try:
            yield
        except BaseException:
            self._cache = mark
            raise

    def snapshot(self, session: Session, name: str) -> None:
        """Store the current state (the epoch pipeline does this when an epoch closes)."""
        state, seq = self.current(session, name)
        existing = repo.latest_snapshot(session, name)
        if existing is None or existing.seq < seq:
            repo.add(session, [_snapshot(name, seq, state, state_hash(state))])
            self._cache[name] = _Cached(seq, state, seq)

    def forget(self) -> None:
        """Drop the in-memory states (after a rolled-back transaction)."""
        self._cache.clear()

    def _rebuild(self, session: Session, spec: ContractSpec, up_to: int) -> tuple[Any, int, int]:
        state, seq = self.start_state(session, spec, up_to)
        snap = seq
        for entry in repo.entries(session, spec.name, seq, up_to):
            state = spec.transition(state, _action(spec, entry), _context(entry)).state
            if state_hash(state) != entry.state_hash:
                _refuse_legacy(spec.name, entry.seq, state, entry.state_hash)
                raise InvariantViolation(f"{spec.name} #{entry.seq}: state differs from journal")
            seq = entry.seq
        return state, seq, snap

    def start_state(self, session: Session, spec: ContractSpec, at_most: int) -> tuple[Any, int]:
        snap = repo.latest_snapshot(session, spec.name, at_most)
        if snap is None:
            return spec.initial_state(), 0
        state = spec.types.loads(snap.state.encode())
        if state_hash(state) != snap.state_hash:
            _refuse_legacy(spec.name, snap.seq, state, snap.state_hash)
            raise InvariantViolation(f"{spec.name} snapshot #{snap.seq} does not match its hash")
        return state, snap.seq


@dataclass
class Mismatch:
    contract: str
    seq: int
    what: str  # "state_hash" or "events"
    journal: str
    replay: str


@dataclass
class ReplayReport:
    epoch: int
    actions: int = 0
    contracts: list[str] = field(default_factory=list)
    mismatches: list[Mismatch] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.mismatches


def replay_epoch(runtime: ContractRuntime, session: Session, epoch: int) -> ReplayReport:
    """Recompute ``epoch`` from the journal: every state hash and event must be identical."""
    report = ReplayReport(epoch, contracts=repo.contracts_in_epoch(session, epoch))
    if not report.contracts:
        raise NotFound(f"the journal has no actions in epoch {epoch}")
    for name in report.contracts:
        spec = runtime.spec(name)
        span = repo.epoch_range(session, name, epoch)
        assert span is not None
        first, last = span
        state, seq = runtime.start_state(session, spec, first - 1)
        for entry in repo.entries(session, name, seq, last):
            result = spec.transition(state, _action(spec, entry), _context(entry))
            state = result.state
            if entry.seq < first:
                continue  # catching up from the snapshot to the epoch's first action
            report.actions += 1
            _compare(report, entry, state_hash(state), canonical_bytes(result.events).decode())
    return report


class LegacyStateHash(ServiceLayerError):
    """The journal's hashes follow an earlier definition of the state hash: the node
    refuses it (at start) until ``acenode db rehash`` converts it."""

    code = "legacy_state_hash"


def _refuse_legacy(name: str, seq: int, state: Any, stored: str) -> None:
    if full_state_hash(state) == stored:
        raise LegacyStateHash(
            f"{name} #{seq}: the journal was written with state-hash version 1; this node "
            f"uses version {STATE_HASH_VERSION}: run `acenode db rehash` once to convert it"
        )


def _entry_count(state: Any) -> int:
    """How many entries the state's maps hold (what a full snapshot has to encode)."""
    if not dataclasses.is_dataclass(state):
        return 0
    return sum(
        len(value)
        for f in dataclasses.fields(state)
        if isinstance(value := getattr(state, f.name), Mapping)
    )


def _compare(report: ReplayReport, entry: JournalEntry, digest: str, events: str) -> None:
    if digest != entry.state_hash:
        report.mismatches.append(
            Mismatch(entry.contract, entry.seq, "state_hash", entry.state_hash, digest)
        )
    if events != entry.events:
        report.mismatches.append(
            Mismatch(entry.contract, entry.seq, "events", entry.events, events)
        )


def _entry(
    name: str, seq: int, ctx: Context, action: Action, events: tuple[Event, ...], digest: str
) -> JournalEntry:
    return JournalEntry(
        contract=name,
        seq=seq,
        epoch=ctx.epoch,
        close_time=ctx.close_time,
        seed=ctx.seed,
        action=canonical_bytes(action).decode(),
        events=canonical_bytes(events).decode(),
        state_hash=digest,
    )


def _snapshot(name: str, seq: int, state: Any, digest: str) -> Snapshot:
    return Snapshot(
        contract=name, seq=seq, state=canonical_bytes(state).decode(), state_hash=digest
    )


def _action(spec: ContractSpec, entry: JournalEntry) -> Any:
    return spec.types.loads(entry.action.encode())


def _context(entry: JournalEntry) -> Context:
    return Context(epoch=entry.epoch, close_time=entry.close_time, seed=entry.seed)
