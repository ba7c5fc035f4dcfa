"""A federation validator that does not submit records what the ledger shows of an
epoch's payments (``SlotSettlement.run(submit=False)``), on a real SQLite store, with a
stand-in for Horizon's transaction lookups: a payment that fails because its payee cannot
hold the asset, landing on the ledger while the validator reads it, is not taken for the
chunk's end; the chunk is paid by its redo as a claimable balance."""

from __future__ import annotations

from typing import Any

from stellar_sdk import Keypair

from servicelayer.federation.settling import SlotSettlement
from servicelayer.federation.slots import Assignment
from servicelayer.ledger.money import NATIVE_TEXT
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.chunking import chunk_plan
from servicelayer.settlement.plan import Payout, Plan
from servicelayer.settlement.store import SettlementStore
from servicelayer.storage.db import Database
from tests.support import PASSPHRASE

TREASURY, CHANNEL, PAYEE = (Keypair.random().public_key for _ in range(3))
# a one-payment transaction that applied and failed: op_no_destination
NO_DESTINATION = "AAAAAAAAAGT/////AAAAAQAAAAAAAAAB////+wAAAAA="
# and one that created a claimable balance
CLAIMABLE = (
    "AAAAAAAAAGQAAAAAAAAAAQAAAAAAAAAOAAAAAAAAAAAe5JdeTCWMX3gUwoZ8vNMPeizc658GTxf3E0dRS1gNwwAAAAA="
)


class Ledger:
    """Horizon's transaction lookups: the first payment lands (failed) once it has been
    looked up ``late`` times; every later transaction is applied once ``redone``."""

    def __init__(self, first: str, late: int) -> None:
        self.first, self.late, self.redone = first, late, False

    def transaction_record(self, tx_hash: str) -> dict[str, Any] | None:
        if tx_hash == self.first:
            self.late -= 1
            if self.late >= 0:
                return None
            return {"successful": False, "result_xdr": NO_DESTINATION, "ledger": 57}
        return {"successful": True, "result_xdr": CLAIMABLE, "ledger": 58} if self.redone else None


def test_a_failure_that_lands_while_read_is_redone_not_taken_as_final(db: Database) -> None:
    plan = Plan.of([Payout(PAYEE, NATIVE_TEXT, 40_000_000, "r0")])
    slots = Assignment(plan.id, 100, 1, ((CHANNEL, 40),))
    builder = EnvelopeBuilder(PASSPHRASE, TREASURY, [Keypair.random()])
    (chunk,) = chunk_plan(plan.id, plan.payouts)
    first = builder.transaction(chunk, CHANNEL, 41)[0].hex()
    ledger = Ledger(first, late=1)  # absent when the rounds are read, there just after
    store = SettlementStore(db)
    runner = SlotSettlement(store, ledger, lambda fee: builder)  # type: ignore[arg-type]

    def run() -> str:
        return runner.run(plan, "epoch 1", TREASURY, slots, submit=False).status

    assert run() == "pending"  # it saw no payment: nothing is decided
    assert run() == "pending"  # the failure, and its redo not on the ledger yet
    assert [e.status for e in store.transactions(plan.id)] == ["failed"]
    ledger.redone = True
    assert run() == "paid"  # by the claimable balance of the redo
    assert [e.status for e in store.transactions(plan.id)] == ["failed", "applied"]
