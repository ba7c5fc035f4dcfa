"""One issuance at a time per database: two processes carrying out the same recorded
mint could each give it an envelope of its own, and both could apply.

As the settlement's lock (its own key, so issuing never waits for a settlement): an
exclusive ``flock`` beside the SQLite file, or a PostgreSQL session advisory lock; both
vanish with the holder, even on SIGKILL.
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

_ADVISORY_KEY = 0x1550_0E00  # "issue"
_BUSY = "another issuance is running on this database; try again when it has finished"


@contextmanager
def issuance_lock(db: Database) -> Iterator[None]:
    if db.is_sqlite:
        with _file_lock(Path(db.engine.url.database or "node.sqlite3")):
            yield
        return
    with db.engine.connect() as conn:
        got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": _ADVISORY_KEY}).scalar()
        if not got:
            raise Conflict(_BUSY, code="busy")
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": _ADVISORY_KEY})
            conn.commit()


@contextmanager
def _file_lock(database: Path) -> Iterator[None]:
    path = database.with_name(database.name + ".issuance.lock")
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise Conflict(_BUSY, code="busy") from None
        yield
    finally:
        os.close(fd)
