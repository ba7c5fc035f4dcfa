"""Wiring of this node as one validator of a federation ([federation] members)."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from threading import Lock

from sqlalchemy.orm import Session
from stellar_sdk import Keypair

from node import settlement as wiring
from servicelayer.config import NodeSettings
from servicelayer.errors import ConfigError, InvalidInput
from servicelayer.federation.agreement import Agreeing
from servicelayer.federation.batches import Unapplied, seal_batch
from servicelayer.federation.cosigning import DaoAccounts, Follower, http_ask
from servicelayer.federation.relay import Relay
from servicelayer.federation.snapshots import AgreedGovernance
from servicelayer.federation.validator import Timing, Validator
from servicelayer.ledger.horizon import Horizon
from servicelayer.probes.evidence import SwarmEvidence
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage.db import Database

log = logging.getLogger("acenode.federation")
MAX_FEE_FACTOR = 10
"""A validator signs a DAO transaction bidding at most this many times its own base fee."""


class SharedHorizon:
    """One Horizon client for the validator and the follower, made on first use."""

    def __init__(self, settings: NodeSettings) -> None:
        self.settings = settings
        self._horizon: Horizon | None = None
        self._lock = Lock()

    def __call__(self) -> Horizon:
        with self._lock:
            if self._horizon is None:
                self._horizon = wiring.horizon(self.settings)
            return self._horizon

    def close(self) -> None:
        with self._lock:
            if self._horizon is not None:
                self._horizon.close()


class SealedProbes:
    """This validator's probes (``probes.service.Federated``): each probe's evidence is
    sealed into its next batch, for every validator to judge by the same evidence, and
    the probes plan by the batches held but not applied yet."""

    def __init__(self, relay: Relay, clock: Callable[[], float]) -> None:
        self.relay, self.clock = relay, clock
        self.pending = Unapplied()
        self.sealing = relay.sealing

    def seal(self, session: Session, epoch: int, evidence: SwarmEvidence) -> None:
        relay = self.relay
        try:
            seal_batch(
                session,
                relay.keypair,
                relay.passphrase,
                int(self.clock()),
                evidence=[(epoch, evidence)],
            )
        except InvalidInput as exc:  # larger than a message may be
            log.warning("the probe of %s is not sealed: %s", evidence.infohash, exc.detail)


@dataclass
class Federation:
    """The validator (pipeline side), the follower (API side) and the relay of batches."""

    validator: Validator
    follower: Follower
    horizon: SharedHorizon
    relay: Relay

    def close(self) -> None:
        self.horizon.close()
        self.relay.close()

    def probes(self) -> SealedProbes:
        return SealedProbes(self.relay, self.validator.clock)


def federation(
    settings: NodeSettings,
    database: Database,
    keypair: Keypair,
    clock: Callable[[], float],
    runtime: ContractRuntime,
) -> Federation | None:
    """This node's part in its federation; None when it settles alone (no members)."""
    f, stellar = settings.federation, settings.stellar
    if not f.members:
        return None
    if keypair.public_key not in stellar.validators:
        raise ConfigError(
            f"this node's key {keypair.public_key[:8]}... is not one of [stellar] validators: "
            "a federation member signs with its own validator key (key_file)"
        )
    horizon = SharedHorizon(settings)

    def accounts() -> DaoAccounts:
        dao = wiring.dao_keys(settings)  # a clear error until the DAO account files are here
        channels = tuple(dao.channels(stellar.channels))
        return DaoAccounts(dao.public("anchor"), dao.public("treasury"), channels)

    relay = Relay(
        database,
        keypair,
        settings.network_passphrase,
        stellar.validators,
        f.members,
        f.request_timeout_seconds,
        clock,
    )
    agreeing = Agreeing(
        relay,
        settings.epoch_seconds,
        settings.epochs.close_grace_seconds,
        AgreedGovernance(runtime, settings.epoch_seconds),
    )
    follower = Follower(
        database,
        horizon,
        keypair,
        settings.network_passphrase,
        stellar.validators,
        accounts,
        max_fee=MAX_FEE_FACTOR * stellar.base_fee,
    )
    validator = Validator(
        database,
        horizon,
        keypair,
        settings.network_passphrase,
        stellar.validators,
        f.members,
        stellar.threshold,
        accounts,
        http_ask(f.request_timeout_seconds),
        Timing(settings.epoch_seconds, settings.epochs.close_grace_seconds, f.round_seconds),
        clock,
        stellar.base_fee,
        asked_anchors=follower.asked_anchors,
        asked_inputs=follower.asked_inputs,
        agreeing=agreeing,
    )
    follower.agreeing, follower.clock = agreeing, clock
    return Federation(validator, follower, horizon, relay)
