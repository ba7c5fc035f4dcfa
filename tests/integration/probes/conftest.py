"""Loopback swarms for the probe tests (real libtorrent sessions on 127.0.0.1)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from servicelayer.probes.endpoint import Endpoint
from servicelayer.probes.session import TorrentSession
from servicelayer.probes.settings import loopback_settings
from testnet.swarm import KiB, MiB, TorrentFixture, make_torrent_fixture


@pytest.fixture
def fixture_2mib(tmp_path: Path) -> TorrentFixture:
    return make_torrent_fixture(tmp_path / "seed", size=2 * MiB, piece_size=32 * KiB)


@pytest.fixture
def probe_session() -> TorrentSession:
    with TorrentSession(loopback_settings()) as session:
        yield session  # type: ignore[misc]


@pytest.fixture
def dead_endpoint() -> Endpoint:
    """A loopback port that was just free: nobody listens there."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return Endpoint("127.0.0.1", port)
