"""An epoch's contracts step: verified usage and the epoch's payments become payouts."""

from __future__ import annotations

import pytest

from contracts.access import ActionSetAccessPrice, ReceiveAccessPayment
from contracts.catalog import ActionPublish
from contracts.core import NATIVE, Context
from servicelayer.epochs.accounting import REVENUE, REWARD
from servicelayer.epochs.pipeline import PipelineConfig, advance
from servicelayer.epochs.proofs import payouts_of_epoch
from servicelayer.epochs.steps import compute_step, verify_step
from servicelayer.runtime.contracts import DEFAULT_CONTRACTS, load_spec
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import epochs_repo
from servicelayer.storage.db import Database
from servicelayer.storage.epoch_models import EpochPayout
from tests.conftest import BACKENDS
from tests.integration.test_ingest_storage import INFOHASH, NOW, submit
from tests.support import make_signer

pytestmark = pytest.mark.integration
EPOCH = NOW // 3600
CONFIG = PipelineConfig(epoch_seconds=3600, close_grace_seconds=300)
AFTER = (EPOCH + 1) * 3600 + 300
CONTENT = INFOHASH.hex()
PRICE = 50_000_000  # 5 XLM
AD = bytes(range(100, 120))  # a catalog item tagged "ad"


def runtime() -> ContractRuntime:
    return ContractRuntime([load_spec(name) for name in DEFAULT_CONTRACTS])


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_a_purchase_pays_the_provider_net_of_the_fee_and_funds_the_rewards(db: Database) -> None:
    rt = runtime()
    provider, viewer, uploader = make_signer(), make_signer(), make_signer()
    advertiser = make_signer()
    ctx = Context(epoch=EPOCH, close_time=NOW - 300, seed=b"")
    with db.session(write=True) as s:
        rt.apply(
            s,
            "catalog",
            [
                ActionPublish(CONTENT, "A film", ("film",), provider.account),
                ActionPublish(AD.hex(), "Buy our tea", ("ad",), advertiser.account),
            ],
            ctx,
        )
        rt.apply(
            s,
            "access",
            [
                ActionSetAccessPrice(provider.account, CONTENT, PRICE, NATIVE, 86_400),
                ReceiveAccessPayment(viewer.account, CONTENT, NATIVE, PRICE, "pay-1"),
            ],
            ctx,
        )
    watched = viewer.viewing_session(INFOHASH, NOW - 200)
    served = viewer.bandwidth_session(uploader.account, INFOHASH, NOW - 200)
    ad = viewer.viewing_session(AD, NOW - 200)
    receipts = [
        viewer.wire(watched.update(60, NOW - 120)),
        viewer.wire(served.update(8_000_000, NOW - 120)),
        viewer.wire(ad.update(30, NOW - 120)),
    ]
    assert [status for status, _ in submit(db, receipts)] == ["accepted"] * 3

    steps = [verify_step(rt, 3600), compute_step(rt, 3600)]
    reached = [p.reached for p in advance(db, CONFIG, steps, "w1", AFTER)]
    assert reached == ["closed", "verified", "computed"]
    with db.session() as s:
        payouts = s.query(EpochPayout).filter_by(epoch=EPOCH).order_by(EpochPayout.position).all()
        record = epochs_repo.get(s, EPOCH)
        rewards, _ = rt.current(s, "rewards")
    assert record is not None and record.payouts == len(payouts)
    revenue = [(p.kind, p.account, p.asset, p.amount) for p in payouts]
    assert revenue == [(REVENUE, provider.account, "native", PRICE * 8 // 10)]  # 20 % fee
    fee = PRICE - PRICE * 8 // 10
    totals = rewards.totals[NATIVE]
    assert totals.received == fee  # the fee, and only the fee, funds the pools
    earned = {a: b.earned for (a, _), b in rewards.balances.items()}
    # the creator's 30 % of the fee by verified viewing, the ad viewer the 5 % ads pool;
    # the uploader is a newcomer no probe has vetted or seen serving: its bytes are
    # held (deferred), they earn nothing yet
    assert earned == {provider.account: fee * 3000 // 10_000, viewer.account: fee * 500 // 10_000}
    assert sum(earned.values()) + totals.treasury == fee
    # below the DAO's minimum payout (1 XLM): carried over, not paid, not lost
    assert not any(p.kind == REWARD for p in payouts)
    assert advance(db, CONFIG, steps, "w1", AFTER + 60) == []  # computed once


@pytest.mark.parametrize("database_url", BACKENDS, indirect=True)
def test_an_epochs_payouts_are_read_a_page_at_a_time(db: Database) -> None:
    """GET /v1/epochs/{n}/payouts pages with `after` / `next` (100,000 payees fit no page)."""
    account = make_signer().keypair.public_key
    with db.session(write=True) as s:
        epochs_repo.create_closed(s, EPOCH, 0, NOW)
        for position in range(5):
            s.add(
                EpochPayout(
                    epoch=EPOCH,
                    position=position,
                    kind=REWARD,
                    reference=f"r{position}",
                    account=account,
                    asset="native",
                    amount=10 + position,
                )
            )
    pages, after = [], -1
    with db.session() as s:
        while after is not None:
            rows, after = payouts_of_epoch(s, EPOCH, after, 2)
            pages.append([r["id"] for r in rows])
    assert pages == [
        [f"epoch-{EPOCH}-0", f"epoch-{EPOCH}-1"],
        [f"epoch-{EPOCH}-2", f"epoch-{EPOCH}-3"],
        [f"epoch-{EPOCH}-4"],
    ]
