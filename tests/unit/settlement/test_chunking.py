"""Chunks of at most 100 payouts, each bound to its content by the memo hash."""

from __future__ import annotations

import hashlib

import pytest
from stellar_sdk import (
    Account,
    Asset,
    Claimant,
    ClaimPredicate,
    Keypair,
    TransactionBuilder,
    TransactionEnvelope,
)

from contracts.canonical import canonical_bytes
from servicelayer.errors import InvalidInput
from servicelayer.ledger.money import NATIVE_TEXT, format_amount
from servicelayer.settlement.builder import RECLAIM_AFTER_SECONDS, EnvelopeBuilder
from servicelayer.settlement.chunking import chunk_plan, memo_hash
from servicelayer.settlement.plan import Payout, Plan

PASSPHRASE = "Standalone Network ; February 2017"
PAYEES = [Keypair.random().public_key for _ in range(7)]


def make_plan(n: int) -> Plan:
    return Plan.of([Payout(PAYEES[i % 7], NATIVE_TEXT, 100 + i, f"r{i}") for i in range(n)])


def test_chunks_hold_at_most_the_chunk_size_in_plan_order() -> None:
    plan = make_plan(250)
    chunks = chunk_plan(plan.id, plan.payouts)
    assert [len(c.payouts) for c in chunks] == [100, 100, 50]
    assert [p for c in chunks for p in c.payouts] == list(plan.payouts)
    assert [c.index for c in chunks] == [0, 1, 2]


@pytest.mark.parametrize("size", [0, 101])
def test_chunk_size_beyond_a_transaction_is_refused(size: int) -> None:
    with pytest.raises(InvalidInput):
        chunk_plan("p", make_plan(3).payouts, size)


def test_the_memo_binds_plan_index_and_payouts() -> None:
    plan = make_plan(20)
    a, b = chunk_plan(plan.id, plan.payouts, 10)
    assert len(a.memo_hash) == 32
    assert a.memo_hash != b.memo_hash
    assert memo_hash("other-plan", 0, a.payouts) != a.memo_hash
    assert memo_hash(plan.id, 1, a.payouts) != a.memo_hash
    changed = (*a.payouts[:-1], Payout(a.payouts[-1].account, NATIVE_TEXT, 1, "r9"))
    assert memo_hash(plan.id, 0, changed) != a.memo_hash


def test_envelopes_carry_the_memo_and_are_identical_on_every_validator() -> None:
    plan = make_plan(12)
    chunk = chunk_plan(plan.id, plan.payouts, 10)[1]
    treasury, channel = Keypair.random(), Keypair.random()
    validators = [Keypair.random(), Keypair.random()]
    builders = [EnvelopeBuilder(PASSPHRASE, treasury.public_key, validators) for _ in range(2)]
    one, two = (b.build(chunk, channel.public_key, 42) for b in builders)
    assert one == two
    envelope = TransactionEnvelope.from_xdr(one.xdr, PASSPHRASE)
    tx = envelope.transaction
    assert tx.memo.memo_hash == chunk.memo_hash  # type: ignore[attr-defined]
    assert tx.sequence == 42
    assert tx.source.account_id == channel.public_key
    assert len(tx.operations) == 2
    assert all(op.source.account_id == treasury.public_key for op in tx.operations)
    assert len(envelope.signatures) == 2  # the validators sign for the channel and treasury
    assert hashlib.sha256(envelope.signature_base()).hexdigest() == one.hash


def test_claimable_offsets_become_claimable_balances_reclaimable_by_the_treasury() -> None:
    plan = make_plan(3)
    (chunk,) = chunk_plan(plan.id, plan.payouts)
    treasury = Keypair.random().public_key
    built = EnvelopeBuilder(PASSPHRASE, treasury, [Keypair.random()]).build(
        chunk, Keypair.random().public_key, 7, frozenset({1})
    )
    ops = TransactionEnvelope.from_xdr(built.xdr, PASSPHRASE).transaction.operations
    assert [type(op).__name__ for op in ops] == ["Payment", "CreateClaimableBalance", "Payment"]
    claimants = ops[1].claimants  # type: ignore[attr-defined]
    assert [c.destination for c in claimants] == [chunk.payouts[1].account, treasury]
    assert ops[1].amount == "0.0000101"  # type: ignore[attr-defined]


def test_the_builder_matches_stellar_sdks_transaction_builder_byte_for_byte() -> None:
    plan = make_plan(5)
    (chunk,) = chunk_plan(plan.id, plan.payouts)
    treasury, channel, validator = Keypair.random(), Keypair.random(), Keypair.random()
    builder = EnvelopeBuilder(PASSPHRASE, treasury.public_key, [validator])
    ours = builder.build(chunk, channel.public_key, 99, frozenset({3}))

    sdk = TransactionBuilder(Account(channel.public_key, 98), PASSPHRASE, base_fee=100)
    sdk.add_hash_memo(chunk.memo_hash).add_time_bounds(0, 0)
    reclaim = ClaimPredicate.predicate_not(
        ClaimPredicate.predicate_before_relative_time(RECLAIM_AFTER_SECONDS)
    )
    for offset, p in enumerate(chunk.payouts):
        amount = format_amount(p.amount)
        if offset == 3:
            claimants = [Claimant(p.account), Claimant(treasury.public_key, reclaim)]
            sdk.append_create_claimable_balance_op(
                Asset.native(), amount, claimants, source=treasury.public_key
            )
        else:
            sdk.append_payment_op(p.account, Asset.native(), amount, source=treasury.public_key)
    envelope = sdk.build()
    envelope.sign(validator)
    assert (ours.hash, ours.xdr) == (envelope.hash_hex(), envelope.to_xdr())


def test_the_memo_is_the_hash_of_the_canonical_encoding() -> None:
    payouts = [
        Payout(PAYEES[0], NATIVE_TEXT, 5, "é-ref"),
        Payout(PAYEES[1], "GOLD:" + PAYEES[2], 7, ""),
    ]
    rows = [(p.account, p.asset, p.amount, p.reference) for p in payouts]
    expected = hashlib.sha256(canonical_bytes(("ace-payout-chunk-v1", "plan", 3, rows))).digest()
    assert memo_hash("plan", 3, payouts) == expected


def test_a_payout_with_a_source_is_paid_by_it_and_committed_to_by_plan_and_memo() -> None:
    """A voted mint on a federation: the issuer pays (creates) the asset; the plan's id
    and the chunk's memo change with the source, while the treasury's payouts name the
    plans and memos they always did (``source`` is left out of their rows)."""
    issuer, treasury, channel = (Keypair.random().public_key for _ in range(3))
    token = f"GOV:{issuer}"
    treasury_only = make_plan(2)
    rows = [(p.account, p.asset, p.amount, p.reference) for p in treasury_only.payouts]
    assert (
        treasury_only.id
        == hashlib.sha256(  # as before payouts had a source
            canonical_bytes(("ace-payout-plan-v1", rows))
        ).hexdigest()
    )
    mint = Payout(PAYEES[0], token, 5_000, "mint:GOV", issuer)
    plan = Plan.of([*treasury_only.payouts, mint])
    unsourced = Plan.of([*treasury_only.payouts, Payout(PAYEES[0], token, 5_000, "mint:GOV")])
    assert plan.id != unsourced.id
    (chunk,) = chunk_plan(plan.id, plan.payouts)
    assert memo_hash(plan.id, 0, unsourced.payouts) != chunk.memo_hash
    built = EnvelopeBuilder(PASSPHRASE, treasury, [Keypair.random()]).build(chunk, channel, 7)
    ops = TransactionEnvelope.from_xdr(built.xdr, PASSPHRASE).transaction.operations
    assert [op.source.account_id for op in ops] == [treasury, treasury, issuer]  # type: ignore[union-attr]
