"""Per-window plans within the budget, and the verify step's wait for probe runs
(injected clock, real SQLite)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from stellar_sdk import Keypair

from servicelayer.epochs.pipeline import PipelineConfig, Progress, advance
from servicelayer.epochs.steps import verify_step
from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.probes import runs
from servicelayer.probes.planner import PlannedProbe, plan_window, swarm_limit
from servicelayer.probes.sampling import sample_score
from servicelayer.probes.service import ProbePolicy
from servicelayer.receipts import network_id
from servicelayer.receipts.peer import ReceiptSigner
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import epochs_repo
from servicelayer.storage.db import Database
from servicelayer.storage.verification_models import ProbeRun
from tests.support import PASSPHRASE

pytestmark = pytest.mark.integration
NET = network_id(PASSPHRASE)
EPOCH = 3600
W0 = 1_800_000_000 - 1_800_000_000 % EPOCH  # an epoch's first window
SEED = bytes(range(32))


@pytest.fixture
def database(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'node.sqlite3'}")
    db.upgrade()
    return db


def _receipts(database: Database, infohashes: list[str], window: int) -> None:
    uploader = Keypair.random().public_key
    signer = ReceiptSigner(Keypair.random(), PASSPHRASE)
    wires = []
    for h in infohashes:
        session = signer.bandwidth_session(uploader, bytes.fromhex(h), window)
        wires.append(signer.wire(session.update(1000, window + 30)))
    with database.session(write=True) as s:
        policy = IngestPolicy(NET, 120, 10**9, 125_000_000, EPOCH)
        assert all(r.status == "accepted" for r in ingest_batch(s, wires, policy, window + 40))


def test_budget_limits_swarms_and_the_sample_is_seeded(database: Database) -> None:
    assert swarm_limit(8, 64 << 20, 4 << 20) == 8
    assert swarm_limit(8, 8 << 20, 4 << 20) == 2
    assert swarm_limit(8, 64 << 20, 0) == 8
    assert ProbePolicy(budget_bytes=4 << 20, window_bytes=12 << 20).swarms_per_window == 3
    swarms = [f"{i:02x}" * 20 for i in range(1, 7)]
    _receipts(database, swarms, W0)
    owned = "ee" * 20
    with database.session() as s:
        everything = plan_window(s, W0 + 60, SEED, 100, 3, [])
        named = {owned: [Keypair.random().public_key], swarms[0]: [Keypair.random().public_key]}
        sample = plan_window(s, W0 + 60, SEED, 3, 3, [], named)
        spare = plan_window(s, W0 + 60, SEED, 7, 3, [], named)
        later = plan_window(s, W0 + 240, SEED, 100, 3, [])  # receipts 4 windows old
    assert [p.infohash for p in everything] == sorted(swarms)
    # active swarms first (an active origin swarm before the rest), idle origin swarms
    # only with budget to spare
    others = sorted(swarms[1:], key=lambda h: sample_score(SEED, W0 + 60, h))[:2]
    assert [p.infohash for p in sample] == sorted([swarms[0], *others])
    assert [p.origin for p in sample if p.infohash == swarms[0]] == [True]
    assert [p.infohash for p in spare] == sorted([owned, *swarms])
    assert [p.origin for p in spare if p.infohash == owned] == [True]
    assert later == []


def test_a_swarm_that_turns_active_mid_window_takes_an_idle_origin_swarms_place(
    database: Database,
) -> None:
    busy = PlannedProbe("aa" * 20, ())
    idle = PlannedProbe("bb" * 20, (), origin=True, active=False)  # named, no receipts yet
    late = PlannedProbe("cc" * 20, ())
    deadline = W0 + EPOCH
    with database.session(write=True) as s:
        first = runs.record_plan(s, W0, W0 // EPOCH, [busy, idle], W0 - 10, deadline, 2)
        assert [r.status for r in first] == [runs.PLANNED, runs.PLANNED]
        assert runs.start(s, first[1].id, W0 - 9)  # the idle swarm's probe is running
        # 20 s in, a third swarm has receipts: the window is full, the idle run yields
        again = runs.record_plan(s, W0, W0 // EPOCH, [busy, late, idle], W0 + 20, deadline, 2)
        status = {r.infohash: r.status for r in again}
        assert status == {
            busy.infohash: runs.PLANNED,
            idle.infohash: runs.PREEMPTED,
            late.infohash: runs.PLANNED,
        }
        # an idle swarm never takes an active one's place, and nothing is planned twice
        other = PlannedProbe("dd" * 20, (), origin=True, active=False)
        more = runs.record_plan(s, W0, W0 // EPOCH, [busy, late, other], W0 + 30, deadline, 2)
        assert sorted(r.infohash for r in more) == sorted(
            [busy.infohash, idle.infohash, late.infohash]
        )
        # the verify step does not wait for a preempted run
        waiting = runs.waiting_runs(s, W0, W0 + EPOCH, W0 + 31)
        assert sorted(r.infohash for r in waiting) == sorted([busy.infohash, late.infohash])
        # the preempted swarm's viewers arrive: it is planned again, in the place of a
        # newer idle swarm's run if the window is full
        runs.record_plan(s, W0, W0 // EPOCH, [busy, late, other], W0 + 32, deadline, 3)
        back = replace(idle, active=True)
        final = runs.record_plan(s, W0, W0 // EPOCH, [busy, late, back], W0 + 40, deadline, 3)
        assert {r.infohash: r.status for r in final} == {
            busy.infohash: runs.PLANNED,
            idle.infohash: runs.PLANNED,
            late.infohash: runs.PLANNED,
            other.infohash: runs.PREEMPTED,
        }


def test_verify_waits_for_planned_runs_until_done_or_deadline(database: Database) -> None:
    clock = {"now": W0 + 2}
    gate = runs.probe_gate(database, EPOCH, lambda: clock["now"])
    assert gate(W0 // EPOCH) is None  # nothing planned: nothing to wait for
    plan = [PlannedProbe("aa" * 20, ()), PlannedProbe("bb" * 20, ())]
    last = W0 + EPOCH - 60
    with database.session(write=True) as s:
        (a, b) = runs.record_plan(s, W0, W0 // EPOCH, plan, W0 + 2, W0 + EPOCH + 100, 3)
        (c,) = runs.record_plan(s, last, W0 // EPOCH, plan[:1], last + 1, last + 150, 3)
        again = runs.record_plan(s, W0, W0 // EPOCH, plan[:1], W0 + 7, W0 + EPOCH, 3)
        assert [r.id for r in again] == [a.id, b.id]  # a swarm is planned once per window
        late = [PlannedProbe("cc" * 20, ()), PlannedProbe("dd" * 20, ())]
        grown = runs.record_plan(s, W0, W0 // EPOCH, late, W0 + 20, W0 + EPOCH, 3)
        assert [r.infohash for r in grown] == ["aa" * 20, "bb" * 20, "cc" * 20]  # room for one
        assert runs.start(s, grown[2].id, W0 + 21)
        runs.finish(s, grown[2].id, W0 + 61, None)
        assert runs.start(s, a.id, W0 + 3)
        assert not runs.start(s, b.id, W0 + 58)  # too late in its window: not started
        ids = a.id, b.id, c.id
    with database.session() as s:
        assert s.get(ProbeRun, ids[1]).status == runs.TIMED_OUT
    clock["now"] = W0 + EPOCH + 10
    assert "2 probe run(s)" in (gate(W0 // EPOCH) or "")
    with database.session(write=True) as s:
        runs.finish(s, ids[0], W0 + 61, None)
    assert "1 probe run(s)" in (gate(W0 // EPOCH) or "")
    # the last window's run is left running (a node stopped mid-probe): its deadline frees it
    with database.session(write=True) as s:
        assert runs.start(s, ids[2], last + 2)
    clock["now"] = last + 150
    assert gate(W0 // EPOCH) is not None
    clock["now"] = last + 151
    assert gate(W0 // EPOCH) is None
    with database.session() as s:
        assert s.get(ProbeRun, ids[2]).status == runs.TIMED_OUT


def test_the_pipeline_verifies_an_epoch_once_its_probe_runs_ended(database: Database) -> None:
    clock = {"now": W0 + EPOCH + 20}  # the epoch has ended; its last window's probe runs on
    config = PipelineConfig(epoch_seconds=EPOCH, close_grace_seconds=0)
    gate = runs.probe_gate(database, EPOCH, lambda: clock["now"])
    steps = [verify_step(ContractRuntime([]), EPOCH, gate)]
    last = W0 + EPOCH - 60
    with database.session(write=True) as s:
        (run,) = runs.record_plan(
            s, last, W0 // EPOCH, [PlannedProbe("aa" * 20, ())], last - 10, last + 150, 3
        )
        assert runs.start(s, run.id, last - 10)
    assert advance(database, config, steps, "w", clock["now"]) == [Progress(W0 // EPOCH, "closed")]
    with database.session() as s:
        record = epochs_repo.get(s, W0 // EPOCH)
        assert record is not None and record.status == "closed"
        assert "probe run(s)" in (record.error or "")
    with database.session(write=True) as s:
        runs.finish(s, run.id, W0 + EPOCH + 30, None)
    clock["now"] = W0 + EPOCH + 31
    assert advance(database, config, steps, "w", clock["now"]) == [
        Progress(W0 // EPOCH, "verified")
    ]
