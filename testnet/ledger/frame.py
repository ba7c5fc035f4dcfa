"""A decoded transaction envelope: hashes, sources, fee bid, operations, signatures."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from stellar_sdk import xdr as x

from servicelayer.errors import InvalidInput
from testnet.ledger.codec import muxed_str
from testnet.ledger.decoding import decode_v1

_ENV = x.EnvelopeType
_TX_TAG = _ENV.ENVELOPE_TYPE_TX.to_xdr_bytes()


def network_id(passphrase: str) -> bytes:
    return hashlib.sha256(passphrase.encode()).digest()


def _payload_hash(net_id: bytes, tagged: x.TransactionSignaturePayloadTaggedTransaction) -> bytes:
    payload = x.TransactionSignaturePayload(x.Hash(net_id), tagged)
    return hashlib.sha256(payload.to_xdr_bytes()).digest()


@dataclass(frozen=True, slots=True)
class TxFrame:
    envelope_xdr: str
    hash: bytes
    inner_hash: bytes
    tx: x.Transaction
    signatures: list[x.DecoratedSignature]
    fee_bump: x.FeeBumpTransaction | None
    fee_bump_signatures: list[x.DecoratedSignature]
    source: str
    fee_source: str
    hash_hex: str
    # ed25519 verifications by (signed hash, signature index, key): the checks at
    # submission and again at close ask the same questions
    verified: dict[tuple[bytes, int, str], bool] = field(default_factory=dict, compare=False)

    @property
    def seq_num(self) -> int:
        return self.tx.seq_num.sequence_number.int64

    @property
    def operations(self) -> list[x.Operation]:
        return self.tx.operations

    @property
    def inner_fee_bid(self) -> int:
        return self.tx.fee.uint32

    @property
    def fee_bid(self) -> int:
        """The fee the fee source offers: the outer fee of a fee bump."""
        return self.fee_bump.fee.int64 if self.fee_bump else self.tx.fee.uint32

    @property
    def charged_op_count(self) -> int:
        return len(self.operations) + (1 if self.fee_bump else 0)

    def fee_to_charge(self, base_fee: int) -> int:
        """stellar-core getFee when applying without surge pricing."""
        return min(self.fee_bid, base_fee * max(1, self.charged_op_count))

    @property
    def time_bounds(self) -> tuple[int, int] | None:
        tb = self.tx.cond.time_bounds
        if tb is None and self.tx.cond.v2 is not None:
            tb = self.tx.cond.v2.time_bounds
        if tb is None:
            return None
        return tb.min_time.time_point.uint64, tb.max_time.time_point.uint64

    @property
    def preconditions(self) -> x.PreconditionsV2 | None:
        return self.tx.cond.v2

    @property
    def ledger_bounds(self) -> tuple[int, int] | None:
        v2 = self.tx.cond.v2
        if v2 is None or v2.ledger_bounds is None:
            return None
        return v2.ledger_bounds.min_ledger.uint32, v2.ledger_bounds.max_ledger.uint32

    def op_source(self, op: x.Operation) -> str:
        return muxed_str(op.source_account) if op.source_account else self.source


def _decode(envelope_xdr: str) -> x.TransactionEnvelope:
    try:
        return x.TransactionEnvelope.from_xdr(envelope_xdr)
    except Exception as exc:  # the XDR unpacker raises assorted errors on garbage
        raise InvalidInput(
            "the transaction envelope could not be decoded", code="transaction_malformed"
        ) from exc


def _tx_hash(net_id: bytes, tx: x.Transaction) -> bytes:
    tagged = x.TransactionSignaturePayloadTaggedTransaction(_ENV.ENVELOPE_TYPE_TX, tx=tx)
    return _payload_hash(net_id, tagged)


def _fee_bump_frame(envelope_xdr: str, env: x.FeeBumpTransactionEnvelope, net_id: bytes) -> TxFrame:
    fee_bump = env.tx
    inner = fee_bump.inner_tx.v1
    assert inner is not None  # the XDR union has no other arm
    outer_hash = _payload_hash(
        net_id,
        x.TransactionSignaturePayloadTaggedTransaction(
            _ENV.ENVELOPE_TYPE_TX_FEE_BUMP, fee_bump=fee_bump
        ),
    )
    return TxFrame(
        envelope_xdr,
        outer_hash,
        _tx_hash(net_id, inner.tx),
        inner.tx,
        inner.signatures,
        fee_bump,
        env.signatures,
        muxed_str(inner.tx.source_account),
        muxed_str(fee_bump.fee_source),
        outer_hash.hex(),
    )


def _v1_frame(
    envelope_xdr: str, tx: x.Transaction, signatures: list[x.DecoratedSignature], tx_hash: bytes
) -> TxFrame:
    source = muxed_str(tx.source_account)
    return TxFrame(
        envelope_xdr, tx_hash, tx_hash, tx, signatures, None, [], source, source, tx_hash.hex()
    )


def parse_envelope(envelope_xdr: str, net_id: bytes) -> TxFrame:
    """Decodes a base64 TransactionEnvelope; InvalidInput(transaction_malformed) if it isn't.

    Hashes are stellar-core's: SHA-256 of the TransactionSignaturePayload (network id +
    tagged transaction), the same bytes every signature signs. A v1 envelope is decoded
    by :func:`decode_v1` (its hash from the transaction's own bytes); anything that
    path does not take goes through stellar_sdk's decoder, which also names the errors.
    """
    fast = decode_v1(envelope_xdr)
    if fast is not None:
        tx, signatures, tx_bytes = fast
        tx_hash = hashlib.sha256(net_id + _TX_TAG + tx_bytes).digest()
        return _v1_frame(envelope_xdr, tx, signatures, tx_hash)
    envelope = _decode(envelope_xdr)
    if envelope.type == _ENV.ENVELOPE_TYPE_TX and envelope.v1 is not None:
        tx = envelope.v1.tx
        return _v1_frame(envelope_xdr, tx, envelope.v1.signatures, _tx_hash(net_id, tx))
    if envelope.type == _ENV.ENVELOPE_TYPE_TX_FEE_BUMP and envelope.fee_bump is not None:
        return _fee_bump_frame(envelope_xdr, envelope.fee_bump, net_id)
    raise InvalidInput(
        "only v1 and fee-bump transaction envelopes are supported", code="transaction_malformed"
    )
