"""Kept-alive connections to the embedded ledger's Horizon: no spurious resets.

The watcher polls Horizon at a fixed interval (5 s by default) and uvicorn closed idle
connections after 5 s: a poll that reused a connection just as the server closed it got
"connection reset", and the watcher logged the ledger as unavailable.
"""

from __future__ import annotations

import http.client
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.horizon import Horizon
from servicelayer.watcher.settings import WatcherSettings
from testnet.ledger import StandaloneLedger
from testnet.ledger.front import create_horizon_app
from testnet.ledger.front.server import HorizonServer

pytestmark = pytest.mark.integration
KEEP_ALIVE = 0.02  # a Horizon front with a short keep-alive (uvicorn's default is 5 s)


@pytest.fixture
def short_keep_alive(tmp_path: Path) -> Iterator[str]:
    """The embedded ledger's Horizon app on a real uvicorn that closes idle connections
    after KEEP_ALIVE seconds."""
    ledger = StandaloneLedger.open(data_dir=tmp_path, close_interval=0.05)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    config = uvicorn.Config(
        create_horizon_app(ledger),
        log_level="warning",
        timeout_keep_alive=KEEP_ALIVE,  # type: ignore[arg-type]  # seconds, any number
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()
        ledger.close()


def test_polls_as_the_keep_alive_expires_never_fail(short_keep_alive: str) -> None:
    """Each poll comes when the server is closing the previous poll's connection (idle
    gaps swept across the keep-alive); on main about one poll in twenty failed."""
    feed = Horizon(short_keep_alive)
    failures: list[str] = []
    try:
        for i in range(250):
            time.sleep(KEEP_ALIVE * (0.97 + 0.06 * (i % 41) / 40))  # the idle gap under test
            try:
                assert feed.head().sequence >= 1
            except LedgerUnavailable as exc:
                failures.append(exc.detail)
    finally:
        feed.close()
    assert failures == [], f"{len(failures)} of 250 polls failed, e.g. {failures[0]}"


def test_a_dead_server_is_still_reported() -> None:
    """The retry is for a dropped kept-alive connection only: nothing listening is an error."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    feed = Horizon(f"http://127.0.0.1:{port}")
    try:
        with pytest.raises(LedgerUnavailable, match="cannot read the latest ledger"):
            feed.head()
    finally:
        feed.close()


def test_the_embedded_horizon_keeps_a_connection_idle_for_a_watcher_interval(
    tmp_path: Path,
) -> None:
    """A connection left idle for the watcher's poll interval is still open: the server's
    keep-alive is not the interval the node polls at (it was 5 s, as the interval)."""
    ledger = StandaloneLedger.open(data_dir=tmp_path, close_interval=0.05)
    server = HorizonServer(ledger)
    server.start()
    conn = http.client.HTTPConnection(server.host, server.port, timeout=5)
    try:
        conn.request("GET", "/ledgers?order=desc&limit=1")
        assert conn.getresponse().read() and conn.sock is not None
        local = conn.sock.getsockname()
        time.sleep(WatcherSettings().interval_seconds + 0.5)  # the idle gap under test
        conn.request("GET", "/ledgers?order=desc&limit=1")
        answer = conn.getresponse()
        assert answer.status == 200 and answer.read()
        assert conn.sock.getsockname() == local  # the same connection, not a new one
    finally:
        conn.close()
        server.stop()
        ledger.close()
