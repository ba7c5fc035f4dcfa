from __future__ import annotations

from pathlib import Path

import pytest

from servicelayer.errors import ConfigError
from servicelayer.keys import create_key_file, load_key_file


def test_key_file_is_private_and_loads_back(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    keypair = create_key_file(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert load_key_file(path).public_key == keypair.public_key


def test_an_existing_key_is_never_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    first = create_key_file(path).public_key
    with pytest.raises(ConfigError):
        create_key_file(path)
    assert load_key_file(path).public_key == first


def test_a_key_others_can_read_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    create_key_file(path)
    path.chmod(0o644)
    with pytest.raises(ConfigError, match="chmod 600"):
        load_key_file(path)


def test_a_file_without_a_secret_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "node.key"
    path.write_text("not a key\n")
    path.chmod(0o600)
    with pytest.raises(ConfigError, match="secret key"):
        load_key_file(path)
