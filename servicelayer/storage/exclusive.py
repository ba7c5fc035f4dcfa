"""One holder at a time per database, for work that must never run twice at once.

SQLite: an exclusive ``flock`` on a file beside the database. PostgreSQL: a session-level
advisory lock. Both are released by the operating system or the server when the holder
dies, even by SIGKILL, so resumed work never waits for a stale lease. Each kind of work
has its own name and key, so one never waits for another.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text

from servicelayer.errors import Conflict
from servicelayer.storage.db import Database


@contextmanager
def exclusive(db: Database, name: str, key: int, busy: str) -> Iterator[None]:
    """Hold the ``name`` lock (PostgreSQL advisory ``key``) or raise Conflict ``busy``."""
    if db.is_sqlite:
        with _file_lock(Path(db.engine.url.database or "node.sqlite3"), name, busy):
            yield
        return
    with db.engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": key}).scalar()
        if not got:
            raise Conflict(busy, code="busy")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": key})
            conn.commit()


@contextmanager
def _file_lock(database: Path, name: str, busy: str) -> Iterator[None]:
    path = database.with_name(f"{database.name}.{name}.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(busy, code="busy") from None
        yield
    finally:
        os.close(fd)
