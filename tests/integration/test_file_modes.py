"""The node's data directory is its own: 0700, and its databases (with their -wal/-shm),
the embedded ledger's database, keys and config 0600 (issue 9, item 11)."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.api.helpers import Member
from tests.support import NodeProcess

pytestmark = pytest.mark.integration


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def loose(root: Path) -> dict[str, str]:
    """Every path under ``root`` that someone other than its owner may use."""
    found = {}
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *files):
            path = Path(folder, name)
            if mode(path) & 0o077:
                found[str(path.relative_to(root))] = oct(mode(path))
    return found


def test_init_and_a_running_node_keep_their_files_private(tmp_path: Path) -> None:
    data = tmp_path / "node"
    previous = os.umask(0o022)  # what most systems default to; the node's processes inherit it
    try:
        init = subprocess.run(
            [sys.executable, "-m", "node", "init", "--data-dir", str(data)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert init.returncode == 0, init.stderr
        assert mode(data) == 0o700
        node = NodeProcess(data)
        node.start()
        try:
            member = Member(node)  # a write: the database and its WAL are in use
            assert member.post("/v1/channels", {"channel": "mine"}).status_code == 201
            files = {p.name for p in data.rglob("*")}
            for name in ("node.sqlite3", "node.sqlite3-wal", "ledger.sqlite3", "acenode.toml"):
                assert name in files, sorted(files)
            assert mode(data) == 0o700
            assert loose(data) == {}
        finally:
            assert node.stop() == 0
    finally:
        os.umask(previous)


def test_a_node_tightens_a_data_directory_others_could_read(tmp_path: Path) -> None:
    data = tmp_path / "node"
    node = NodeProcess(data)
    node.start()
    assert node.stop() == 0
    database = data / "node.sqlite3"
    os.chmod(data, 0o755)
    os.chmod(database, 0o644)
    node.start()
    try:
        assert mode(data) == 0o700 and mode(database) == 0o600
        assert loose(data) == {}
        assert f"{database} was mode 0644" in node.output()
    finally:
        assert node.stop() == 0
