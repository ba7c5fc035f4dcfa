"""The settlement store on SQLite and PostgreSQL (schema from Alembic)."""

from __future__ import annotations

import pytest
from stellar_sdk import Keypair

from servicelayer.errors import Conflict, InvariantViolation, NotFound
from servicelayer.ledger.money import NATIVE_TEXT
from servicelayer.settlement.lock import settlement_lock
from servicelayer.settlement.plan import Payout, Plan
from servicelayer.settlement.records import Envelope
from servicelayer.settlement.status import PayoutStatus, PlanStatus, SubmissionStatus
from servicelayer.settlement.store import SettlementStore
from servicelayer.storage.db import Database
from tests.conftest import BACKENDS

pytestmark = [
    pytest.mark.integration,
    pytest.mark.parametrize("database_url", BACKENDS, indirect=True),
]

S = SubmissionStatus
TREASURY = Keypair.random().public_key
CHANNEL = Keypair.random().public_key
PAYEES = [Keypair.random().public_key for _ in range(25)]


def make_plan(n: int = 25) -> Plan:
    return Plan.of([Payout(PAYEES[i], NATIVE_TEXT, 10**7 + i, f"r{i}") for i in range(n)])


def envelope(plan: Plan, chunk: int, attempt: int, seq: int, **kw: object) -> Envelope:
    return Envelope(
        f"{chunk:02d}{attempt:02d}".ljust(64, "a"),
        plan.id,
        chunk,
        attempt,
        CHANNEL,
        seq,
        "AAAA",
        S.SIGNED,
        **kw,  # type: ignore[arg-type]
    )


def test_a_plan_is_stored_once_with_its_chunks(db: Database) -> None:
    store, plan = SettlementStore(db), make_plan()
    assert store.create_plan(plan, source="f.csv", treasury=TREASURY, chunk_size=10, now=5)
    assert not store.create_plan(plan, source="f.csv", treasury=TREASURY, chunk_size=10, now=6)
    summary = store.summary(plan.id)
    assert (summary.payout_count, summary.chunk_size, summary.status) == (
        25,
        10,
        PlanStatus.PENDING,
    )
    assert summary.counts == {PayoutStatus.PENDING: 25}
    assert summary.totals == {NATIVE_TEXT: sum(p.amount for p in plan.payouts)}
    work = store.open_work(plan.id)
    assert [len(w.payouts) for w in work] == [10, 10, 5]
    assert [p for w in work for p in w.payouts] == list(plan.payouts)
    assert store.plan_ids() == [plan.id]
    with pytest.raises(NotFound):
        store.summary("0" * 64)


def test_envelopes_chunks_and_payouts_move_through_their_statuses(db: Database) -> None:
    store, plan = SettlementStore(db), make_plan()
    store.create_plan(plan, source="f", treasury=TREASURY, chunk_size=10, now=1)
    first = envelope(plan, 0, 1, 11)
    store.add_envelope(first, 2)
    store.set_status(first.hash, S.SUBMITTED, 3)
    (w0, _, _) = store.open_work(plan.id)
    assert [e.status for e in w0.unresolved] == [S.SUBMITTED]
    # The payment to two payees failed for lack of a trustline: they become claimable.
    store.set_status(first.hash, S.FAILED, 4, op_codes=["op_success", "op_no_trust"], ledger=9)
    store.set_claimable(plan.id, 0, [1, 4])
    second = envelope(plan, 0, 2, 12, supersedes=first.hash)
    store.add_envelope(second, 5)
    store.chunk_applied(plan.id, 0, second.hash, 10, 6)
    w1, w2 = store.open_work(plan.id)
    assert (w1.index, w2.index) == (1, 2)
    summary = store.summary(plan.id)
    assert summary.counts == {
        PayoutStatus.PAID: 8,
        PayoutStatus.PAID_AS_CLAIMABLE_BALANCE: 2,
        PayoutStatus.PENDING: 15,
    }
    stored = store.transactions(plan.id)
    assert [(e.status, e.supersedes) for e in stored] == [
        (S.FAILED, None),
        (S.APPLIED, first.hash),
    ]
    assert stored[0].op_codes == ("op_success", "op_no_trust")
    with pytest.raises(InvariantViolation):
        store.set_status(second.hash, S.SUBMITTED, 7)


def test_failed_chunks_are_reopened_by_the_next_run(db: Database) -> None:
    store, plan = SettlementStore(db), make_plan(20)
    store.create_plan(plan, source="f", treasury=TREASURY, chunk_size=10, now=1)
    store.chunk_failed(plan.id, 1, "operations failed: op_underfunded")
    applied = envelope(plan, 0, 1, 3)
    store.add_envelope(applied, 2)
    store.chunk_applied(plan.id, 0, applied.hash, 4, 3)
    store.refresh_plan(plan.id)  # as every settlement run does when it ends
    assert store.summary(plan.id).status == PlanStatus.FAILED
    assert store.reopen_failed(plan.id) == 1
    summary = store.summary(plan.id)
    assert summary.status == PlanStatus.PENDING
    assert summary.counts == {PayoutStatus.PAID: 10, PayoutStatus.PENDING: 10}
    assert [w.index for w in store.open_work(plan.id)] == [1]


def test_a_second_settlement_on_the_same_database_is_refused(db: Database) -> None:
    with settlement_lock(db):
        other = Database(db.url)
        try:
            with pytest.raises(Conflict), settlement_lock(other):
                pass
        finally:
            other.dispose()
    with settlement_lock(db):  # released
        pass
