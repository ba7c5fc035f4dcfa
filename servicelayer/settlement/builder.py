"""Chunk -> signed transaction envelope (stellar-sdk's TransactionBuilder).

The channel account is the transaction source (it pays the fee and gives the sequence
number); the treasury is the source of every operation, so the treasury's M validator
signatures are needed. No clock enters an envelope (time bounds 0, relative reclaim
predicate), so every validator builds byte-identical envelopes with the same hash.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from stellar_sdk import Account, Asset, Claimant, ClaimPredicate, Keypair, TransactionBuilder

from servicelayer.settlement.chunking import MAX_OPS, Chunk
from servicelayer.settlement.plan import NATIVE, format_amount

RECLAIM_AFTER_SECONDS = 30 * 86400


@dataclass(frozen=True, slots=True)
class SignedEnvelope:
    hash: str
    xdr: str


@lru_cache(maxsize=256)
def sdk_asset(asset: str) -> Asset:
    if asset == NATIVE:
        return Asset.native()
    code, _, issuer = asset.partition(":")
    return Asset(code, issuer)


class EnvelopeBuilder:
    def __init__(
        self,
        network_passphrase: str,
        treasury: str,
        signers: Sequence[Keypair],
        base_fee: int = 100,
    ) -> None:
        self.network_passphrase = network_passphrase
        self.treasury = treasury
        self.signers = tuple(signers)
        self.base_fee = base_fee
        never_before = ClaimPredicate.predicate_before_relative_time(RECLAIM_AFTER_SECONDS)
        self._reclaim = Claimant(treasury, ClaimPredicate.predicate_not(never_before))

    def build(
        self,
        chunk: Chunk,
        channel: Keypair,
        sequence: int,
        claimable: frozenset[int] = frozenset(),
    ) -> SignedEnvelope:
        """The chunk's payments (claimable balances for the offsets in ``claimable``) as a
        transaction of ``channel`` at ``sequence``, signed by the channel and the signers."""
        if not 0 < len(chunk.payouts) <= MAX_OPS:
            raise ValueError(f"a chunk holds 1..{MAX_OPS} payouts")
        builder = TransactionBuilder(
            Account(channel.public_key, sequence - 1),
            self.network_passphrase,
            base_fee=self.base_fee,
        )
        builder.add_hash_memo(chunk.memo_hash).add_time_bounds(0, 0)
        for offset, payout in enumerate(chunk.payouts):
            asset, amount = sdk_asset(payout.asset), format_amount(payout.amount)
            if offset in claimable:
                claimants = [Claimant(payout.account), self._reclaim]
                builder.append_create_claimable_balance_op(
                    asset, amount, claimants, source=self.treasury
                )
            else:
                builder.append_payment_op(payout.account, asset, amount, source=self.treasury)
        envelope = builder.build()
        envelope.sign(channel)
        for signer in self.signers:
            envelope.sign(signer)
        return SignedEnvelope(envelope.hash_hex(), envelope.to_xdr())
