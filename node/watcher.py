"""Wiring of the ledger watcher from the node's state: Horizon feed, treasury, writes."""

from __future__ import annotations

from node.api.state import NodeState
from servicelayer.dao.keys import DaoKeys
from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.horizon import Horizon
from servicelayer.storage.db import Database
from servicelayer.watcher.service import Watcher, followed


def build_watcher(state: NodeState) -> Watcher:
    s = state.settings
    keys = DaoKeys(s.data_dir)

    def treasury() -> str | None:
        """The treasury once ``acenode dao bootstrap`` made its key; None before."""
        return keys.public("treasury") if keys.path("treasury").exists() else None

    return Watcher(
        Horizon(s.stellar.horizon_url),
        state.database,
        state.runtime,
        state.mutations.write,
        treasury=treasury,
        epoch_seconds=s.epoch_seconds,
        max_pages=s.watcher.max_pages,
        agreed=state.federation is not None,  # a federation's closes apply the facts
    )


def ledger_known_until(database: Database, horizon_url: str, watching: bool) -> int | None:
    """The close time up to which the node has applied every ledger fact (the epochs'
    accounting waits for it): the followed ledger's. A node whose watcher runs in this
    process waits for its first tick (None); otherwise, as for governance, a node whose
    watcher never ran anywhere takes Horizon's latest ledger."""
    with database.session() as s:
        head = followed(s)
    if head is not None:
        return head.closed_at
    if watching:
        return None
    feed = Horizon(horizon_url)
    try:
        return feed.head().closed_at
    finally:
        feed.close()


def followed_ledger(database: Database, horizon_url: str) -> int:
    """The ledger sequence governance acts at: the last one the watcher followed (its
    balance index has it). A node whose watcher never ran (none in this process nor in
    another on the database) asks Horizon for its latest ledger instead."""
    with database.session() as s:
        head = followed(s)
    if head is not None:
        return head.sequence
    feed = Horizon(horizon_url)
    try:
        return feed.head().sequence
    except LedgerUnavailable as exc:
        raise LedgerUnavailable(
            f"the node has not followed the ledger yet and cannot read it: {exc.detail}"
        ) from None
    finally:
        feed.close()
