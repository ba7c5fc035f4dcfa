"""Composition root: settings -> database (migrated), node key, ingest policy -> NodeState."""

from __future__ import annotations

import time
from collections.abc import Callable

from node.api.state import NodeState
from servicelayer.config import NodeSettings
from servicelayer.ingest import IngestPolicy
from servicelayer.keys import ensure_key_file
from servicelayer.receipts.signing import network_id
from servicelayer.storage.db import Database


def wall_clock() -> int:
    return int(time.time())


def build_state(settings: NodeSettings, clock: Callable[[], int] = wall_clock) -> NodeState:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    keypair, _ = ensure_key_file(settings.key_file)
    database = Database(settings.resolved_database_url())
    database.upgrade()
    policy = IngestPolicy(
        network_id=network_id(settings.network_passphrase),
        clock_skew_seconds=settings.clock_skew_seconds,
        retention_seconds=settings.retention_seconds,
        max_bytes_per_second=settings.max_bytes_per_second,
    )
    return NodeState(settings, database, policy, keypair.public_key, clock)
