"""One settlement at a time per database: two processes settling the same plan could each
give a chunk its own slot, and both slots could apply.

SQLite: an exclusive ``flock`` on a file beside the database. PostgreSQL: a session-level
advisory lock. Both are released by the operating system or the server when the holder
dies, even by SIGKILL, so a resumed settlement never waits for a stale lease.
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

_ADVISORY_KEY = 0x5E77_1E00  # "settle"


@contextmanager
def settlement_lock(db: Database) -> Iterator[None]:
    if db.is_sqlite:
        with _file_lock(Path(db.engine.url.database or "node.sqlite3")):
            yield
        return
    with db.engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _ADVISORY_KEY}).scalar()
        if not got:
            raise Conflict("another settlement is running on this database", code="busy")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
            conn.commit()


@contextmanager
def _file_lock(database: Path) -> Iterator[None]:
    path = database.with_name(database.name + ".settlement.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict("another settlement is running on this database", code="busy") from None
        yield
    finally:
        os.close(fd)
