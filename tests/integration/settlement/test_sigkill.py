"""SIGKILL the settlement twenty times while it pays 1,000 payees: each is paid once.

``acenode payouts send`` runs as a subprocess against a ledger subprocess. Kill points
are chosen by a seeded random generator in units of progress (envelopes persisted, or
transactions applied, as the database shows them), never by fixed sleeps.
"""

from __future__ import annotations

import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from stellar_sdk import Keypair

from servicelayer.ledger.money import NATIVE_TEXT
from servicelayer.settlement.plan import Payout
from testnet.ledger.process import LedgerProcess
from tests.integration.settlement.helpers import (
    acenode,
    create_accounts,
    make_node,
    owed,
    paid_by,
    treasury_of,
    write_csv,
)

pytestmark = [pytest.mark.integration, pytest.mark.slow]
KILLS = 20
PAYEES = 1000
CHUNK = 10


def _count(db: Path, where: str = "") -> int:
    if not db.exists():
        return 0
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5) as conn:
            row = conn.execute(f"SELECT count(*) FROM settlement_transactions {where}").fetchone()
            return int(row[0])
    except sqlite3.OperationalError:  # the schema is not there yet
        return 0


def _reached(db: Path, where: str, target: int) -> bool:
    return _count(db, where) >= target


def _kill_when(
    proc: subprocess.Popen[bytes], reached: Callable[[], bool], deadline_s: float
) -> bool:
    """Polls with a deadline; SIGKILLs the settlement once ``reached()``. False if it ended."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        if reached():
            proc.send_signal(signal.SIGKILL)
            proc.wait(10)
            return True
        time.sleep(0.005)
    raise TimeoutError("the settlement made no progress before the deadline")


def test_twenty_kills_and_resumes_pay_everyone_exactly_once(
    ledger: LedgerProcess, node_dir: Path, tmp_path: Path
) -> None:
    make_node(node_dir, ledger.url, channels=4)
    assert acenode("dao", "bootstrap", "-d", str(node_dir)).returncode == 0
    rng = random.Random(20261121)
    accounts = [Keypair.random().public_key for _ in range(PAYEES)]
    missing = set(rng.sample(range(PAYEES), 60))  # claimable balances for these
    create_accounts(ledger.url, [a for i, a in enumerate(accounts) if i not in missing])
    payouts = [Payout(a, NATIVE_TEXT, 1_000_000 + i, f"k{i}") for i, a in enumerate(accounts)]
    csv_file = write_csv(tmp_path / "plan.csv", payouts)
    db = node_dir / "node.sqlite3"
    cmd = [sys.executable, "-m", "node", "payouts", "send", str(csv_file), "-d", str(node_dir)]
    cmd += ["--chunk-size", str(CHUNK), "--json"]

    kills = 0
    while kills < KILLS:
        # Kill after a few more envelopes are persisted, or a few more are applied.
        where = rng.choice(["", "WHERE status = 'applied'"])
        reached = partial(_reached, db, where, _count(db, where) + rng.randint(1, 4))
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        if not _kill_when(proc, reached, deadline_s=60):
            break  # it finished before this kill point
        kills += 1

    final = acenode(*cmd[3:], timeout=180)
    assert final.returncode == 0, final.stderr
    assert kills == KILLS, f"only {kills} kills landed before the plan was paid"
    assert paid_by(ledger.url, treasury_of(node_dir)) == owed(payouts)
    status = acenode("payouts", "status", "-d", str(node_dir), "--json")
    assert '"paid_as_claimable_balance": 60' in status.stdout
