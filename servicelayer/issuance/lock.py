"""One issuance at a time per database: two processes carrying out the same recorded mint
could each give it an envelope of its own, and both could apply. Its own lock, so issuing
never waits for a settlement."""

from __future__ import annotations

from contextlib import AbstractContextManager

from servicelayer.storage.db import Database
from servicelayer.storage.exclusive import exclusive

_ADVISORY_KEY = 0x1550_0E00  # "issue"


def issuance_lock(db: Database) -> AbstractContextManager[None]:
    return exclusive(
        db,
        "issuance",
        _ADVISORY_KEY,
        "another issuance is running on this database; try again when it has finished",
    )
