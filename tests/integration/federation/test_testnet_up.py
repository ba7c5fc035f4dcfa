"""`acenode testnet up`: the embedded ledger and three validators in one command. An
epoch settles on all three; its round-0 leader killed mid-epoch, the next round's leader
settles it; SIGTERM stops everything."""

from __future__ import annotations

import calendar
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import psutil
import pytest

from servicelayer.federation.members import leader
from tests.support import wait_for

pytestmark = [pytest.mark.integration, pytest.mark.slow]
EPOCH = 60


def epoch_record(api: str, epoch: int) -> dict[str, Any]:
    try:
        answer = httpx.get(f"{api}/v1/epochs/{epoch}", timeout=5)
    except httpx.HTTPError:
        return {}
    return answer.json() if answer.status_code == 200 else {}


def node_of(data_dir: str) -> psutil.Process:
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = proc.info["cmdline"] or []
        if "run" in cmdline and data_dir in cmdline:
            return proc
    raise LookupError(data_dir)


def test_three_validators_in_one_command_survive_a_killed_leader(tmp_path: Path) -> None:
    cmd = [sys.executable, "-m", "node", "testnet", "up", "--dir", str(tmp_path / "net")]
    cmd += ["--epoch-seconds", str(EPOCH), "--close-interval", "0.2", "--json"]
    up = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert up.stdout is not None
        network = json.loads(up.stdout.readline())
        validators = network["validators"]
        assert len(validators) == 3 and network["threshold"] == 2
        assert httpx.get(network["ledger"], timeout=5).status_code == 200
        # the epoch under way: its round-0 leader dies before it ends
        epoch = int(time.time()) // EPOCH
        if int(time.time()) % EPOCH > EPOCH - 10:
            epoch += 1  # too late in this one to kill its leader mid-epoch
        accounts = [v["account"] for v in validators]
        first = leader(accounts, epoch, 0)
        (victim,) = [v for v in validators if v["account"] == first]
        node_of(victim["data_dir"]).send_signal(signal.SIGKILL)
        survivors = [v for v in validators if v is not victim]

        def settled_on_both() -> list[dict[str, Any]] | None:
            records = [epoch_record(v["api"], epoch) for v in survivors]
            return records if all(r.get("status") == "settled" for r in records) else None

        records = wait_for(settled_on_both, timeout=4 * EPOCH, what=f"epoch {epoch} settled")
        assert records[0]["anchor_tx"] == records[1]["anchor_tx"] is not None
        assert records[0]["root"] == records[1]["root"]
        # anchored within two epochs of its end
        anchor = httpx.get(f"{network['ledger']}/transactions/{records[0]['anchor_tx']}").json()
        closed = calendar.timegm(time.strptime(anchor["created_at"], "%Y-%m-%dT%H:%M:%SZ"))
        assert closed <= (epoch + 1) * EPOCH + 2 * EPOCH
    finally:
        up.send_signal(signal.SIGTERM)
        code = up.wait(timeout=60)
    assert code == 0, up.stderr.read() if up.stderr else ""
    left = [p for p in psutil.process_iter(["cmdline"]) if str(tmp_path) in str(p.info["cmdline"])]
    assert left == []  # the ledger and every validator stopped with it
