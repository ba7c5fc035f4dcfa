"""The receipt protocol: model, canonical bytes, signing, JSON wire form (docs/protocol.md)."""

from servicelayer.receipts.codec import decode_body, encode_body, from_wire, to_wire
from servicelayer.receipts.model import (
    WINDOW_SECONDS,
    Kind,
    Receipt,
    ReceiptError,
    SignedReceipt,
)
from servicelayer.receipts.signing import network_id, receipt_id, sign, verify

__all__ = [
    "WINDOW_SECONDS",
    "Kind",
    "Receipt",
    "ReceiptError",
    "SignedReceipt",
    "decode_body",
    "encode_body",
    "from_wire",
    "network_id",
    "receipt_id",
    "sign",
    "to_wire",
    "verify",
]
