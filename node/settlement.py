"""Wiring of the settlement and the DAO bootstrap from the node's settings."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from stellar_sdk import Keypair

from servicelayer.config import NodeSettings
from servicelayer.dao.bootstrap import Bootstrap, DaoPolicy
from servicelayer.dao.keys import DaoKeys
from servicelayer.errors import ConfigError
from servicelayer.keys import load_key_file
from servicelayer.ledger.feebump import FeeBumps
from servicelayer.ledger.horizon import Horizon
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.service import Progress, SettlementService
from servicelayer.settlement.store import SettlementStore
from servicelayer.storage.db import Database


@dataclass(frozen=True)
class Validators:
    policy: DaoPolicy
    signer_keys: tuple[Keypair, ...]


def validators(settings: NodeSettings) -> Validators:
    """The configured validators (default: this node alone) and the keys this node holds."""
    stellar = settings.stellar
    files = stellar.signer_key_files or [settings.key_file]
    keys = tuple(load_key_file(path) for path in files)
    listed = tuple(stellar.validators) or (load_key_file(settings.key_file).public_key,)
    return Validators(DaoPolicy(listed, stellar.threshold), keys)


def horizon(settings: NodeSettings) -> Horizon:
    stellar = settings.stellar
    return Horizon(
        stellar.horizon_url,
        submit_timeout=stellar.submit_timeout,
        pool=stellar.channels + 8,
        bumps=fee_bumps(settings),
    )


def fee_bumps(settings: NodeSettings) -> FeeBumps | None:
    """Fee bumps paid by the node key's account, once the node has a key."""
    if settings.stellar.fee_bump_max == 0 or not settings.key_file.exists():
        return None
    payer = load_key_file(settings.key_file)
    return FeeBumps(payer, settings.network_passphrase, settings.stellar.fee_bump_max)


def bootstrap(settings: NodeSettings, ledger: Horizon) -> Bootstrap:
    stellar = settings.stellar
    v = validators(settings)
    funding = load_key_file(stellar.funding_key_file) if stellar.funding_key_file else None
    return Bootstrap(
        ledger,
        settings.network_passphrase,
        DaoKeys(settings.data_dir),
        v.policy,
        v.signer_keys,
        friendbot_url=None if funding else stellar.friendbot(),
        funding_key=funding,
        base_fee=stellar.base_fee,
    )


def treasury_signers(v: Validators) -> list[Keypair]:
    """M of this node's keys that are treasury signers; a clear error if it holds fewer."""
    usable = [kp for kp in v.signer_keys if kp.public_key in v.policy.validators]
    if len(usable) < v.policy.threshold:
        raise ConfigError(
            f"the treasury needs {v.policy.threshold} validator signatures; this node holds "
            f"{len(usable)} of the validators' keys (stellar.signer_key_files)"
        )
    return usable[: v.policy.threshold]


def dao_keys(settings: NodeSettings) -> DaoKeys:
    """The DAO's account keys; a clear error until the bootstrap has created them."""
    keys = DaoKeys(settings.data_dir)
    if not keys.path("treasury").exists():
        raise ConfigError("no DAO accounts yet; run `acenode dao bootstrap` first")
    return keys


@contextmanager
def settlement(
    settings: NodeSettings, progress: Progress | None = None, database: Database | None = None
) -> Iterator[SettlementService]:
    """A settlement service on the node's database (migrated) and configured ledger."""
    keys = dao_keys(settings)
    signers = treasury_signers(validators(settings))
    channels = keys.channels(settings.stellar.channels)
    db = database or Database(settings.resolved_database_url())
    ledger = horizon(settings)
    try:
        if database is None:
            db.upgrade()
        builder = EnvelopeBuilder(
            settings.network_passphrase,
            keys.public("treasury"),
            signers,
            settings.stellar.base_fee,
        )
        yield SettlementService(SettlementStore(db), ledger, builder, channels, progress=progress)
    finally:
        ledger.close()
        if database is None:
            db.dispose()
