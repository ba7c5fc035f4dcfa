"""Chunk -> signed transaction envelope (stellar-sdk's TransactionBuilder).

The channel account is the transaction source (it pays the fee and gives the sequence
number); the treasury is the source of every operation (or the payout's ``source``: an
issuer, for a mint), so M validator signatures are needed, the validators being the
signers of every DAO account. No clock enters an envelope (time bounds 0, relative reclaim
predicate), so every validator builds byte-identical envelopes with the same hash.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Sequence
from functools import lru_cache

from stellar_sdk import (
    Claimant,
    ClaimPredicate,
    CreateClaimableBalance,
    HashMemo,
    Keypair,
    MuxedAccount,
    Network,
    Preconditions,
    StrKey,
    TimeBounds,
)
from stellar_sdk import xdr as x
from xdrlib3 import Packer

from servicelayer.ledger.envelope import SignedTx
from servicelayer.ledger.money import format_amount, sdk_asset
from servicelayer.ledger.signing import ChunkToSign, KeySigning, Signing
from servicelayer.settlement.chunking import MAX_OPS, Chunk
from servicelayer.settlement.plan import Payout

RECLAIM_AFTER_SECONDS = 30 * 86400
_TX = x.EnvelopeType.ENVELOPE_TYPE_TX
_TX_TYPE = _TX.to_xdr_bytes()
_NO_TIME_BOUNDS = Preconditions(time_bounds=TimeBounds(0, 0)).to_xdr_object()


@lru_cache(maxsize=256)
def _asset_xdr(asset: str) -> x.Asset:
    return sdk_asset(asset).to_xdr_object()


def _muxed(account: str) -> x.MuxedAccount:
    raw = StrKey.decode_ed25519_public_key(account)
    return x.MuxedAccount(x.CryptoKeyType.KEY_TYPE_ED25519, ed25519=x.Uint256(raw))


class EnvelopeBuilder:
    """Builds each transaction's XDR once: one encoding, one hash, M signatures (the sdk's
    envelope object would re-encode all 100 operations for every signature)."""

    def __init__(
        self,
        network_passphrase: str,
        treasury: str,
        signing: Signing | Sequence[Keypair],
        base_fee: int = 100,
    ) -> None:
        self.network_passphrase = network_passphrase
        self.treasury = treasury
        self.signing = KeySigning(signing) if isinstance(signing, Sequence) else signing
        self.base_fee = base_fee
        self._network_id = Network(network_passphrase).network_id()
        self._treasury_xdr = MuxedAccount(treasury).to_xdr_object()
        never_before = ClaimPredicate.predicate_before_relative_time(RECLAIM_AFTER_SECONDS)
        self._reclaim = Claimant(treasury, ClaimPredicate.predicate_not(never_before))

    def build(
        self,
        chunk: Chunk,
        channel: str,
        sequence: int,
        claimable: frozenset[int] = frozenset(),
    ) -> SignedTx:
        """The chunk's payments (claimable balances for the offsets in ``claimable``) as a
        transaction of ``channel`` at ``sequence``, signed by the validators (``signing``):
        they are the signers of the channel as of the treasury."""
        tx_hash, tx_bytes = self.transaction(chunk, channel, sequence, claimable)
        what = ChunkToSign(
            chunk.plan_id,
            chunk.index,
            channel,
            sequence,
            tuple(sorted(claimable)),
            self.base_fee,
        )
        signatures = self.signing.signatures(tx_hash, what)
        packer = Packer()
        packer.pack_uint(len(signatures))
        for signature in signatures:
            signature.to_xdr_object().pack(packer)
        envelope = base64.b64encode(_TX_TYPE + tx_bytes + packer.get_buffer()).decode()
        return SignedTx(tx_hash.hex(), envelope, sequence)

    def transaction(
        self,
        chunk: Chunk,
        channel: str,
        sequence: int,
        claimable: frozenset[int] = frozenset(),
        fee: int | None = None,
    ) -> tuple[bytes, bytes]:
        """(hash, XDR) of the unsigned transaction ``build`` signs (at ``fee`` per
        operation, default the builder's): what another validator rebuilds to check."""
        if not 0 < len(chunk.payouts) <= MAX_OPS:
            raise ValueError(f"a chunk holds 1..{MAX_OPS} payouts")
        operations = [
            self._claimable(p) if offset in claimable else self._payment(p)
            for offset, p in enumerate(chunk.payouts)
        ]
        tx = x.Transaction(
            MuxedAccount(channel).to_xdr_object(),
            x.Uint32((self.base_fee if fee is None else fee) * len(operations)),
            x.SequenceNumber(x.Int64(sequence)),
            _NO_TIME_BOUNDS,
            HashMemo(chunk.memo_hash).to_xdr_object(),
            operations,
            x.TransactionExt(0),
        )
        tx_bytes = tx.to_xdr_bytes()
        return hashlib.sha256(self._network_id + _TX_TYPE + tx_bytes).digest(), tx_bytes

    def _payment(self, p: Payout) -> x.Operation:
        body = x.OperationBody(
            x.OperationType.PAYMENT,
            payment_op=x.PaymentOp(_muxed(p.account), _asset_xdr(p.asset), x.Int64(p.amount)),
        )
        source = self._treasury_xdr if p.source is None else _muxed(p.source)
        return x.Operation(source, body)

    def _claimable(self, p: Payout) -> x.Operation:
        """Claimable by the payee, or by the treasury after ``RECLAIM_AFTER_SECONDS``."""
        op = CreateClaimableBalance(
            sdk_asset(p.asset),
            format_amount(p.amount),
            [Claimant(p.account), self._reclaim],
            source=p.source or self.treasury,
        )
        return op.to_xdr_object()
