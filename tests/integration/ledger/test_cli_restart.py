"""``acenode ledger serve`` as a process: SIGTERM exits 0, a restart keeps everything."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from stellar_sdk import Asset, Keypair, Payment, Server, TransactionBuilder

from tests.integration.ledger.conftest import free_port, wait_until_ready

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def _start(data_dir: Path, port: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            "from node.cli.acenode import main; main()",
            "ledger",
            "serve",
            "--port",
            str(port),
            "--data-dir",
            str(data_dir),
            "--close-interval",
            "0.1",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _stop(process: subprocess.Popen[bytes]) -> int:
    process.send_signal(signal.SIGTERM)
    return process.wait(timeout=20)


def test_restart_keeps_accounts_and_transactions(tmp_path: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    process = _start(tmp_path, port)
    try:
        wait_until_ready(url)
        alice, bob = Keypair.random(), Keypair.random()
        for kp in (alice, bob):
            assert (
                httpx.get(url + "friendbot", params={"addr": kp.public_key}, timeout=30).status_code
                == 200
            )
        with Server(url) as server:
            envelope = (
                TransactionBuilder(
                    server.load_account(alice.public_key),
                    "Standalone Network ; February 2017",
                    base_fee=100,
                )
                .append_operation(Payment(bob.public_key, Asset.native(), "7"))
                .set_timeout(60)
                .build()
            )
            envelope.sign(alice)
            first = server.submit_transaction(envelope)
    finally:
        assert _stop(process) == 0

    process = _start(tmp_path, port)
    try:
        wait_until_ready(url)
        with Server(url) as server:
            account = server.accounts().account_id(bob.public_key).call()
            assert account["balances"][0]["balance"] == "10007.0000000"
            stored = server.transactions().transaction(first["hash"]).call()
            assert stored["ledger"] == first["ledger"]
            again = server.submit_transaction(envelope)  # same answer after a restart
            assert again["hash"] == first["hash"] and again["ledger"] == first["ledger"]
            history = server.transactions().for_account(alice.public_key).call()
            assert len(history["_embedded"]["records"]) == 2
    finally:
        assert _stop(process) == 0
