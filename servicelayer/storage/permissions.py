"""The node's files are its own: the data directory 0700, databases, keys and config 0600.

The databases hold every account's history and the keys move money, so nobody else on
the machine may read them. New ones are created with these modes (SQLite gives its
``-wal`` and ``-shm`` files the mode of the database file); existing ones that others
could read are tightened when the node starts, with a warning naming each (keys
excepted: the node refuses a key others could read).
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from servicelayer.errors import ConfigError

log = logging.getLogger("acenode.storage")
PRIVATE_DIR = 0o700
PRIVATE_FILE = 0o600
_OTHERS = stat.S_IRWXG | stat.S_IRWXO
SECRET_SUFFIXES = (".key", ".secret")


def private_dir(path: Path) -> Path:
    """``path`` as a directory only its owner can enter: created 0700, or tightened."""
    try:
        path.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    except OSError as exc:
        raise ConfigError(f"cannot use directory {path}: {exc.strerror}") from None
    tighten(path)
    return path


def private_file(path: Path) -> Path:
    """``path`` as a file only its owner can read: created empty 0600, or tightened."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        tighten(path)
    except OSError as exc:
        raise ConfigError(f"cannot create {path}: {exc.strerror}") from None
    else:
        os.close(fd)
    return path


def write_private(path: Path, text: str) -> None:
    """Write a new file with mode 0600 (refuses to overwrite one)."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
    except FileExistsError:
        raise ConfigError(f"{path} already exists; refusing to overwrite it") from None
    with os.fdopen(fd, "w") as f:
        f.write(text)


def private_tree(root: Path) -> int:
    """Take group and other permissions off ``root`` and everything in it; returns how
    many paths were tightened, each logged as a warning.

    Left alone: symlinks, and keys (``*.key``, ``*.secret``): a key others could read may
    be known already, so loading it is refused with the advice to check and chmod it
    (``servicelayer.keys``), never silently fixed."""
    changed = tighten(root)
    for folder, dirs, files in os.walk(root):
        for name in (*dirs, *(f for f in files if not f.endswith(SECRET_SUFFIXES))):
            changed += tighten(Path(folder, name))
    return changed


def tighten(path: Path) -> int:
    """Clear the group and other bits of ``path``: 1 if they were set, else 0."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return 0
    mode = stat.S_IMODE(info.st_mode)
    if stat.S_ISLNK(info.st_mode) or not mode & _OTHERS:
        return 0
    os.chmod(path, mode & ~_OTHERS)
    log.warning("%s was mode %04o (others could read it); now %04o", path, mode, mode & ~_OTHERS)
    return 1
