"""The node's Stellar key file: created 0600, never printed, refused if others can read it."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from stellar_sdk import Keypair
from stellar_sdk.exceptions import Ed25519SecretSeedInvalidError

from servicelayer.errors import ConfigError


def create_key_file(path: Path) -> Keypair:
    """Write a new random key to ``path`` (mode 0600); refuses to overwrite one."""
    keypair = Keypair.random()
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise ConfigError(f"{path} already exists; refusing to overwrite a key") from None
    with os.fdopen(fd, "w") as f:
        f.write(keypair.secret + "\n")
    return keypair


def load_key_file(path: Path) -> Keypair:
    try:
        mode = path.stat().st_mode
        text = path.read_text().strip()
    except FileNotFoundError:
        raise ConfigError(f"no key file at {path}; run `acenode init` first") from None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise ConfigError(f"{path} is readable by others; run `chmod 600 {path}`")
    try:
        return Keypair.from_secret(text)
    except (Ed25519SecretSeedInvalidError, ValueError):
        raise ConfigError(f"{path} does not hold a Stellar secret key (S...)") from None


def ensure_key_file(path: Path) -> tuple[Keypair, bool]:
    """The key at ``path``, created first if missing; the flag tells whether it was created."""
    if path.exists():
        return load_key_file(path), False
    return create_key_file(path), True
