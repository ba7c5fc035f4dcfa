"""Receipt values. Pure data: no I/O, no clock.

A receipt is a signed, cumulative counter of one *stream*: (kind, signer, counterparty,
content, session). Its ``amount`` is the total since the session started, like a
payment-channel balance, so a newer receipt supersedes the older ones of its stream.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

PROTOCOL_VERSION = 1
WINDOW_SECONDS = 60  # canonical time windows: [window_start, window_start + 60)
MAX_U63 = 2**63 - 1  # every integer fits PostgreSQL BIGINT and Stellar's int64
SESSION_BYTES = 16
KEY_BYTES = 32
SIGNATURE_BYTES = 64
CONTENT_LENGTHS = (20, 32)  # BitTorrent v1 (SHA-1) or v2 (SHA-256) infohash
NO_COUNTERPARTY = bytes(KEY_BYTES)


class Kind(IntEnum):
    BANDWIDTH = 1  # downloader (signer) attests an uploader (counterparty) delivered bytes
    VIEWING = 2  # viewer (signer) attests watching content for seconds
    CDN = 3  # CDN edge operator (signer) attests bytes served to a viewer (counterparty)

    # Looked up by value: the ingest path reads these for every receipt, and a member
    # attribute read through the enum class costs more than the tuple index.
    @property
    def wire_name(self) -> str:
        return _WIRE_NAMES[self._value_]

    @property
    def counterparty_field(self) -> str | None:
        return _COUNTERPARTY_FIELDS[self._value_]

    @property
    def amount_field(self) -> str:
        return _AMOUNT_FIELDS[self._value_]


# indexed by Kind value (index 0 unused)
_WIRE_NAMES = ("", "bandwidth", "viewing", "cdn")
_COUNTERPARTY_FIELDS = (None, "uploader", None, "viewer")
_AMOUNT_FIELDS = ("", "bytes", "seconds", "bytes")


KINDS_BY_WIRE_NAME = {k.wire_name: k for k in Kind}


class ReceiptError(Exception):
    """A receipt is invalid. ``reason`` is the stable code returned to peers."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Receipt:
    """The signed content of a receipt. Keys are raw 32-byte ed25519 public keys."""

    kind: Kind
    signer: bytes
    seq: int
    session: bytes
    started_at: int
    window_start: int
    counterparty: bytes  # NO_COUNTERPARTY for viewing receipts
    content: bytes
    amount: int
    version: int = PROTOCOL_VERSION

    @property
    def window_end(self) -> int:
        return self.window_start + WINDOW_SECONDS


@dataclass(frozen=True, slots=True)
class SignedReceipt:
    receipt: Receipt
    signature: bytes
    id: bytes  # SHA-256 of the signed bytes (see signing.signing_payload)
    body: bytes  # the canonical body bytes the id covers
