"""A scripted run of the contracts over a few epochs, used by the runtime tests.

Run as ``python -m tests.runtime_scenario DATABASE_URL`` it plays the scenario into a
fresh database and prints the journal (one canonical JSON line per action).
"""

from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import replace

from stellar_sdk import Keypair

from contracts.billing import (
    ActionPayProviders,
    ActionSetRate,
    ReceiveDeposit,
    ReceiveViewingMinutes,
)
from contracts.catalog import ActionPublish, ReceiveContentDelisted, ReceiveContentHidden
from contracts.core import NATIVE, Action, Context
from contracts.subscriptions import ActionRegisterContent
from servicelayer.runtime.contracts import load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import journal_repo
from servicelayer.storage.db import Database

EPOCH_SECONDS = 3600
VIDEO = "c12fe1c06bba254a9dc9f519b335aa7c1367a88a"


def account(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(hashlib.sha256(b"acct%d" % n).digest()).public_key


def context(epoch: int) -> Context:
    return Context(epoch, epoch * EPOCH_SECONDS + 60, hashlib.sha256(b"seed%d" % epoch).digest())


def play(runtime: ContractRuntime, database: Database, epochs: range) -> None:
    provider, viewers = account(0), [account(n) for n in range(1, 4)]
    for epoch in epochs:
        ctx = context(epoch)
        actions = [ActionSetRate(provider, VIDEO, NATIVE, 1_000_000 + epoch)]
        for i, viewer in enumerate(viewers):
            actions.append(ReceiveDeposit(viewer, NATIVE, 30_000_000 * (i + 1), f"tx{epoch}-{i}"))
            minutes = tuple(range(0, 5 + 10 * i))
            actions.append(ReceiveViewingMinutes(viewer, VIDEO, f"s{epoch}-{i}", minutes))
        actions.append(ActionPayProviders())
        with database.session(write=True) as session:
            runtime.apply(session, "billing", actions, ctx)
            runtime.snapshot(session, "billing")


def publications(epoch: int) -> list[ActionPublish]:
    """Catalog items of three providers, published in ``epoch``."""
    return [
        ActionPublish(
            hashlib.sha1(b"film%d-%d" % (epoch, n)).hexdigest(),
            f"Film {n} of epoch {epoch}",
            ("film", f"e{epoch}"),
            account(n % 3),
        )
        for n in range(6)
    ]


def play_catalog(runtime: ContractRuntime, database: Database, epochs: range) -> None:
    """Publications, an update, a hidden and a delisted item: state kept in PMaps."""
    for epoch in epochs:
        items = publications(epoch)
        catalog: list[Action] = [
            *items,
            replace(items[0], title=f"{items[0].title}, director's cut"),
            ReceiveContentHidden(items[1].infohash),
            ReceiveContentDelisted(items[2].infohash),
        ]
        owners = [ActionRegisterContent(i.provider, i.infohash, "") for i in items]
        with database.session(write=True) as session:
            runtime.apply(session, "catalog", catalog, context(epoch))
            runtime.apply(session, "subscriptions", owners, context(epoch))


def main() -> None:
    database = Database(sys.argv[1])
    database.upgrade()
    runtime = ContractRuntime(
        [load_spec(name) for name in ("billing", "catalog", "subscriptions")], snapshot_every=7
    )
    play(runtime, database, range(1, 4))
    play_catalog(runtime, database, range(1, 4))
    with database.session() as session:
        for name in ("billing", "catalog", "subscriptions"):
            for entry in journal_repo.entries(session, name, 0):
                row = [name, entry.seq, entry.epoch, entry.action, entry.events, entry.state_hash]
                print(json.dumps(row))


if __name__ == "__main__":
    main()
