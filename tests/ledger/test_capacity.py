"""The ledger's capacity, as stellar-core's: operations per ledger, the transaction queue
(one per source account, two ledgers' worth), surge pricing and replace-by-fee."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from stellar_sdk import Asset, Keypair, Payment, TransactionBuilder
from stellar_sdk import xdr as x

from testnet.ledger import StandaloneLedger, SubmissionResult, TryAgainLater
from tests.ledger.helpers import BASE_FEE, FakeClock, balance, build, make_funded_account

OPS = 3


@pytest.fixture
def small(tmp_path: Path) -> Iterator[StandaloneLedger]:
    """A ledger of three operations."""
    opened = StandaloneLedger.open(
        data_dir=tmp_path, close_interval=None, clock=FakeClock(), max_tx_set_ops=OPS
    )
    yield opened
    opened.close()


def _payers(ledger: StandaloneLedger, n: int) -> list[Keypair]:
    return [make_funded_account(ledger) for _ in range(n)]


def _fee_charged(result: SubmissionResult) -> int:
    """The fee charged a refused transaction's result names: stellar-core puts there the
    bid that would have been admitted (nothing is charged)."""
    return int(x.TransactionResult.from_xdr(result.result_xdr).fee_charged.int64)


def _pay(ledger: StandaloneLedger, payer: Keypair, fee: int = BASE_FEE) -> str:
    op = Payment(ledger.root_keypair.public_key, Asset.native(), "1")
    return build(ledger, payer, [op], fee=fee).to_xdr()


def test_a_ledger_holds_its_capacity_and_the_rest_waits_for_the_next(
    small: StandaloneLedger,
) -> None:
    payers = _payers(small, 5)
    futures = [small.submit_async(_pay(small, p)) for p in payers]
    first = small.close_ledger()
    assert first.max_tx_set_size == OPS and first.tx_set_operation_count == OPS
    assert [f.done() for f in futures] == [True] * 3 + [False] * 2  # arrival order
    second = small.close_ledger()
    assert {f.result(1).ledger for f in futures[3:]} == {second.seq}
    assert all(f.result(1).successful for f in futures)


def test_a_source_has_one_transaction_in_the_queue_at_a_time(small: StandaloneLedger) -> None:
    payer = _payers(small, 1)[0]
    first = small.submit_async(_pay(small, payer))
    op = Payment(small.root_keypair.public_key, Asset.native(), "1")
    following = build(small, payer, [op], seq=small.account(payer.public_key).seq_num + 1)
    with pytest.raises(TryAgainLater):
        small.submit_async(following.to_xdr())
    assert small.submit_async(_pay(small, payer)) is first  # the same envelope: same wait
    small.close_ledger()
    assert first.result(1).successful
    later = small.submit_async(following.to_xdr())  # once the first applied, it may queue
    small.close_ledger()
    assert later.result(1).successful


def test_a_full_queue_admits_only_a_higher_bid_which_evicts_the_lowest(
    small: StandaloneLedger,
) -> None:
    payers = _payers(small, 2 * OPS + 2)
    queued = [small.submit_async(_pay(small, p)) for p in payers[: 2 * OPS]]
    refused = small.submit_async(_pay(small, payers[-2])).result(1)
    assert (refused.tx_code, refused.applied) == ("tx_insufficient_fee", False)
    assert _fee_charged(refused) == BASE_FEE + 1  # the bid that would have made room
    before = balance(small, payers[-2])
    outbid = small.submit_async(_pay(small, payers[-1], fee=BASE_FEE + 1))
    with pytest.raises(TryAgainLater):  # the latest of the lowest bids made room
        queued[-1].result(1)
    small.close_ledger()
    assert outbid.result(1).successful  # the highest bid went first
    small.close_ledger()
    assert all(f.result(1).successful for f in queued[:-1])
    assert balance(small, payers[-2]) == before  # a refusal charges nothing


def test_over_capacity_the_highest_bids_go_first_and_pay_the_lowest_included_bid(
    small: StandaloneLedger,
) -> None:
    payers = _payers(small, 4)
    fees = [100, 400, 300, 200]
    before = [balance(small, p) for p in payers]
    futures = [small.submit_async(_pay(small, p, fee)) for p, fee in zip(payers, fees, strict=True)]
    ledger = small.close_ledger()
    results = [f.result(1) if f.done() else None for f in futures]
    assert [r.ledger if r else None for r in results] == [None, ledger.seq, ledger.seq, ledger.seq]
    assert {r.fee_charged for r in results if r} == {200}  # surge: the lowest included bid
    small.close_ledger()
    assert futures[0].result(1).fee_charged == BASE_FEE  # no surge in its own ledger
    paid = [b - balance(small, p) for b, p in zip(before, payers, strict=True)]
    assert paid == [10_000_000 + BASE_FEE] + [10_000_000 + 200] * 3


def test_a_fee_bump_replaces_a_queued_transaction_only_for_ten_times_its_bid(
    small: StandaloneLedger,
) -> None:
    payer, sponsor = _payers(small, 2)
    inner = build(small, payer, [Payment(small.root_keypair.public_key, Asset.native(), "1")])
    queued = small.submit_async(inner.to_xdr())

    def bump(fee: int) -> str:
        envelope = TransactionBuilder.build_fee_bump_transaction(
            sponsor.public_key, fee, inner, small.network_passphrase
        )
        envelope.sign(sponsor)
        return envelope.to_xdr()

    # the bump counts as one more operation: 2 operations bidding 999 is under 10 x 100
    low = small.submit_async(bump(499)).result(1)
    assert (low.tx_code, low.applied, _fee_charged(low)) == ("tx_insufficient_fee", False, 2000)
    replacing = small.submit_async(bump(1000))
    with pytest.raises(TryAgainLater):
        queued.result(1)
    small.close_ledger()
    assert replacing.result(1).tx_code == "tx_fee_bump_inner_success"
