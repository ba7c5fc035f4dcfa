"""Transactions as the node builds, signs, keeps and submits them.

Every transaction the node signs with stellar-sdk starts at ``new_tx`` (source account,
its current sequence number, network, base fee, no time bounds: an unsubmitted envelope
stays valid until its sequence slot is used) and ends at ``sign``, which gives the
``SignedTx`` kept before submission. The settlement's chunks are the exception: they are
encoded once by ``servicelayer.settlement.builder`` (byte for byte what stellar-sdk
gives, at a fraction of its cost) and end as ``SignedTx`` too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from stellar_sdk import (
    Account,
    FeeBumpTransactionEnvelope,
    Keypair,
    TransactionBuilder,
    TransactionEnvelope,
)


@dataclass(frozen=True, slots=True)
class SignedTx:
    """A signed envelope: its hash (hex), its XDR (base64) and the source account's
    sequence number it uses. Kept before it is submitted, so a crash between signing and
    submitting resubmits these same bytes (the same hash) instead of signing again."""

    hash: str
    xdr: str
    sequence: int


def signed_envelope(xdr: str, passphrase: str) -> TransactionEnvelope:
    """The transaction its signers signed, from a ledger record's ``envelope_xdr``: the
    envelope itself, or the inner one of a fee bump (whose hash Horizon also finds it
    by). Raises ``ValueError`` (or an XDR error) for anything else."""
    return inner_of(TransactionBuilder.from_xdr(xdr, passphrase))


def inner_of(envelope: TransactionEnvelope | FeeBumpTransactionEnvelope) -> TransactionEnvelope:
    if isinstance(envelope, FeeBumpTransactionEnvelope):
        return envelope.transaction.inner_transaction_envelope
    return envelope


def new_tx(
    source: str, sequence: int, passphrase: str, base_fee: int, *, timeout: int | None = None
) -> TransactionBuilder:
    """A builder for ``source``'s next transaction (at ``sequence`` + 1): valid until its
    slot is used, or for ``timeout`` seconds (a person's transaction, which they would
    rather see expire than apply late)."""
    builder = TransactionBuilder(Account(source, sequence), passphrase, base_fee=base_fee)
    if timeout is None:
        return builder.add_time_bounds(0, 0)
    return builder.set_timeout(timeout)


def sign(envelope: TransactionEnvelope, keypairs: Iterable[Keypair]) -> SignedTx:
    for keypair in keypairs:
        envelope.sign(keypair)
    return SignedTx(envelope.hash_hex(), envelope.to_xdr(), envelope.transaction.sequence)
