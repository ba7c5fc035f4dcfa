"""The incremental state hash in the journal: rebuild and replay stay exact, tampering is
caught, and a journal written with the version-1 hash is refused until it is converted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from contracts.canonical import full_state_hash
from contracts.core import Context
from servicelayer.errors import InvariantViolation
from servicelayer.runtime.contracts import load_spec
from servicelayer.runtime.rehash import JournalMismatch, rehash
from servicelayer.runtime.runtime import ContractRuntime, LegacyStateHash, replay_epoch
from servicelayer.services.common import RefusedConflict, apply_checked
from servicelayer.services.idempotency import IdempotentRunner
from servicelayer.storage.db import Database
from servicelayer.storage.journal_models import JournalEntry, Snapshot
from testnet.processes import free_port
from tests.conftest import BACKENDS
from tests.runtime_scenario import play_catalog, publications
from tests.support import NodeProcess

pytestmark = pytest.mark.integration
CONTRACTS = ("catalog", "subscriptions")


def make_runtime() -> ContractRuntime:
    return ContractRuntime([load_spec(name) for name in CONTRACTS], snapshot_every=7)


def _downgrade_to_version_1(db: Database) -> None:
    """Rewrite the stored hashes as version 1 computed them (full canonical bytes)."""
    runtime = make_runtime()
    with db.session(write=True) as session:
        for name in CONTRACTS:
            spec = runtime.spec(name)
            state = spec.initial_state()
            snapshots = {
                s.seq: s for s in session.scalars(select(Snapshot).where(Snapshot.contract == name))
            }
            for entry in session.scalars(
                select(JournalEntry).where(JournalEntry.contract == name).order_by(JournalEntry.seq)
            ):
                action = spec.types.loads(entry.action.encode())
                state = spec.transition(state, action, _ctx(entry)).state
                entry.state_hash = full_state_hash(state)
                if entry.seq in snapshots:
                    snapshots[entry.seq].state_hash = entry.state_hash


def _ctx(entry: JournalEntry) -> Context:
    return Context(entry.epoch, entry.close_time, entry.seed)


def _hashes(db: Database) -> list[str]:
    with db.session() as session:
        query = select(JournalEntry.state_hash).order_by(JournalEntry.contract, JournalEntry.seq)
        return list(session.scalars(query))


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_fresh_runtime_rebuilds_and_replays_the_catalog_exactly(db: Database) -> None:
    live = make_runtime()
    play_catalog(live, db, range(1, 4))
    with db.session() as session:
        for name in CONTRACTS:
            live_state, live_seq = live.current(session, name)
            rebuilt, seq = make_runtime().current(session, name)
            assert (rebuilt, seq) == (live_state, live_seq)
        reports = [replay_epoch(make_runtime(), session, epoch) for epoch in (1, 2, 3)]
    assert all(r.identical and r.actions > 0 for r in reports)
    assert live_state.contents and len(rebuilt.contents) == 18


def test_replay_finds_a_tampered_catalog_action(db: Database) -> None:
    play_catalog(make_runtime(), db, range(1, 4))
    with db.session(write=True) as session:
        entry = session.scalars(
            select(JournalEntry).where(
                JournalEntry.contract == "catalog",
                JournalEntry.epoch == 2,
                JournalEntry.action.like('%"Film 3 of epoch 2"%'),
            )
        ).one()
        entry.action = entry.action.replace("Film 3 of epoch 2", "Film 3 of epoch 9")
    with db.session() as session:
        report = replay_epoch(make_runtime(), session, 2)
        untouched = replay_epoch(make_runtime(), session, 1)
    assert next((m.contract, m.what) for m in report.mismatches) == ("catalog", "state_hash")
    assert untouched.identical


def test_a_tampered_snapshot_is_refused(db: Database) -> None:
    play_catalog(make_runtime(), db, range(1, 4))
    with db.session(write=True) as session:
        snap = session.scalars(
            select(Snapshot).where(Snapshot.contract == "catalog").order_by(Snapshot.seq.desc())
        ).first()
        assert snap is not None
        snap.state = snap.state.replace("Film 4", "Film X", 1)
    with db.session() as session, pytest.raises(InvariantViolation, match="snapshot"):
        make_runtime().current(session, "catalog")


def test_a_version_1_journal_is_refused_then_converted(db: Database) -> None:
    play_catalog(make_runtime(), db, range(1, 4))
    with db.session() as session:
        before = {name: make_runtime().current(session, name) for name in CONTRACTS}
    _downgrade_to_version_1(db)
    with db.session() as session, pytest.raises(LegacyStateHash, match="acenode db rehash"):
        make_runtime().load(session)
    with db.session(write=True) as session:
        done = rehash(make_runtime(), session)
    assert {r.contract: r.entries for r in done} == {"catalog": 27, "subscriptions": 18}
    with db.session() as session:
        after = {name: make_runtime().current(session, name) for name in CONTRACTS}
        assert all(replay_epoch(make_runtime(), session, e).identical for e in (1, 2, 3))
    assert after == before


def test_conversion_refuses_a_tampered_version_1_journal(db: Database) -> None:
    play_catalog(make_runtime(), db, range(1, 4))
    _downgrade_to_version_1(db)
    with db.session(write=True) as session:
        entry = session.scalars(
            select(JournalEntry).where(
                JournalEntry.contract == "catalog",
                JournalEntry.action.like('%"Film 5 of epoch 1"%'),
            )
        ).one()
        entry.action = entry.action.replace("Film 5 of epoch 1", "Film 5 of epoch 7")
    version_1 = _hashes(db)
    with pytest.raises(JournalMismatch), db.session(write=True) as session:
        rehash(make_runtime(), session)
    assert _hashes(db) == version_1  # nothing was converted


def test_the_node_refuses_a_version_1_journal_until_acenode_db_rehash(
    tmp_path: Path, db: Database, database_url: str
) -> None:
    play_catalog(make_runtime(), db, range(1, 3))
    _downgrade_to_version_1(db)
    data = ["--data-dir", str(tmp_path / "node"), "--database-url", database_url]
    ledger = f"http://127.0.0.1:{free_port()}"  # not the default port: tests run in parallel
    refused = subprocess.run(
        [sys.executable, "-m", "node", "run", "--port", str(free_port()), *data],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "ACENODE_STELLAR__HORIZON_URL": ledger},
    )
    assert refused.returncode == 2
    assert "acenode db rehash" in refused.stderr
    converted = subprocess.run(
        [sys.executable, "-m", "node", "db", "rehash", "--json", *data],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert converted.returncode == 0, converted.stderr
    rows = {row["contract"]: row["entries"] for row in json.loads(converted.stdout)}
    assert rows == {"catalog": 18, "subscriptions": 12}
    node = NodeProcess(tmp_path / "node", database_url, ACENODE_WATCHER__ENABLED="false")
    node.start()
    try:
        listed = httpx.get(f"{node.url}/v1/catalog", params={"q": "film"}, timeout=30)
        assert listed.status_code == 200
        assert listed.json()["total"] == 8  # 12 published, 2 hidden and 2 delisted
    finally:
        node.stop()


def test_a_refused_write_leaves_the_cached_state_in_place(db: Database) -> None:
    """A rolled-back write restores the states it found: the next write does not rebuild
    the contract from its snapshot and journal (a cost in the size of the state)."""
    runtime = make_runtime()
    play_catalog(runtime, db, range(1, 3))
    runner = IdempotentRunner(db, runtime)
    with db.session() as session:
        before, seq = runtime.current(session, "catalog")
    taken = publications(1)[3]
    squat = replace(taken, provider=publications(1)[4].provider, title="Mine now")
    with pytest.raises(RefusedConflict, match="not_owner"):
        runner.write(lambda s: apply_checked(runtime, s, "catalog", [squat], Context(2, 9000)))
    with db.session() as session:
        after, after_seq = runtime.current(session, "catalog")
    assert after_seq == seq
    assert after is before  # the very object: not rebuilt
