"""Wiring of the ledger watcher from the node's state: Horizon feed, treasury, writes."""

from __future__ import annotations

from node.api.state import NodeState
from servicelayer.dao.keys import DaoKeys
from servicelayer.errors import LedgerUnavailable
from servicelayer.storage.db import Database
from servicelayer.watcher.horizon import LedgerFeed
from servicelayer.watcher.service import Watcher, followed


def build_watcher(state: NodeState) -> Watcher:
    s = state.settings
    keys = DaoKeys(s.data_dir)

    def treasury() -> str | None:
        """The treasury once ``acenode dao bootstrap`` made its key; None before."""
        return keys.public("treasury") if keys.path("treasury").exists() else None

    return Watcher(
        LedgerFeed(s.stellar.horizon_url),
        state.database,
        state.runtime,
        state.mutations.write,
        treasury=treasury,
        epoch_seconds=s.epoch_seconds,
        max_pages=s.watcher.max_pages,
    )


def followed_ledger(database: Database) -> int:
    """The ledger sequence governance acts at: the last one the watcher followed."""
    with database.session() as s:
        head = followed(s)
    if head is None:
        raise LedgerUnavailable(
            "the node has not followed the ledger yet (the watcher reads it every few "
            "seconds); retry shortly"
        )
    return head.sequence
