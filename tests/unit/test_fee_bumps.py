"""Fee bumps of a signed transaction the busy ledger refused at its fee."""

from __future__ import annotations

from stellar_sdk import Account, FeeBumpTransactionEnvelope, Keypair, TransactionBuilder

from servicelayer.ledger.feebump import FeeBumps

PASSPHRASE = "Standalone Network ; February 2017"


def signed(operations: int, fee: int = 100) -> tuple[str, str]:
    """A transaction of ``operations`` operations signed by two keys: (XDR, hash)."""
    source, other = Keypair.random(), Keypair.random()
    builder = TransactionBuilder(Account(source.public_key, 7), PASSPHRASE, fee)
    for _ in range(operations):
        builder.append_bump_sequence_op(0)
    tx = builder.set_timeout(0).build()
    tx.sign(source)
    tx.sign(other)
    return tx.to_xdr(), tx.hash_hex()


def test_a_bump_bids_what_the_ledger_asked_and_keeps_the_signed_transaction() -> None:
    payer = Keypair.random()
    envelope, inner_hash = signed(3)
    bumped = FeeBumps(payer, PASSPHRASE, 10_000).bump(envelope, 3_001)
    assert bumped is not None
    bump = TransactionBuilder.from_xdr(bumped, PASSPHRASE)
    assert isinstance(bump, FeeBumpTransactionEnvelope)
    assert bump.transaction.fee_source.account_id == payer.public_key
    assert bump.transaction.fee == 1_001 * 4  # 3,001 for 3 operations, per operation, +1
    inner = bump.transaction.inner_transaction_envelope
    assert inner.hash_hex() == inner_hash and len(inner.signatures) == 2
    payer.verify(bump.hash(), bump.signatures[0].signature)
    # refused again, a bump is bumped from its inner transaction, not wrapped twice
    again = FeeBumps(payer, PASSPHRASE, 10_000).bump(bumped, 20_004)
    assert again is not None
    rebump = TransactionBuilder.from_xdr(again, PASSPHRASE)
    assert isinstance(rebump, FeeBumpTransactionEnvelope)
    assert rebump.transaction.fee == 5_001 * 4
    assert rebump.transaction.inner_transaction_envelope.hash_hex() == inner_hash


def test_no_bump_above_the_limit_below_the_inner_fee_or_of_garbage() -> None:
    payer = Keypair.random()
    envelope, _ = signed(2, fee=300)
    bumps = FeeBumps(payer, PASSPHRASE, 1_000)
    assert bumps.bump(envelope, 2_002) is None  # 1,001 per operation: over the limit
    low = bumps.bump(envelope, 10)  # never below what the inner transaction bids
    assert low is not None
    bump = TransactionBuilder.from_xdr(low, PASSPHRASE)
    assert isinstance(bump, FeeBumpTransactionEnvelope) and bump.transaction.fee == 300 * 3
    assert bumps.bump("not an envelope", 1_000) is None
