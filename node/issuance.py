"""Wiring of the issuance service from the node's settings."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from node import settlement as wiring
from node.api.state import NodeState
from servicelayer.config import NodeSettings
from servicelayer.dao.keys import DaoKeys
from servicelayer.errors import Conflict
from servicelayer.issuance.ledger import IssuerAccounts
from servicelayer.issuance.service import IssuanceService
from servicelayer.ledger.horizon import Horizon
from servicelayer.runtime.contracts import genesis_specs
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage.db import Database


def _now() -> int:
    return int(time.time())


def _accounts(settings: NodeSettings, ledger: Horizon) -> IssuerAccounts:
    boot = wiring.bootstrap(settings, ledger)
    return IssuerAccounts(
        ledger,
        settings.network_passphrase,
        boot.keys,
        boot.policy,
        list(boot.signer_keys.values()),
        friendbot_url=boot.friendbot_url,
        funding_key=boot.funding_key,
        base_fee=boot.base_fee,
    )


@contextmanager
def issuance(settings: NodeSettings, *, changes: bool = True) -> Iterator[IssuanceService]:
    """An issuance service on the node's database (migrated) and configured ledger.
    ``changes``: the command issues, mints, locks or claws back, which a federation
    validator refuses: there every validator's contract state must stay the same, so
    assets come from genesis and change by DAO vote only."""
    if changes and settings.federation.members:
        raise Conflict(
            "this node is a federation validator: its assets come from [genesis] and change "
            "only by DAO vote (a `mint` proposal is paid in an epoch's settlement plan)",
            code="not_in_federation",
        )
    db = Database(settings.resolved_database_url())
    ledger = wiring.horizon(settings)
    try:
        db.upgrade()
        runtime = ContractRuntime(genesis_specs(settings.genesis))
        yield IssuanceService(
            db,
            runtime,
            _accounts(settings, ledger),
            DaoKeys(settings.data_dir),
            _now,
            settings.epoch_seconds,
        )
    finally:
        ledger.close()
        db.dispose()


@contextmanager
def running_node_issuance(state: NodeState) -> Iterator[IssuanceService]:
    """The issuance service of a running node: its database, runtime and clock."""
    settings = state.settings
    ledger = wiring.horizon(settings)
    try:
        yield IssuanceService(
            state.database,
            state.runtime,
            _accounts(settings, ledger),
            DaoKeys(settings.data_dir),
            state.clock,
            settings.epoch_seconds,
        )
    finally:
        ledger.close()
