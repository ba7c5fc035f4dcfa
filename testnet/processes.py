"""Processes of a local network: free ports, polling with a deadline, a node process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import httpx

T = TypeVar("T")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_for(check: Callable[[], T | None], timeout: float = 20.0, what: str = "it") -> T:
    """Poll ``check`` until it returns a truthy value or the deadline passes."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.05)


MINUTE = 60
MINUTE_EPOCHS = {
    "ACENODE_EPOCH_SECONDS": str(MINUTE),
    "ACENODE_EPOCHS__ENABLED": "true",
    "ACENODE_EPOCHS__INTERVAL_SECONDS": "1",
    "ACENODE_EPOCHS__CLOSE_GRACE_SECONDS": "3",
    "ACENODE_PROBES__ENABLED": "true",
    "ACENODE_PROBES__INTERVAL_SECONDS": "2",
    "ACENODE_STELLAR__LEDGER_CLOSE_SECONDS": "0.5",
    "ACENODE_WATCHER__INTERVAL_SECONDS": "1",
}
"""A node whose epochs last one minute (one window), probing every window, with a fast
ledger and watcher: the demo's and the real-swarm benchmark's node."""


class NodeProcess:
    """``acenode run`` in a subprocess, with its own data directory and port."""

    def __init__(self, data_dir: Path, database_url: str | None = None, **env: str) -> None:
        self.data_dir = data_dir
        self.database_url = database_url
        self.port = free_port()
        self.ledger_port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.horizon_url = f"http://127.0.0.1:{self.ledger_port}"
        self.env = env
        self.proc: subprocess.Popen[bytes] | None = None
        self.watching = True
        self.log = data_dir.parent / f"node-{self.port}.log"

    def start(self, timeout: float = 30) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        cmd = [
            sys.executable,
            "-m",
            "node",
            "run",
            "--data-dir",
            str(self.data_dir),
            "--port",
            str(self.port),
        ]
        if self.database_url:
            cmd += ["--database-url", self.database_url]
        env = {
            **os.environ,
            "ACENODE_LOG_LEVEL": "warning",
            # each node's embedded ledger gets a port of its own
            "ACENODE_STELLAR__HORIZON_URL": f"http://127.0.0.1:{self.ledger_port}",
            # background jobs only where a caller asks for them (a tick in the middle of a
            # test would close the epochs it is using)
            "ACENODE_EPOCHS__ENABLED": "false",
            "ACENODE_PROBES__ENABLED": "false",
            # the ledger watcher runs (governance needs the followed ledger), briskly
            "ACENODE_WATCHER__INTERVAL_SECONDS": "0.5",
            **self.env,
        }
        self.watching = env.get("ACENODE_WATCHER__ENABLED", "true") != "false"
        with self.log.open("ab") as out:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        wait_for(self._healthy, timeout=timeout, what=f"the node on port {self.port}")

    def _healthy(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise RuntimeError(f"node exited with {self.proc.returncode}:\n{self.output()}")
        try:
            answer = httpx.get(f"{self.url}/v1/health", timeout=2)
        except httpx.HTTPError:
            return False
        if answer.status_code != 200:
            return False
        # with the watcher on, ready once it followed a ledger (governance acts at it)
        return not self.watching or answer.json().get("ledger") is not None

    @property
    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: int = signal.SIGTERM, timeout: float = 30) -> int:
        assert self.proc is not None
        self.proc.send_signal(sig)
        return self.proc.wait(timeout=timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=30)
