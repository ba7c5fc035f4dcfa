"""A node and `acenode dao bootstrap` running at the same time, in either order.

The bootstrap funds the DAO accounts first and makes the validators their signers
afterwards, one account per ledger. A node that anchored an epoch in between signed for
an account whose only signer was still its master key, and the ledger refused the anchor
with ``tx_bad_auth`` until the bootstrap got there; a node that bootstrapped the embedded
ledger itself while the operator ran the command raced it for the same sequence numbers.
Now the ledger steps wait for the DAO accounts (the log says so once), and bootstraps of
one data directory take turns.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from servicelayer.dao.keys import ROLES, DaoKeys
from tests.support import NodeProcess, free_port, now, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
CLOSE = "1.5"  # seconds per ledger: the bootstrap takes about a dozen ledgers
FAST_EPOCHS = {
    "ACENODE_EPOCHS__ENABLED": "true",
    "ACENODE_EPOCHS__INTERVAL_SECONDS": "1",
    "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": "0",
    "ACENODE_STELLAR__LEDGER_CLOSE_SECONDS": CLOSE,
}
WAITING = "settling and anchoring epochs wait for the DAO accounts"


def acenode(*args: str, env: dict[str, str]) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "node", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, **env},
    )


def finished(proc: subprocess.Popen[str], timeout: float = 120) -> tuple[int, str]:
    out, _ = proc.communicate(timeout=timeout)
    return proc.returncode, out


def anchored(node: NodeProcess, epoch: int) -> dict[str, Any] | None:
    with node.client() as c:
        answer = c.get(f"/v1/epochs/{epoch}")
    record: dict[str, Any] = answer.json() if answer.status_code == 200 else {}
    return record if record.get("status") == "settled" else None


def assert_anchors_quietly(node: NodeProcess) -> None:
    """The last epoch gets its anchor, and the log shows no refusal on the way."""
    epoch = now() // 3600 - 1
    record = wait_for(lambda: anchored(node, epoch), timeout=60, what="the anchor")
    assert record["anchor_tx"]
    assert_quiet(node.output())


def assert_quiet(log: str) -> None:
    """No refused anchor, no failed step, no bootstrap racing another."""
    assert "tx_bad_auth" not in log, log
    assert "tx_bad_seq" not in log, log
    assert "failed" not in log, log
    assert "Connection aborted" not in log, log
    assert "skipped" not in log, log  # a tick overlapping a long one is by design
    assert log.count(WAITING) <= 1, log


def test_a_node_started_beside_a_running_bootstrap_anchors_once_it_is_done(
    tmp_path: Path,
) -> None:
    data = tmp_path / "node"
    ledger_port = free_port()
    horizon = f"http://127.0.0.1:{ledger_port}"
    env = {
        "ACENODE_STELLAR__HORIZON_URL": horizon,
        "ACENODE_STELLAR__EMBEDDED_LEDGER": "false",
        "ACENODE_STELLAR__FRIENDBOT_URL": f"{horizon}/friendbot",
    }
    ledger = acenode(
        "ledger", "serve", "--data-dir", str(tmp_path / "ledger"), "--port", str(ledger_port),
        "--close-interval", CLOSE, env={},
    )  # fmt: skip
    node = NodeProcess(data, **env, **FAST_EPOCHS)
    try:
        wait_for(lambda: _answers(horizon), what="the ledger")
        assert finished(acenode("init", "--data-dir", str(data), env=env))[0] == 0
        bootstrap = acenode("dao", "bootstrap", "--data-dir", str(data), "--json", env=env)
        # the node starts once the bootstrap has written the DAO keys: it has yet to fund
        # the accounts and then make the validators their signers, a ledger each
        wait_for(lambda: _public(data / "dao" / "anchor.key"), what="the anchor key")
        node.start()
        assert bootstrap.poll() is None, "the bootstrap was done before the node started"
        code, out = finished(bootstrap)
        assert code == 0, out
        epoch = now() // 3600 - 1
        record = wait_for(lambda: anchored(node, epoch), timeout=60, what="the anchor")
        assert record["anchor_tx"]
        log = node.output()
        assert_quiet(log)
        assert log.count(WAITING) == 1, log  # it said once why it waited
    finally:
        if node.running:
            node.stop()
        ledger.terminate()
        ledger.wait(30)


def test_a_bootstrap_run_beside_a_running_node_takes_turns_with_it(tmp_path: Path) -> None:
    """On the embedded ledger the node bootstraps by itself; the operator's command run
    at the same time waits for it, then finds everything done."""
    node = NodeProcess(tmp_path / "node", **FAST_EPOCHS)
    env = {"ACENODE_STELLAR__HORIZON_URL": node.horizon_url}
    node.start()
    try:
        # the operator runs the command while the node is creating the accounts
        wait_for(lambda: _public(node.data_dir / "dao" / "treasury.key"), what="the DAO keys")
        bootstrap = acenode("dao", "bootstrap", "--data-dir", str(node.data_dir), "--json", env=env)
        code, out = finished(bootstrap)
        assert code == 0, out
        assert_anchors_quietly(node)
    finally:
        if node.running:
            node.stop()


def test_a_bootstrap_stopped_half_way_is_finished_by_the_node(tmp_path: Path) -> None:
    """An operator's bootstrap of the embedded ledger stopped after writing the DAO keys
    (Ctrl-C, a lost connection): the node did not bootstrap once the treasury key existed,
    so its epochs were never anchored. It finishes the bootstrap now."""
    data = tmp_path / "node"
    assert finished(acenode("init", "--data-dir", str(data), env={}))[0] == 0
    keys = DaoKeys(data)
    for role in [*ROLES, *(DaoKeys.channel_role(i) for i in range(4))]:
        keys.ensure(role)  # what the bootstrap writes before anything reaches the ledger
    node = NodeProcess(data, **FAST_EPOCHS)
    node.start()
    try:
        assert_anchors_quietly(node)
    finally:
        if node.running:
            node.stop()


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def _public(path: Path) -> str | None:
    from stellar_sdk import Keypair

    try:
        return Keypair.from_secret(path.read_text().strip()).public_key
    except (OSError, ValueError):
        return None
