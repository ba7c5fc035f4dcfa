"""Revenue belongs to the epoch of the ledger close time of the payment that earned it,
whenever the payment is applied and whenever the accounting runs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from contracts.access import ActionSetAccessPrice, ReceiveAccessPayment
from contracts.catalog import ActionPublish
from contracts.core import NATIVE, Context
from node.watcher import ledger_known_until
from servicelayer.epochs.accounting import REVENUE
from servicelayer.epochs.anchoring import build_tree
from servicelayer.epochs.clock import epoch_of
from servicelayer.epochs.pipeline import PipelineConfig, advance
from servicelayer.epochs.steps import LedgerKnown, compute_step, verify_step
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import epochs_repo, watcher_repo
from servicelayer.storage.db import Database
from servicelayer.storage.epoch_models import EpochPayout
from tests.conftest import BACKENDS, fresh_database
from tests.integration.test_epoch_settlement import replay_json
from tests.integration.test_ingest_storage import INFOHASH, NOW
from tests.support import make_signer

pytestmark = pytest.mark.integration
E = NOW // 3600
END = (E + 1) * 3600  # the end of E, the start of E+1
CONFIG = PipelineConfig(epoch_seconds=3600, close_grace_seconds=300)
CONTENT = INFOHASH.hex()
PRICE = 50_000_000
PROVIDER, VIEWER = make_signer().account, make_signer().account
# (payment id, ledger close time): one before the first accounted epoch, one late in E,
# one early in E+1
PAYMENTS = [("pay-0", (E - 2) * 3600 + 7), ("pay-1", END - 10), ("pay-2", END + 5)]
Payouts = list[tuple[str, str, str, int]]


def runtime() -> ContractRuntime:
    return ContractRuntime([load_spec(name) for name in DEFAULT_CONTRACTS])


def setup(rt: ContractRuntime, db: Database) -> None:
    ctx = Context(epoch=E - 3, close_time=(E - 3) * 3600, seed=b"")
    with db.session(write=True) as s:
        rt.apply(s, "catalog", [ActionPublish(CONTENT, "A film", ("film",), PROVIDER)], ctx)
        price = ActionSetAccessPrice(PROVIDER, CONTENT, PRICE, NATIVE, 86_400)
        rt.apply(s, "access", [price], ctx)


def pay(rt: ContractRuntime, db: Database, payment_id: str, closed_at: int) -> None:
    """Apply a treasury payment as the ledger watcher does: in the context of the close
    time of the ledger it was in."""
    ctx = Context(epoch_of(closed_at, 3600), closed_at)
    with db.session(write=True) as s:
        payment = ReceiveAccessPayment(VIEWER, CONTENT, NATIVE, PRICE, payment_id)
        rt.apply(s, "access", [payment], ctx)


def account(rt: ContractRuntime, db: Database, now: int, known: LedgerKnown | None = None) -> None:
    steps = [verify_step(rt, 3600), compute_step(rt, 3600, known)]
    advance(db, CONFIG, steps, "w1", now)


def outcome(db: Database) -> dict[int, tuple[Payouts, bytes]]:
    """Per epoch: its payouts and its Merkle root."""
    result = {}
    with db.session() as s:
        for epoch in (E, E + 1):
            rows = s.query(EpochPayout).filter_by(epoch=epoch).order_by(EpochPayout.position)
            payouts = [(p.kind, p.reference, p.account, p.amount) for p in rows]
            result[epoch] = (payouts, build_tree(s, epoch).root)
    return result


def run(db: Database, schedule: Callable[[ContractRuntime, Database], None]) -> None:
    rt = runtime()
    setup(rt, db)
    schedule(rt, db)


def all_payments_then_accounting(rt: ContractRuntime, db: Database) -> None:
    """The watcher applied E+1's payment before E's accounting ran (a late accounting)."""
    for payment_id, closed_at in reversed(PAYMENTS):
        pay(rt, db, payment_id, closed_at)
    account(rt, db, END + 300)
    account(rt, db, END + 3600 + 300)


def each_payment_in_its_time(rt: ContractRuntime, db: Database) -> None:
    for payment_id, closed_at in PAYMENTS[:2]:
        pay(rt, db, payment_id, closed_at)
    account(rt, db, END + 300)
    pay(rt, db, *PAYMENTS[2])
    account(rt, db, END + 3600 + 300)


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_payment_closed_in_the_next_epoch_is_paid_out_under_it(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    run(db, all_payments_then_accounting)
    late = outcome(db)
    net = PRICE * 8 // 10
    [e_payouts, next_payouts] = [late[E][0], late[E + 1][0]]
    # E: the payment closed in E, and the one before the node's first epoch; not E+1's
    assert [(kind, amount) for kind, _, _, amount in e_payouts] == [(REVENUE, net)] * 2
    assert [(kind, amount) for kind, _, _, amount in next_payouts] == [(REVENUE, net)]
    assert {a for _, _, a, _ in e_payouts + next_payouts} == {PROVIDER}

    backend = "postgres" if database_url.startswith("postgresql") else "sqlite"
    with fresh_database(backend, tmp_path / "other.sqlite3") as url:
        other = Database(url)
        other.upgrade()
        try:
            run(other, each_payment_in_its_time)
            # the same payments applied at other times: the same payouts and roots
            assert outcome(other) == late
            for epoch in (E, E + 1):  # and `acenode epochs replay` agrees on both nodes
                for node_url in (database_url, url):
                    replayed = replay_json(epoch, tmp_path, node_url)
                    assert replayed["identical"] and replayed["actions"] >= 3
        finally:
            other.dispose()


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_the_accounting_waits_for_the_ledger_to_be_followed_past_the_epoch(
    db: Database,
) -> None:
    rt = runtime()
    setup(rt, db)
    pay(rt, db, *PAYMENTS[1])

    def known() -> int | None:
        return ledger_known_until(db, "http://127.0.0.1:9", watching=True)

    account(rt, db, END + 300, known)  # no ledger followed yet
    with db.session() as s:
        record = epochs_repo.get(s, E)
        assert record is not None and record.status == "verified"
        assert "ledger watcher" in (record.error or "")
    with db.session(write=True) as s:  # the watcher follows a ledger of E's last seconds
        watcher_repo.set_mark(s, watcher_repo.FOLLOWED, ledger=10, closed_at=END - 1)
    account(rt, db, END + 310, known)
    with db.session() as s:
        record = epochs_repo.get(s, E)
        assert record is not None and record.status == "verified"
    # meanwhile the watcher applies a payment of E's last second, then follows past E
    pay(rt, db, "pay-3", END - 1)
    with db.session(write=True) as s:
        watcher_repo.set_mark(s, watcher_repo.FOLLOWED, ledger=11, closed_at=END + 2)
    account(rt, db, END + 320, known)
    with db.session() as s:
        record = epochs_repo.get(s, E)
        assert record is not None and record.status == "computed" and record.error is None
        payouts = s.query(EpochPayout).filter_by(epoch=E).all()
    assert sorted(p.reference for p in payouts) == sorted(
        p.reference for p in payouts if p.kind == REVENUE
    )
    assert len(payouts) == 2  # pay-1 and pay-3, both closed in E
