"""Canonical bytes and the JSON wire form of receipts (docs/protocol.md, "Encoding").

Body layout, version 1, all integers unsigned big-endian:

    u8 version | u8 kind | signer[32] | u64 seq | session[16] | u64 started_at
    | u64 window_start | counterparty[32] | u8 content_len | content[content_len]
    | u64 amount

Decoding is strict: a body that is not exactly this layout is refused, so one receipt
has one encoding and one id.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stellar_sdk import StrKey
from stellar_sdk.exceptions import Ed25519PublicKeyInvalidError

from servicelayer.receipts.model import (
    CONTENT_LENGTHS,
    KEY_BYTES,
    KINDS_BY_WIRE_NAME,
    MAX_U63,
    NO_COUNTERPARTY,
    PROTOCOL_VERSION,
    SESSION_BYTES,
    SIGNATURE_BYTES,
    Kind,
    Receipt,
    ReceiptError,
)

_HEAD = struct.Struct(">BB32sQ16sQQ32sB")
_AMOUNT = struct.Struct(">Q")
_COMMON_FIELDS = frozenset(
    {
        "version",
        "kind",
        "network_id",
        "signer",
        "seq",
        "session",
        "started_at",
        "window_start",
        "content",
        "signature",
        "id",
    }
)


_ALLOWED_FIELDS = {
    kind: _COMMON_FIELDS
    | {kind.amount_field}
    | ({kind.counterparty_field} if kind.counterparty_field else set())
    for kind in Kind
}
# per wire name: (kind, allowed fields, counterparty field, amount field)
_SPECS = {
    kind.wire_name: (kind, _ALLOWED_FIELDS[kind], kind.counterparty_field, kind.amount_field)
    for kind in Kind
}
# hex digits allowed for each binary field
_SESSION, _HASH, _SIGNATURE = (frozenset({2 * n}) for n in (SESSION_BYTES, 32, SIGNATURE_BYTES))
_CONTENT = frozenset(2 * n for n in CONTENT_LENGTHS)


def encode_body(r: Receipt) -> bytes:
    head = _HEAD.pack(
        r.version,
        r.kind,
        r.signer,
        r.seq,
        r.session,
        r.started_at,
        r.window_start,
        r.counterparty,
        len(r.content),
    )
    return head + r.content + _AMOUNT.pack(r.amount)


def decode_body(body: bytes) -> Receipt:
    if len(body) < _HEAD.size:
        raise ReceiptError("malformed", "body too short")
    version, kind, signer, seq, session, started_at, window_start, counterparty, clen = (
        _HEAD.unpack_from(body)
    )
    if version != PROTOCOL_VERSION:
        raise ReceiptError("unsupported_version", f"version {version}")
    if clen not in CONTENT_LENGTHS or len(body) != _HEAD.size + clen + _AMOUNT.size:
        raise ReceiptError("malformed", "bad content length or trailing bytes")
    if kind not in Kind._value2member_map_:
        raise ReceiptError("unknown_kind", f"kind {kind}")
    content = body[_HEAD.size : _HEAD.size + clen]
    (amount,) = _AMOUNT.unpack_from(body, _HEAD.size + clen)
    return Receipt(
        Kind(kind),
        signer,
        seq,
        session,
        started_at,
        window_start,
        counterparty,
        content,
        amount,
        version,
    )


@dataclass(frozen=True, slots=True)
class WireReceipt:
    """A receipt as decoded from JSON, before any check against the node's state."""

    receipt: Receipt
    network_id: bytes
    signature: bytes
    claimed_id: bytes | None


def to_wire(
    r: Receipt, net_id: bytes, signature: bytes, rid: bytes | None = None
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "version": r.version,
        "kind": r.kind.wire_name,
        "network_id": net_id.hex(),
        "signer": _strkey(r.signer),
        "seq": r.seq,
        "session": r.session.hex(),
        "started_at": r.started_at,
        "window_start": r.window_start,
    }
    if r.kind.counterparty_field:
        out[r.kind.counterparty_field] = _strkey(r.counterparty)
    out["content"] = r.content.hex()
    out[r.kind.amount_field] = r.amount
    out["signature"] = signature.hex()
    if rid is not None:
        out["id"] = rid.hex()
    return out


def from_wire(obj: Any) -> WireReceipt:
    """Decode and bound-check one JSON receipt; raises ReceiptError with a stable reason."""
    if not isinstance(obj, dict):
        raise ReceiptError("malformed", "a receipt must be a JSON object")
    version = obj.get("version")
    if type(version) is not int:
        raise ReceiptError("malformed", "version must be an integer")
    if version != PROTOCOL_VERSION:
        raise ReceiptError("unsupported_version", f"version {version} (this node speaks 1)")
    name = obj.get("kind")
    if type(name) is not str:
        raise ReceiptError("malformed", "kind must be a string")
    spec = _SPECS.get(name)
    if spec is None:
        raise ReceiptError("unknown_kind", f"kind must be one of {sorted(KINDS_BY_WIRE_NAME)}")
    kind, allowed, cp_field, amount_field = spec
    if not allowed.issuperset(obj):
        raise ReceiptError("unknown_field", f"unexpected fields {sorted(set(obj) - allowed)}")
    claimed = obj.get("id")
    receipt = Receipt(
        kind,
        _account(obj, "signer"),
        _int(obj, "seq", 1),
        _hex(obj, "session", _SESSION),
        _int(obj, "started_at"),
        _int(obj, "window_start"),
        NO_COUNTERPARTY if cp_field is None else _account(obj, cp_field),
        _hex(obj, "content", _CONTENT),
        _int(obj, amount_field, 1),
    )
    return WireReceipt(
        receipt,
        _hex(obj, "network_id", _HASH),
        _hex(obj, "signature", _SIGNATURE),
        None if claimed is None else _hex(obj, "id", _HASH),
    )


def _int(obj: dict[str, Any], name: str, minimum: int = 0) -> int:
    value = obj.get(name)
    if type(value) is not int:
        raise ReceiptError("malformed", f"{name} must be an integer")
    if not minimum <= value <= MAX_U63:
        raise ReceiptError("out_of_bounds", f"{name} must be in [{minimum}, 2^63-1]")
    return value


def _hex(obj: dict[str, Any], name: str, digits: frozenset[int]) -> bytes:
    """Exactly one of ``digits`` hex digits, nothing else (``fromhex`` would skip spaces)."""
    value = obj.get(name)
    if type(value) is str and len(value) in digits:
        try:
            raw = bytes.fromhex(value)
        except ValueError:
            raw = b""
        if len(raw) * 2 == len(value):
            return raw
        raise ReceiptError("malformed", f"{name} is not hex")
    sizes = " or ".join(str(n) for n in sorted(digits))
    raise ReceiptError("malformed", f"{name} must be {sizes} hex digits")


def _account(obj: dict[str, Any], name: str) -> bytes:
    value = obj.get(name)
    if not isinstance(value, str):
        raise ReceiptError("malformed", f"{name} must be a Stellar account (G...)")
    key = _decode_account(value)
    if key is None:
        raise ReceiptError("malformed", f"{name} is not a valid Stellar account (G...)")
    return key


@lru_cache(maxsize=65536)
def _decode_account(value: str) -> bytes | None:
    try:
        key = StrKey.decode_ed25519_public_key(value)
    except (Ed25519PublicKeyInvalidError, ValueError, TypeError):
        return None
    return key if len(key) == KEY_BYTES else None


@lru_cache(maxsize=65536)
def _strkey(key: bytes) -> str:
    return StrKey.encode_ed25519_public_key(key)


def account_strkey(key: bytes) -> str:
    """The G... form of a raw ed25519 public key."""
    return _strkey(key)
