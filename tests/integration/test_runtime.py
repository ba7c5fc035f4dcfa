"""The contract runtime on a real database: journal, rebuild, replay, determinism."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from contracts.canonical import state_hash
from servicelayer.runtime.contracts import load_spec
from servicelayer.runtime.runtime import ContractRuntime, replay_epoch
from servicelayer.storage.db import Database
from servicelayer.storage.journal_models import JournalEntry
from tests.conftest import BACKENDS
from tests.runtime_scenario import play

pytestmark = pytest.mark.integration


def make_runtime() -> ContractRuntime:
    return ContractRuntime([load_spec("billing")], snapshot_every=7)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_fresh_runtime_rebuilds_the_live_state(db: Database) -> None:
    live = make_runtime()
    play(live, db, range(1, 4))
    with db.session() as session:
        live_state, live_seq = live.current(session, "billing")
        rebuilt_state, rebuilt_seq = make_runtime().current(session, "billing")
    assert live_seq == rebuilt_seq > 0
    assert state_hash(rebuilt_state) == state_hash(live_state)
    assert rebuilt_state == live_state


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_replay_of_each_epoch_is_identical(db: Database) -> None:
    play(make_runtime(), db, range(1, 4))
    with db.session() as session:
        reports = [replay_epoch(make_runtime(), session, epoch) for epoch in (1, 2, 3)]
    assert all(r.identical and r.actions > 0 for r in reports)


def test_replay_finds_a_tampered_journal(db: Database) -> None:
    play(make_runtime(), db, range(1, 4))
    with db.session(write=True) as session:
        entry = (
            session.query(JournalEntry)
            .filter(JournalEntry.epoch == 2, JournalEntry.action.like("%ReceiveDeposit%"))
            .first()
        )
        assert entry is not None
        entry.action = entry.action.replace('"amount":30000000', '"amount":31000000')
    with db.session() as session:
        report = replay_epoch(make_runtime(), session, 2)
        untouched = replay_epoch(make_runtime(), session, 1)
    assert not report.identical
    assert {m.what for m in report.mismatches} >= {"state_hash"}
    assert untouched.identical


def test_two_processes_write_byte_identical_journals(tmp_path: Path) -> None:
    outputs = []
    for name, hash_seed in (("a", "1"), ("b", "2")):  # str hashes (and PMap layouts) differ
        url = f"sqlite:///{tmp_path / name}.sqlite3"
        result = subprocess.run(
            [sys.executable, "-m", "tests.runtime_scenario", url],
            capture_output=True,
            timeout=120,
            check=True,
            env={**os.environ, "PYTHONHASHSEED": hash_seed},
        )
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
    assert outputs[0].count(b"\n") > 20
    assert outputs[0].count(b'["catalog",') == 27


def test_acenode_epochs_replay_exit_status(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'node.sqlite3'}"
    subprocess.run(
        [sys.executable, "-m", "tests.runtime_scenario", url],
        check=True,
        capture_output=True,
        timeout=120,
    )

    def replay(epoch: int) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [
                sys.executable,
                "-m",
                "node",
                "epochs",
                "replay",
                str(epoch),
                "--data-dir",
                str(tmp_path),
                "--database-url",
                url,
            ],
            capture_output=True,
            text=True,
            timeout=60,
        )

    ok = replay(2)
    assert ok.returncode == 0 and "identical" in ok.stdout
    database = Database(url)
    with database.session(write=True) as session:
        entry = session.query(JournalEntry).filter(JournalEntry.epoch == 3).first()
        assert entry is not None
        entry.state_hash = "0" * 64
    database.dispose()
    bad = replay(3)
    assert bad.returncode == 1 and "state_hash" in bad.stdout
    missing = replay(99)
    assert missing.returncode == 2 and "no actions in epoch 99" in missing.stderr
