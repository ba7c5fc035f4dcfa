"""When the validators' signatures count for a DAO account, and bootstraps taking turns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from stellar_sdk import Keypair

from servicelayer.dao.bootstrap import DaoPolicy
from servicelayer.dao.lock import BootstrapRunning, bootstrap_lock, bootstrap_running
from servicelayer.dao.readiness import signs_for
from servicelayer.ledger.horizon import AccountState

V1, V2, V3 = (Keypair.random() for _ in range(3))
ACCOUNT = Keypair.random().public_key


def make_state(signers: dict[str, int], thresholds: tuple[int, int, int]) -> AccountState:
    return AccountState(ACCOUNT, 100, thresholds, signers)


FUNDED = make_state({ACCOUNT: 1}, (0, 0, 0))  # funded, signers not set yet
CONFIGURED = make_state({ACCOUNT: 0, V1.public_key: 1, V2.public_key: 1}, (2, 2, 2))


@pytest.mark.parametrize(
    ("state", "keys", "expected"),
    [
        pytest.param(FUNDED, [V1], False, id="funded-only-master-signs"),
        pytest.param(CONFIGURED, [V1, V2], True, id="m-of-n"),
        pytest.param(CONFIGURED, [V1], False, id="below-threshold"),
        pytest.param(CONFIGURED, [V1, V3], False, id="extra-signature"),
        pytest.param(CONFIGURED, [], False, id="no-signature"),
        pytest.param(make_state({ACCOUNT: 0, V1.public_key: 1}, (0, 0, 0)), [V1], True, id="t0"),
    ],
)
def test_signs_for_counts_as_stellar_core(
    state: AccountState, keys: list[Keypair], expected: bool
) -> None:
    assert signs_for(state, [k.public_key for k in keys]) is expected


def test_the_policy_knows_a_configured_account() -> None:
    policy = DaoPolicy((V1.public_key, V2.public_key), 2)
    assert policy.configured(CONFIGURED)
    assert not policy.configured(FUNDED)
    assert not DaoPolicy((V1.public_key,), 1).configured(CONFIGURED)


def test_a_second_bootstrap_of_one_directory_waits_or_steps_aside(tmp_path: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, pathlib\n"
            "from servicelayer.dao.lock import bootstrap_lock\n"
            f"with bootstrap_lock(pathlib.Path({str(tmp_path)!r}), wait=True):\n"
            "    print('held', flush=True); sys.stdin.readline()\n",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        assert bootstrap_running(tmp_path)
        with pytest.raises(BootstrapRunning), bootstrap_lock(tmp_path, wait=False):
            pass
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(10)
    assert not bootstrap_running(tmp_path)
    with bootstrap_lock(tmp_path, wait=False):
        assert (tmp_path / ".bootstrap.lock").stat().st_mode & 0o077 == 0
