"""A scripted run of the contracts over a few epochs, used by the runtime tests.

Run as ``python -m tests.runtime_scenario DATABASE_URL`` it plays the scenario into a
fresh database and prints the journal (one canonical JSON line per action).
"""

from __future__ import annotations

import hashlib
import json
import sys

from stellar_sdk import Keypair

from contracts.billing import (
    ActionPayProviders,
    ActionSetRate,
    ReceiveDeposit,
    ReceiveViewingMinutes,
)
from contracts.core import NATIVE, Context
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


def main() -> None:
    database = Database(sys.argv[1])
    database.upgrade()
    runtime = ContractRuntime([load_spec("billing")], snapshot_every=7)
    play(runtime, database, range(1, 4))
    with database.session() as session:
        for entry in journal_repo.entries(session, "billing", 0):
            print(
                json.dumps([entry.seq, entry.epoch, entry.action, entry.events, entry.state_hash])
            )


if __name__ == "__main__":
    main()
