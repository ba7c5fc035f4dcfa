"""``acenode probe`` against an independent client: Debian's transmission-daemon.

``scripts/system-deps`` installs it (``make test`` and CI run it); without it these tests
skip, except under ACENODE_REQUIRE_SYSTEM_DEPS=1 (CI), where its absence is an error.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from testnet.swarm import KiB, TorrentFixture
from testnet.transmission import TransmissionSeeder, transmission_binary

from .test_probe_cli import acenode

if transmission_binary() is None and os.environ.get("ACENODE_REQUIRE_SYSTEM_DEPS") == "1":
    raise RuntimeError("transmission-daemon is required here (scripts/system-deps installs it)")
pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(
        transmission_binary() is None,
        reason="transmission-daemon not installed (scripts/system-deps installs it)",
    ),
]


@pytest.fixture
def transmission(fixture_2mib: TorrentFixture, tmp_path: Path) -> TransmissionSeeder:
    with TransmissionSeeder.start(tmp_path / "transmission", fixture_2mib.directory) as seeder:
        seeder.add_torrent(fixture_2mib.torrent)
        seeder.wait_seeding(timeout_s=30)
        yield seeder  # type: ignore[misc]


def test_probe_a_transmission_seeder_from_a_torrent_file(
    transmission: TransmissionSeeder, fixture_2mib: TorrentFixture, tmp_path: Path
) -> None:
    torrent = fixture_2mib.write_torrent_file(tmp_path / "swarm.torrent")
    result = acenode(
        "probe", "--torrent", str(torrent), "--peer", str(transmission.endpoint),
        "--seconds", "30", "--budget", str(128 * KiB), "--no-dht", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    evidence = json.loads(result.stdout)["evidence"]
    [peer] = [p for p in evidence["peers"] if p["endpoint"] == str(transmission.endpoint)]
    assert peer["answered"] and peer["seed"]
    assert peer["client"].startswith("Transmission")
    assert bytes.fromhex(peer["peer_id"]).startswith(b"-TR")
    assert peer["pieces"] == fixture_2mib.num_pieces
    assert peer["payload_down"] == 128 * KiB
    assert len(evidence["verified_pieces"]) == 128 * KiB // fixture_2mib.piece_size
    assert transmission.uploaded_bytes() >= 128 * KiB  # transmission's own count agrees


def test_probe_fetches_metadata_from_transmission_by_infohash(
    transmission: TransmissionSeeder, fixture_2mib: TorrentFixture
) -> None:
    result = acenode(
        "probe", "--infohash", fixture_2mib.infohash, "--peer", str(transmission.endpoint),
        "--seconds", "30", "--budget", "0", "--no-dht", "--json",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    evidence = json.loads(result.stdout)["evidence"]
    assert evidence["has_metadata"] and evidence["num_pieces"] == fixture_2mib.num_pieces
    assert evidence["cost"]["payload_down"] == 0
