"""A real libtorrent swarm on loopback for tests and the local testnet.

    fixture = make_torrent_fixture(tmp / "seed", size=2 * MiB, piece_size=32 * KiB)
    with start_seeder(fixture, upload_rate_limit=256 * KiB) as seeder:
        with start_leecher(fixture, tmp / "leech", connect_to=[seeder.endpoint]) as leecher:
            leecher.wait_complete(timeout_s=20)
            leecher.payload_counters()   # {"127.0.0.1:PORT": (down, up), ...}

Everything waits by polling with a deadline (libtorrent's ``wait_for_alert`` is the pause).
"""

from __future__ import annotations

import hashlib
import socket
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

import libtorrent as lt

from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.settings import SessionConfig, loopback_settings

KiB = 1024
MiB = 1024 * KiB

_used_ports: set[int] = set()
_ports_lock = threading.Lock()


def _claim(port: int) -> bool:
    """Take ``port`` for this process's peers if no earlier one had it."""
    with _ports_lock:
        if port in _used_ports:
            return False
        _used_ports.add(port)
        return True


def closed_port() -> int:
    """A loopback port nobody listens on now and no peer of this process will be given
    (the endpoint of an account that registers it and never comes)."""
    for _ in range(50):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if _claim(port):
            return port
    raise RuntimeError("no new loopback port in 50 tries")


def _session_on_a_new_port(config: Callable[[], SessionConfig]) -> TorrentSession:
    """A loopback session listening on a port no earlier peer of this process listened on.

    Real peers have addresses of their own; on loopback they all share 127.0.0.1 and the
    OS hands a closed peer's port to the next one, while the closed peer's registration
    (an hour long) still names it, so the node could not tell the two accounts apart at
    that endpoint. Sessions that got a used port stay open until a new one is found, so
    the OS cannot hand the same port out again meanwhile."""
    rejected: list[TorrentSession] = []
    try:
        for _ in range(50):
            session = TorrentSession(config())
            if _claim(session.listen_port):
                return session
            rejected.append(session)
        raise RuntimeError("no new loopback port in 50 tries")
    finally:
        for session in rejected:
            session.close()


def deterministic_bytes(size: int, seed: bytes = b"ace-testnet") -> bytes:
    """``size`` bytes of SHA-256 in counter mode: the same seed gives the same bytes."""
    blocks = (size + 31) // 32
    stream = b"".join(hashlib.sha256(seed + i.to_bytes(8, "big")).digest() for i in range(blocks))
    return stream[:size]


@dataclass(frozen=True)
class TorrentFixture:
    """A generated single-file torrent and the directory that holds its payload."""

    directory: Path
    name: str
    size: int
    piece_size: int
    torrent: bytes
    infohash: str

    @property
    def num_pieces(self) -> int:
        return (self.size + self.piece_size - 1) // self.piece_size

    @property
    def payload_path(self) -> Path:
        return self.directory / self.name

    def write_torrent_file(self, path: Path) -> Path:
        path.write_bytes(self.torrent)
        return path


def make_torrent_fixture(
    directory: Path,
    *,
    size: int = 2 * MiB,
    piece_size: int = 32 * KiB,
    name: str = "payload.bin",
    seed: bytes = b"ace-testnet",
    trackers: Iterable[str] = (),
) -> TorrentFixture:
    """Write deterministic payload bytes into ``directory`` and make a v1 .torrent for them."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_bytes(deterministic_bytes(size, seed))
    creator = lt.create_torrent(
        lt.list_files(str(directory / name)), piece_size, lt.create_torrent.v1_only
    )
    for tier, url in enumerate(trackers):
        creator.add_tracker(url, tier)
    lt.set_piece_hashes(creator, str(directory))
    torrent = lt.bencode(creator.generate())
    info = lt.load_torrent_buffer(torrent).ti
    assert info is not None
    return TorrentFixture(
        directory=directory,
        name=name,
        size=size,
        piece_size=piece_size,
        torrent=torrent,
        infohash=info.info_hashes().v1.to_bytes().hex(),
    )


def wait_until(
    predicate: Callable[[], bool], *, timeout_s: float, what: str, poll_s: float = 0.05
) -> None:
    """Poll ``predicate`` until true; ``TimeoutError`` naming ``what`` at the deadline."""
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() >= deadline:
            raise TimeoutError(f"timed out after {timeout_s}s waiting for {what}")
        time.sleep(poll_s)


class SwarmPeer:
    """One loopback peer: its own session and one torrent."""

    def __init__(self, session: TorrentSession, handle: lt.torrent_handle) -> None:
        self.session = session
        self.handle = handle

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint("127.0.0.1", self.session.listen_port)

    def connect(self, endpoints: Iterable[Endpoint]) -> None:
        for endpoint in endpoints:
            self.handle.connect_peer(endpoint.as_tuple())

    def progress_ppm(self) -> int:
        return int(self.handle.status().progress_ppm)

    def is_seeding(self) -> bool:
        return bool(self.handle.status().is_seeding)

    def _wait(self, predicate: Callable[[], bool], timeout_s: float, what: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not predicate():
            if time.monotonic() >= deadline:
                raise TimeoutError(f"timed out after {timeout_s}s waiting for {what}")
            self.session.wait_alerts(50)

    def wait_seeding(self, timeout_s: float = 20) -> None:
        self._wait(self.is_seeding, timeout_s, f"{self.endpoint} to seed")

    def wait_complete(self, timeout_s: float = 30) -> None:
        self._wait(self.is_seeding, timeout_s, f"{self.endpoint} to finish downloading")

    def received_total(self) -> int:
        """Payload bytes this session downloaded of the torrent, from every peer."""
        return int(self.handle.status().total_payload_download)

    def payload_counters(self) -> dict[str, tuple[int, int]]:
        """Per connected peer: (payload bytes downloaded from it, uploaded to it)."""
        counters: dict[str, tuple[int, int]] = {}
        for info in self.handle.get_peer_info():
            key = str(Endpoint(str(info.ip[0]), int(info.ip[1])))
            counters[key] = (int(info.total_download), int(info.total_upload))
        return counters

    def total_payload_upload(self) -> int:
        return int(self.handle.status().total_payload_upload)

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> SwarmPeer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def _add(session: TorrentSession, fixture: TorrentFixture, save_path: Path) -> lt.torrent_handle:
    params = lt.load_torrent_buffer(fixture.torrent)
    params.save_path = str(save_path)
    params.flags = params.flags & ~lt.torrent_flags.auto_managed & ~lt.torrent_flags.paused
    return session.add_torrent(params)


def start_seeder(
    fixture: TorrentFixture, *, upload_rate_limit: int = 0, port: int = 0, timeout_s: float = 20
) -> SwarmPeer:
    """A loopback session seeding ``fixture`` from its directory (checked, then seeding)."""
    session = (
        TorrentSession(loopback_settings(port, upload_rate_limit=upload_rate_limit))
        if port
        else _session_on_a_new_port(lambda: loopback_settings(upload_rate_limit=upload_rate_limit))
    )
    try:
        peer = SwarmPeer(session, _add(session, fixture, fixture.directory))
        peer.wait_seeding(timeout_s)
    except BaseException:
        session.close()
        raise
    return peer


def start_leecher(
    fixture: TorrentFixture,
    save_path: Path,
    *,
    connect_to: Iterable[Endpoint] = (),
    upload_rate_limit: int = 0,
    download_rate_limit: int = 0,
) -> SwarmPeer:
    """A loopback session downloading ``fixture`` into ``save_path`` from ``connect_to``."""
    save_path.mkdir(parents=True, exist_ok=True)
    session = _session_on_a_new_port(
        lambda: loopback_settings(
            upload_rate_limit=upload_rate_limit, download_rate_limit=download_rate_limit
        )
    )
    try:
        peer = SwarmPeer(session, _add(session, fixture, save_path))
        peer.connect(connect_to)
    except BaseException:
        session.close()
        raise
    return peer
