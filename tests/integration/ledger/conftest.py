"""A real uvicorn server on 127.0.0.1 (random free port) in front of a fresh ledger."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from stellar_sdk import Server

from testnet.ledger import StandaloneLedger
from testnet.ledger.front.server import HorizonServer

CLOSE_INTERVAL = 0.05


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_ready(url: str, deadline_s: float = 15.0) -> None:
    deadline = time.monotonic() + deadline_s
    while True:
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise TimeoutError(f"{url} did not answer in {deadline_s}s")
        time.sleep(0.02)


@dataclass
class RunningHorizon:
    url: str
    ledger: StandaloneLedger
    server: Server


@pytest.fixture
def horizon(tmp_path: Path) -> Iterator[RunningHorizon]:
    ledger = StandaloneLedger.open(data_dir=tmp_path, close_interval=CLOSE_INTERVAL)
    server = HorizonServer(ledger)
    try:
        url = server.start()
        wait_until_ready(url)
        with Server(url) as client:
            yield RunningHorizon(url, ledger, client)
    finally:
        server.stop()
        ledger.close()
