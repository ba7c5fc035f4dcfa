"""``acenode run`` on the embedded default also runs the standalone ledger (Horizon)."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from stellar_sdk import Keypair, Server

from tests.support import PASSPHRASE, NodeProcess, wait_for

pytestmark = pytest.mark.integration


def test_the_node_serves_its_ledger_and_keeps_it_across_restarts(tmp_path: Path) -> None:
    node = NodeProcess(
        tmp_path / "node",
        f"sqlite:///{tmp_path / 'n.sqlite3'}",
        ACENODE_STELLAR__LEDGER_CLOSE_SECONDS="0.2",
    )
    node.start()
    member = Keypair.random()
    try:
        server = Server(node.horizon_url)
        assert server.root().call()["network_passphrase"] == PASSPHRASE
        funded = httpx.get(
            f"{node.horizon_url}/friendbot", params={"addr": member.public_key}, timeout=30
        )
        assert funded.status_code == 200, funded.text
        assert server.load_account(member.public_key).sequence > 0
        assert node.stop() == 0
        node.start()
        account = wait_for(
            lambda: server.accounts().account_id(member.public_key).call(),
            what="the account after a restart",
        )
        assert account["balances"][0]["balance"] == "10000.0000000"
    finally:
        if node.running:
            assert node.stop() == 0


def test_an_embedded_ledger_cannot_serve_another_machine(tmp_path: Path) -> None:
    node = NodeProcess(
        tmp_path / "node",
        f"sqlite:///{tmp_path / 'n.sqlite3'}",
        ACENODE_STELLAR__HORIZON_URL="https://horizon-testnet.stellar.org",
        ACENODE_STELLAR__EMBEDDED_LEDGER="true",
    )
    with pytest.raises(RuntimeError, match="exited with 2"):
        node.start()
    assert "embedded ledger serves on this machine only" in node.output()
