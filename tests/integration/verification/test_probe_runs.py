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
from servicelayer.probes.planner import FRESH, IDLE, STALE, PlannedProbe, plan_window, swarm_limit
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
    assert sorted(p.infohash for p in everything) == sorted(swarms)
    # active swarms first (an active origin swarm before the rest), idle origin swarms
    # only with budget to spare
    others = sorted(swarms[1:], key=lambda h: sample_score(SEED, W0 + 60, h))[:2]
    assert [p.infohash for p in sample] == [swarms[0], *others]  # in rank order
    assert [p.origin for p in sample if p.infohash == swarms[0]] == [True]
    assert sorted(p.infohash for p in spare) == sorted([owned, *swarms])
    assert spare[-1].infohash == owned  # the idle origin swarm last
    assert [p.origin for p in spare if p.infohash == owned] == [True]
    assert later == []


def test_a_swarm_that_turns_active_mid_window_takes_an_idle_origin_swarms_place(
    database: Database,
) -> None:
    busy = PlannedProbe("aa" * 20, ())
    idle = PlannedProbe("bb" * 20, (), origin=True, activity=IDLE)  # named, no receipts yet
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
        other = PlannedProbe("dd" * 20, (), origin=True, activity=IDLE)
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
        back = replace(idle, activity=FRESH)
        final = runs.record_plan(s, W0, W0 // EPOCH, [busy, late, back], W0 + 40, deadline, 3)
        assert {r.infohash: r.status for r in final} == {
            busy.infohash: runs.PLANNED,
            idle.infohash: runs.PLANNED,
            late.infohash: runs.PLANNED,
            other.infohash: runs.PREEMPTED,
        }


def test_fresh_swarms_come_first_and_take_the_place_of_stale_ones(database: Database) -> None:
    """A swarm whose receipts began in this window or the one before needs this window's
    evidence more than one whose receipts are older (its viewers may have gone)."""
    stale = [f"{i:02x}" * 20 for i in range(1, 4)]
    fresh = "0a" * 20
    _receipts(database, stale, W0)  # two windows before W0 + 120
    _receipts(database, [fresh], W0 + 60)  # the window before
    with database.session() as s:
        plan = plan_window(s, W0 + 120, SEED, 2, 3, [])
    activity = {p.infohash: p.activity for p in plan}
    assert len(plan) == 2 and activity.pop(fresh) == FRESH
    assert list(activity.values()) == [STALE]

    window = W0 + 120
    a, b, c = (PlannedProbe(h, (), activity=STALE) for h in stale)
    idle = PlannedProbe("0c" * 20, (), origin=True, activity=IDLE)
    new1, new2 = PlannedProbe("0d" * 20, ()), PlannedProbe("0e" * 20, ())  # fresh
    deadline = window + EPOCH
    with database.session(write=True) as s:
        runs.record_plan(s, window, window // EPOCH, [a, b, idle], window - 10, deadline, 3)
        # a stale swarm takes nobody's place
        again = runs.record_plan(s, window, window // EPOCH, [c], window + 5, deadline, 3)
        assert c.infohash not in {r.infohash for r in again}
        # fresh swarms do: the idle origin swarm's run first, then a stale one's
        plan2 = [new1, a, b]  # rank order: fresh first
        runs.record_plan(s, window, window // EPOCH, plan2, window + 15, deadline, 3)
        final = runs.record_plan(
            s, window, window // EPOCH, [new1, new2, a, b], window + 25, deadline, 3
        )
        status = {r.infohash: r.status for r in final}
    assert status == {
        idle.infohash: runs.PREEMPTED,
        a.infohash: runs.PREEMPTED,  # the first stale one by hash
        b.infohash: runs.PLANNED,
        new1.infohash: runs.PLANNED,
        new2.infohash: runs.PLANNED,
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
        grown = runs.record_plan(s, W0, W0 // EPOCH, [*plan, *late], W0 + 20, W0 + EPOCH, 3)
        assert [r.infohash for r in grown] == ["aa" * 20, "bb" * 20, "cc" * 20]  # room for one
        assert runs.start(s, grown[2].id, W0 + 21)
        runs.finish(s, grown[2].id, W0 + 61)
        assert runs.start(s, a.id, W0 + 3)
        assert not runs.start(s, b.id, W0 + 58)  # too late in its window: not started
        ids = a.id, b.id, c.id
    with database.session() as s:
        assert s.get(ProbeRun, ids[1]).status == runs.TIMED_OUT
    clock["now"] = W0 + EPOCH + 10
    assert "2 probe run(s)" in (gate(W0 // EPOCH) or "")
    with database.session(write=True) as s:
        runs.finish(s, ids[0], W0 + 61)
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


def test_verify_waits_for_the_next_windows_runs_that_watched_its_end(database: Database) -> None:
    """A window's probes start LEAD_SECONDS early; verification reads every probe whose
    observation meets the epoch, so the epoch waits for them too, and not for the next
    window's runs that start after it."""
    clock = {"now": W0 + EPOCH + 5}
    gate = runs.probe_gate(database, EPOCH, lambda: clock["now"])
    nxt = W0 + EPOCH
    plan = [PlannedProbe("aa" * 20, ()), PlannedProbe("bb" * 20, ())]
    with database.session(write=True) as s:
        (early, late) = runs.record_plan(s, nxt, nxt // EPOCH, plan, nxt - 10, nxt + 150, 3)
        assert runs.start(s, early.id, nxt - 10)  # watches the epoch's last 10 s
        assert runs.start(s, late.id, nxt + 3)  # a swarm active after the epoch's end
        ids = early.id, late.id
    assert "1 probe run(s)" in (gate(W0 // EPOCH) or "")
    with database.session(write=True) as s:
        assert runs.finish(s, ids[0], nxt + 70) is not None
    assert gate(W0 // EPOCH) is None
    # a run that finishes after its deadline timed it out is not done: its evidence is
    # dropped, since the epochs it watched may have been verified without it
    clock["now"] = nxt + 151
    assert gate(nxt // EPOCH) is None  # the late run timed out
    with database.session(write=True) as s:
        assert runs.finish(s, ids[1], nxt + 152) is None
        assert s.get(ProbeRun, ids[1]).status == runs.TIMED_OUT


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
        runs.finish(s, run.id, W0 + EPOCH + 30)
    clock["now"] = W0 + EPOCH + 31
    assert advance(database, config, steps, "w", clock["now"]) == [
        Progress(W0 // EPOCH, "verified")
    ]
