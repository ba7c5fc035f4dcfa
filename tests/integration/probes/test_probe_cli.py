"""``acenode probe`` as an operator runs it: a subprocess against a loopback swarm."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from node.cli.acenode import app
from servicelayer.probes.endpoint import Endpoint
from testnet.swarm import KiB, TorrentFixture, deterministic_bytes, start_seeder

pytestmark = pytest.mark.integration

ACENODE = str(Path(sys.executable).with_name("acenode"))


def acenode(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200"}
    return subprocess.run(
        [ACENODE, *args], capture_output=True, text=True, timeout=timeout, check=False, env=env
    )


def test_probe_json_against_a_seeded_swarm(fixture_2mib: TorrentFixture, tmp_path: Path) -> None:
    torrent = fixture_2mib.write_torrent_file(tmp_path / "swarm.torrent")
    with start_seeder(fixture_2mib, upload_rate_limit=128 * KiB) as seeder:
        result = acenode(
            "probe", "--torrent", str(torrent), "--peer", str(seeder.endpoint),
            "--seconds", "20", "--budget", str(256 * KiB), "--no-dht", "--json",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    evidence = out["evidence"]
    assert evidence["infohash"] == fixture_2mib.infohash
    [peer] = [p for p in evidence["peers"] if p["endpoint"] == str(seeder.endpoint)]
    assert peer["answered"] and peer["seed"] and peer["pieces"] == fixture_2mib.num_pieces
    assert peer["payload_down"] == 256 * KiB
    assert len(evidence["verified_pieces"]) == 256 * KiB // fixture_2mib.piece_size
    assert 0 < out["served_rates"][str(seeder.endpoint)] <= 128 * KiB * 115 // 100


def test_probe_by_infohash_prints_a_table(fixture_2mib: TorrentFixture) -> None:
    with start_seeder(fixture_2mib) as seeder:
        result = acenode(
            "probe", "--infohash", fixture_2mib.infohash, "--peer", str(seeder.endpoint),
            "--seconds", "20", "--no-dht",
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert str(seeder.endpoint) in result.stdout
    assert "libtorrent/" in result.stdout
    assert "metadata: yes" in result.stdout
    assert f"pieces: {fixture_2mib.num_pieces} x {fixture_2mib.piece_size} B" in result.stdout


def test_probe_exits_1_when_no_named_peer_answers(
    fixture_2mib: TorrentFixture, tmp_path: Path, dead_endpoint: Endpoint
) -> None:
    torrent = fixture_2mib.write_torrent_file(tmp_path / "swarm.torrent")
    result = acenode(
        "probe", "--torrent", str(torrent), "--peer", str(dead_endpoint),
        "--seconds", "10", "--loopback", "--json",
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    [peer] = json.loads(result.stdout)["evidence"]["peers"]
    assert peer["endpoint"] == str(dead_endpoint) and not peer["answered"]


def _bad_inputs(tmp: Path, good_torrent: Path) -> dict[str, list[str]]:
    garbage = tmp / "garbage.torrent"
    garbage.write_bytes(deterministic_bytes(300))
    peer = ["--peer", "127.0.0.1:6881"]
    return {
        "missing file": ["--torrent", str(tmp / "missing.torrent"), *peer],
        "bad torrent": ["--torrent", str(garbage), *peer],
        "bad infohash": ["--infohash", "not-a-hash", *peer],
        "bad peer": ["--torrent", str(good_torrent), "--peer", "127.0.0.1"],
        "bad peer port": ["--torrent", str(good_torrent), "--peer", "127.0.0.1:99999"],
        "both targets": ["--torrent", str(good_torrent), "--infohash", "ab" * 20, *peer],
        "no target": peer,
        "bad seconds": ["--torrent", str(good_torrent), "--seconds", "0", *peer],
        "bad listen": ["--torrent", str(good_torrent), "--listen", "nowhere", *peer],
    }


SUBPROCESS_CASES = ("missing file", "bad torrent", "bad infohash", "bad peer")


def test_bad_input_gets_one_line_and_exit_2(fixture_2mib: TorrentFixture, tmp_path: Path) -> None:
    """As a real process for the main cases; in-process (same code path) for the rest."""
    good = fixture_2mib.write_torrent_file(tmp_path / "good.torrent")
    cases = _bad_inputs(tmp_path, good)
    env = {**os.environ, "COLUMNS": "200"}
    running = {
        case: subprocess.Popen(
            [ACENODE, "probe", *cases[case], "--no-dht"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        for case in SUBPROCESS_CASES
    }
    outcomes = {}
    for case, process in running.items():
        stdout, stderr = process.communicate(timeout=60)
        outcomes[case] = (process.returncode, stdout, stderr)
    runner = CliRunner()
    for case, args in cases.items():
        if case not in SUBPROCESS_CASES:
            result = runner.invoke(app, ["probe", *args, "--no-dht"])
            assert result.exception is None or isinstance(result.exception, SystemExit), case
            outcomes[case] = (result.exit_code, result.stdout, result.stderr)
    for case, (code, stdout, stderr) in outcomes.items():
        assert code == 2, (case, stdout, stderr)
        lines = stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), (case, stderr)
        assert "Traceback" not in stderr + stdout
