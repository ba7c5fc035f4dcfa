"""Converting a journal from state-hash version 1 to the current version.

Version 1 hashed the full canonical bytes of each state; version 2 hashes the summary
form, in which a ``PMap`` stands as its digest (``contracts.canonical``). The actions,
events and snapshot bytes are the same in both: only the stored hashes change. The
conversion replays every contract's journal from its genesis and proves, before it
writes anything, that the journal is the one version 1 wrote: at every snapshot and at
the last action the replayed state must match the stored version-1 hash (and the
snapshot's bytes), so a tampered journal is refused, not blessed with new hashes.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from contracts.canonical import canonical_bytes, full_state_hash, state_hash
from contracts.core import Context
from servicelayer.errors import Conflict
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import journal_repo as repo
from servicelayer.storage.journal_models import JournalEntry, Snapshot


class JournalMismatch(Conflict):
    """The journal does not replay to the hashes it holds: it is not converted."""

    code = "journal_mismatch"


@dataclass(frozen=True)
class Rehashed:
    contract: str
    entries: int  # journal entries whose hash changed
    snapshots: int  # snapshots whose hash changed


def rehash(runtime: ContractRuntime, session: Session) -> list[Rehashed]:
    """Rewrite every version-1 hash in ``session`` (the caller commits)."""
    names = sorted(set(session.scalars(select(JournalEntry.contract).distinct())))
    return [_rehash_contract(runtime, session, name) for name in names]


def _rehash_contract(runtime: ContractRuntime, session: Session, name: str) -> Rehashed:
    spec = runtime.spec(name)
    snapshots = {
        s.seq: s for s in session.scalars(select(Snapshot).where(Snapshot.contract == name))
    }
    entries = repo.entries(session, name, 0)
    state = spec.initial_state()
    changed_entries = changed_snapshots = 0
    for n, entry in enumerate(entries):
        action = spec.types.loads(entry.action.encode())
        ctx = Context(epoch=entry.epoch, close_time=entry.close_time, seed=entry.seed)
        state = spec.transition(state, action, ctx).state
        new = state_hash(state)
        snap = snapshots.get(entry.seq)
        if snap is not None or n == len(entries) - 1:
            _check_version_1(name, entry, snap, state)
        if entry.state_hash != new:
            entry.state_hash = new
            changed_entries += 1
        if snap is not None and snap.state_hash != new:
            snap.state_hash = new
            changed_snapshots += 1
    return Rehashed(name, changed_entries, changed_snapshots)


def _check_version_1(name: str, entry: JournalEntry, snap: Snapshot | None, state: object) -> None:
    hashes = {state_hash(state), full_state_hash(state)}
    if entry.state_hash not in hashes:
        raise JournalMismatch(f"{name} #{entry.seq}: the journal does not replay to its hash")
    if snap is None:
        return
    if snap.state_hash not in hashes or snap.state != canonical_bytes(state).decode():
        raise JournalMismatch(f"{name} snapshot #{snap.seq} differs from the replayed state")
