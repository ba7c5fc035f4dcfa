"""Composition root: settings -> database (migrated), node key, ingest policy, contract
runtime, sign-in -> NodeState."""

from __future__ import annotations

import time
from collections.abc import Callable

from node.api.agreed_writes import AgreedInputs
from node.api.state import NodeState
from node.federation import federation
from node.watcher import followed_ledger
from servicelayer.auth import Sep10Server, TokenIssuer, ensure_secret_file
from servicelayer.config import NodeSettings
from servicelayer.ingest import IngestPolicy
from servicelayer.keys import ensure_key_file
from servicelayer.receipts.signing import network_id
from servicelayer.runtime.contracts import genesis_specs
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.idempotency import IdempotentRunner
from servicelayer.storage.db import Database
from servicelayer.storage.permissions import private_dir, private_tree
from servicelayer.throttle import Throttle

JWT_SECRET_FILE = "api_jwt.secret"


def wall_clock() -> int:
    return int(time.time())


def node_clock(offset: int) -> Callable[[], int]:
    """The system clock, ``offset`` seconds off (``clock_offset_seconds``)."""
    return wall_clock if not offset else lambda: int(time.time()) + offset


def secure_data_dir(settings: NodeSettings) -> None:
    """The data directory 0700 and everything in it private (warns for what it tightens)."""
    private_dir(settings.data_dir)
    private_tree(settings.data_dir)


def build_state(settings: NodeSettings, clock: Callable[[], int] = wall_clock) -> NodeState:
    secure_data_dir(settings)
    keypair, _ = ensure_key_file(settings.key_file)
    database = Database(settings.resolved_database_url())
    database.upgrade()
    policy = IngestPolicy(
        network_id=network_id(settings.network_passphrase),
        clock_skew_seconds=settings.clock_skew_seconds,
        retention_seconds=settings.retention_seconds,
        max_bytes_per_second=settings.max_bytes_per_second,
        epoch_seconds=settings.epoch_seconds,
    )
    runtime = ContractRuntime(genesis_specs(settings.genesis))
    with database.session() as session:
        runtime.load(session)
    sep10 = Sep10Server(
        keypair=keypair,
        home_domain=settings.home_domain,
        web_auth_domain=settings.home_domain,
        network_passphrase=settings.network_passphrase,
    )
    secret = ensure_secret_file(settings.data_dir / JWT_SECRET_FILE)
    tokens = TokenIssuer(secret, keypair.public_key)
    state = NodeState(
        settings,
        database,
        policy,
        keypair.public_key,
        clock,
        keypair=keypair,
        runtime=runtime,
        sep10=sep10,
        tokens=tokens,
        mutations=IdempotentRunner(database, runtime),
        ledger_sequence=lambda: followed_ledger(database, settings.stellar.horizon_url),
        throttle=Throttle(settings.limits),
        federation=federation(settings, database, keypair, clock, runtime),
    )
    if state.federation is not None:
        state.federation.validator.applier = AgreedInputs(state)
    return state
