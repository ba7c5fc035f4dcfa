"""An independent BitTorrent client for tests: Debian's ``transmission-daemon`` on loopback.

Install with ``apt-get install -y transmission-daemon``. ``transmission_binary()`` is None
when it is absent, so tests can skip with a clear reason.

    with TransmissionSeeder.start(tmp / "tr", fixture.directory) as seeder:
        seeder.add_torrent(fixture.torrent)
        seeder.wait_seeding(timeout_s=30)
        seeder.endpoint   # 127.0.0.1:PORT, where it accepts peers
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from typing import Any

import httpx

from servicelayer.probes.endpoint import Endpoint

_SEEDING = 6  # transmission's TR_STATUS_SEED


def transmission_binary() -> str | None:
    return shutil.which("transmission-daemon")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _settings(download_dir: Path, peer_port: int, rpc_port: int, upload_kib: int) -> dict[str, Any]:
    return {
        "bind-address-ipv4": "127.0.0.1",
        "bind-address-ipv6": "::1",
        "peer-port": peer_port,
        "peer-port-random-on-start": False,
        "rpc-bind-address": "127.0.0.1",
        "rpc-port": rpc_port,
        "rpc-authentication-required": False,
        "rpc-whitelist-enabled": True,
        "rpc-whitelist": "127.0.0.1",
        "rpc-host-whitelist-enabled": False,
        "download-dir": str(download_dir),
        "incomplete-dir-enabled": False,
        "dht-enabled": False,
        "lpd-enabled": False,
        "pex-enabled": False,
        "utp-enabled": False,
        "port-forwarding-enabled": False,
        "blocklist-enabled": False,
        "encryption": 1,
        "speed-limit-up": max(1, upload_kib),
        "speed-limit-up-enabled": upload_kib > 0,
        "ratio-limit-enabled": False,
        "idle-seeding-limit-enabled": False,
    }


class TransmissionSeeder:
    """A transmission-daemon process with its own config dir, killed on close."""

    def __init__(self, process: subprocess.Popen[bytes], peer_port: int, rpc_port: int) -> None:
        self.process = process
        self.peer_port = peer_port
        self.rpc_url = f"http://127.0.0.1:{rpc_port}/transmission/rpc"
        self._session_id = ""

    @classmethod
    def start(
        cls, config_dir: Path, download_dir: Path, *, upload_kib: int = 0, timeout_s: float = 20
    ) -> TransmissionSeeder:
        binary = transmission_binary()
        if binary is None:
            raise FileNotFoundError("transmission-daemon is not installed")
        config_dir.mkdir(parents=True, exist_ok=True)
        peer_port, rpc_port = free_port(), free_port()
        settings = _settings(download_dir, peer_port, rpc_port, upload_kib)
        (config_dir / "settings.json").write_text(json.dumps(settings, indent=1))
        log = (config_dir / "daemon.log").open("wb")
        process = subprocess.Popen(
            [binary, "--foreground", "--config-dir", str(config_dir), "--log-error"],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        seeder = cls(process, peer_port, rpc_port)
        try:
            seeder._wait(lambda: seeder._ping(), timeout_s, "transmission RPC")
        except BaseException:
            seeder.close()
            raise
        return seeder

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("127.0.0.1", self.peer_port)

    def _ping(self) -> bool:
        if self.process.poll() is not None:
            raise RuntimeError(f"transmission-daemon exited with {self.process.returncode}")
        try:
            self.rpc("session-get")
        except httpx.TransportError:
            return False
        return True

    def rpc(self, method: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        body = {"method": method, "arguments": arguments or {}}
        for _ in range(2):
            headers = {"X-Transmission-Session-Id": self._session_id}
            reply = httpx.post(self.rpc_url, json=body, headers=headers, timeout=5)
            if reply.status_code == 409:
                self._session_id = reply.headers["X-Transmission-Session-Id"]
                continue
            reply.raise_for_status()
            data: dict[str, Any] = reply.json()
            if data.get("result") != "success":
                raise RuntimeError(f"transmission {method}: {data.get('result')}")
            result: dict[str, Any] = data.get("arguments", {})
            return result
        raise RuntimeError("transmission kept refusing the session id")

    def add_torrent(self, torrent: bytes) -> None:
        metainfo = base64.b64encode(torrent).decode()
        self.rpc("torrent-add", {"metainfo": metainfo, "paused": False})

    def wait_seeding(self, timeout_s: float = 30) -> None:
        def seeding() -> bool:
            torrents = self.rpc("torrent-get", {"fields": ["status", "percentDone"]})["torrents"]
            return bool(torrents) and all(t["status"] == _SEEDING for t in torrents)

        self._wait(seeding, timeout_s, "transmission to seed")

    def uploaded_bytes(self) -> int:
        torrents = self.rpc("torrent-get", {"fields": ["uploadedEver"]})["torrents"]
        return sum(int(t["uploadedEver"]) for t in torrents)

    @staticmethod
    def _wait(predicate: Any, timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout_s}s waiting for {what}")
            time.sleep(0.1)

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def __enter__(self) -> TransmissionSeeder:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
