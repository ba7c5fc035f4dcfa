"""An ended epoch's inputs written into a validator's database before it starts: films
published, bought (pay-per-view) and watched, so that the epoch owes each provider its
revenue. The federation's tests and benchmark give every validator the same inputs this
way (agreeing on inputs over the network is the federation's next part)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from stellar_sdk import Keypair

from contracts.access import ActionSetAccessPrice, ReceiveAccessPayment
from contracts.catalog import ActionPublish
from contracts.core import NATIVE, Context
from contracts.moderation.params import PARAMS
from servicelayer.config import load_settings
from servicelayer.ingest import IngestPolicy, ingest_batch
from servicelayer.receipts import network_id
from servicelayer.receipts.peer import ReceiptSigner
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage.db import Database

PRICE = 50_000_000  # stroops a view costs
FEE_BPS = PARAMS["network.fee_bps"].default  # the network's share, unless the DAO voted


@dataclass(frozen=True)
class EpochInputs:
    """``providers`` films, each bought and watched once by one viewer, in the epoch
    around ``t`` (of ``epoch_seconds``)."""

    providers: tuple[ReceiptSigner, ...]
    viewer: ReceiptSigner
    t: int
    epoch_seconds: int
    watched: tuple[dict[str, Any], ...]
    passphrase: str

    @staticmethod
    def make(providers: int, t: int, passphrase: str, epoch_seconds: int = 3600) -> EpochInputs:
        owners = tuple(ReceiptSigner(Keypair.random(), passphrase) for _ in range(providers))
        viewer = ReceiptSigner(Keypair.random(), passphrase)
        watched = tuple(
            viewer.wire(viewer.viewing_session(content(i), t - 120).update(60, t))
            for i in range(providers)
        )
        return EpochInputs(owners, viewer, t, epoch_seconds, watched, passphrase)

    @property
    def epoch(self) -> int:
        return self.t // self.epoch_seconds

    @property
    def owed(self) -> dict[tuple[str, str], int]:
        """What the treasury owes each provider for the epoch: the price less the fee."""
        net = PRICE - PRICE * FEE_BPS // 10_000
        return {(p.account, "native"): net for p in self.providers}

    def seed(self, directory: Path, *, extra: int = 0) -> None:
        """Write the inputs into the database of the node in ``directory`` (and ``extra``
        more viewings only there: a validator whose inputs differ)."""
        db = Database(load_settings(directory).resolved_database_url())
        db.upgrade()
        rt = ContractRuntime([load_spec(name) for name in DEFAULT_CONTRACTS])
        start = self.epoch * self.epoch_seconds
        ctx = Context(epoch=self.epoch, close_time=max(start, self.t - 300), seed=b"")
        policy = IngestPolicy(
            network_id(self.passphrase), 120, 7 * 86_400, 125_000_000, self.epoch_seconds
        )
        other = ReceiptSigner(Keypair.random(), self.passphrase)
        more = [
            other.wire(other.viewing_session(content(i), self.t - 100).update(30, self.t))
            for i in range(extra)
        ]
        with db.session(write=True) as s:
            for i, provider in enumerate(self.providers):
                film = content(i).hex()
                rt.apply(
                    s, "catalog", [ActionPublish(film, f"Film {i}", (), provider.account)], ctx
                )
                rt.apply(
                    s,
                    "access",
                    [
                        ActionSetAccessPrice(provider.account, film, PRICE, NATIVE, 86_400),
                        ReceiveAccessPayment(self.viewer.account, film, NATIVE, PRICE, f"pay-{i}"),
                    ],
                    ctx,
                )
            results = ingest_batch(s, [*self.watched, *more], policy, int(time.time()))
            refused = [r for r in results if r.status != "accepted"]
            if refused:
                raise RuntimeError(f"a seeded receipt was refused: {refused[0]}")
        db.dispose()


def content(i: int) -> bytes:
    """The i-th film's infohash (20 bytes)."""
    return i.to_bytes(4, "big") * 5
