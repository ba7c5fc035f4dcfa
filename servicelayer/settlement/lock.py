"""One settlement at a time per database: two processes settling the same plan could each
give a chunk its own slot, and both slots could apply."""

from __future__ import annotations

from contextlib import AbstractContextManager

from servicelayer.storage.db import Database
from servicelayer.storage.exclusive import exclusive

_ADVISORY_KEY = 0x5E77_1E00  # "settle"


def settlement_lock(db: Database) -> AbstractContextManager[None]:
    return exclusive(
        db, "settlement", _ADVISORY_KEY, "another settlement is running on this database"
    )
