"""One DAO bootstrap at a time per data directory: an advisory lock (``flock``).

The node creates the DAO accounts on the embedded ledger by itself, and an operator may
run ``acenode dao bootstrap`` at the same moment. Two bootstraps at once both fund every
account (one of each pair refused) and race to set the same account's signers with the
same sequence number, so one of them fails. Holding this lock makes the second one wait
(the CLI) or step aside (the node), then find everything done.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from servicelayer.errors import LedgerUnavailable

LOCK_NAME = ".bootstrap.lock"


class BootstrapRunning(LedgerUnavailable):
    """Another process is creating or configuring the DAO accounts right now."""

    code = "bootstrap_running"


def _open(directory: Path) -> int:
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return os.open(directory / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)


@contextmanager
def bootstrap_lock(directory: Path, *, wait: bool) -> Iterator[None]:
    """Hold the bootstrap lock of ``directory``; ``wait=False``: raise ``BootstrapRunning``
    at once when another process holds it."""
    fd = _open(directory)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
        except BlockingIOError:
            raise BootstrapRunning(
                "`acenode dao bootstrap` is configuring the DAO accounts in another process"
            ) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def bootstrap_running(directory: Path) -> bool:
    """Whether another process holds the bootstrap lock of ``directory`` now."""
    if not (directory / LOCK_NAME).exists():
        return False
    try:
        with bootstrap_lock(directory, wait=False):
            return False
    except BootstrapRunning:
        return True
