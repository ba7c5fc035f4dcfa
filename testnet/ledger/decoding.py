"""Decoding v1 transaction envelopes, with a fast path for payment operations.

stellar_sdk's generated decoder builds every value through an enum lookup and a
class per XDR type; for a 100-payment settlement transaction that was the largest
single cost of the ledger. Here a payment operation (an ed25519 destination, a native or
alphanumeric asset) is read with ``struct`` and built from cached account and asset
objects, equal to what stellar_sdk decodes (a unit test compares them); every other
part of the envelope, and any operation not of that shape, goes through stellar_sdk's
own ``unpack`` at the same position. A result of None means "use stellar_sdk for the
whole envelope" (a fee bump, a v0 envelope, or bytes that do not decode).
"""

from __future__ import annotations

import base64
import binascii
import struct
from functools import lru_cache

from stellar_sdk import xdr as x
from xdrlib3 import Unpacker

_U32 = struct.Struct(">I")
_I64 = struct.Struct(">q")
_ENVELOPE_TYPE_TX = x.EnvelopeType.ENVELOPE_TYPE_TX.value
_KEY_ED25519 = x.CryptoKeyType.KEY_TYPE_ED25519
_PAYMENT = x.OperationType.PAYMENT
_PAYMENT_TYPE = _PAYMENT.value
# asset type -> encoded length: native, alphanum4 (code + account id), alphanum12
_ASSET_LENGTHS = {0: 4, 1: 4 + 4 + 36, 2: 4 + 12 + 36}

V1 = tuple[x.Transaction, list[x.DecoratedSignature], bytes]


@lru_cache(maxsize=65_536)
def _muxed(raw: bytes) -> x.MuxedAccount:
    return x.MuxedAccount(_KEY_ED25519, ed25519=x.Uint256(raw))


@lru_cache(maxsize=1024)
def _asset(raw: bytes) -> x.Asset:
    return x.Asset.from_xdr_bytes(raw)


def _payment(buf: bytes, pos: int) -> tuple[x.Operation, int] | None:
    """An operation at ``pos`` if it is a plain payment, with the position after it."""
    end = len(buf)
    has_source = _U32.unpack_from(buf, pos)[0]
    pos += 4
    source = None
    if has_source == 1:
        if pos + 36 > end or _U32.unpack_from(buf, pos)[0] != 0:
            return None
        source = _muxed(buf[pos + 4 : pos + 36])
        pos += 36
    elif has_source != 0:
        return None
    if pos + 44 > end or _U32.unpack_from(buf, pos)[0] != _PAYMENT_TYPE:
        return None
    if _U32.unpack_from(buf, pos + 4)[0] != 0:  # a multiplexed destination
        return None
    destination = _muxed(buf[pos + 8 : pos + 40])
    pos += 40
    length = _ASSET_LENGTHS.get(_U32.unpack_from(buf, pos)[0])
    if length is None or pos + length + 8 > end:
        return None
    asset = _asset(buf[pos : pos + length])
    pos += length
    amount = x.Int64(_I64.unpack_from(buf, pos)[0])
    body = x.OperationBody(_PAYMENT, payment_op=x.PaymentOp(destination, asset, amount))
    return x.Operation(source, body), pos + 8


def _operations(buf: bytes, unpacker: Unpacker) -> list[x.Operation]:
    count = unpacker.unpack_uint()
    pos = unpacker.get_position()
    if len(buf) - pos < count:
        raise ValueError(f"operations length {count} exceeds remaining input length")
    operations = []
    for _ in range(count):
        fast = _payment(buf, pos)
        if fast is None:
            unpacker.set_position(pos)
            operations.append(x.Operation.unpack(unpacker))
            pos = unpacker.get_position()
        else:
            operations.append(fast[0])
            pos = fast[1]
    unpacker.set_position(pos)
    return operations


def _transaction(buf: bytes, unpacker: Unpacker) -> x.Transaction:
    source = x.MuxedAccount.unpack(unpacker)
    fee = x.Uint32.unpack(unpacker)
    seq_num = x.SequenceNumber.unpack(unpacker)
    cond = x.Preconditions.unpack(unpacker)
    memo = x.Memo.unpack(unpacker)
    operations = _operations(buf, unpacker)
    ext = x.TransactionExt.unpack(unpacker)
    return x.Transaction(source, fee, seq_num, cond, memo, operations, ext)


def decode_v1(envelope_xdr: str) -> V1 | None:
    """(transaction, signatures, the transaction's XDR bytes) of a v1 envelope, or None."""
    try:
        buf = base64.b64decode(envelope_xdr.encode())
        if len(buf) < 4 or _U32.unpack_from(buf, 0)[0] != _ENVELOPE_TYPE_TX:
            return None
        unpacker = Unpacker(buf)
        unpacker.set_position(4)
        tx = _transaction(buf, unpacker)
        tx_end = unpacker.get_position()
        count = unpacker.unpack_uint()
        if len(buf) - unpacker.get_position() < count:
            return None
        signatures = [x.DecoratedSignature.unpack(unpacker) for _ in range(count)]
        if unpacker.get_position() != len(buf):
            return None
    except (ValueError, EOFError, struct.error, binascii.Error, UnicodeError):
        return None
    return tx, signatures, buf[4:tx_end]
