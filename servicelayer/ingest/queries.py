"""Read use cases over stored receipts: one receipt, and usage per account and epoch."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session
from stellar_sdk import StrKey

from servicelayer.epochs import epoch_bounds, epoch_of
from servicelayer.errors import InvalidInput, InvariantViolation, NotFound
from servicelayer.receipts.codec import encode_body, to_wire
from servicelayer.receipts.model import NO_COUNTERPARTY, Kind, Receipt
from servicelayer.receipts.signing import receipt_id
from servicelayer.storage import receipts_repo as repo
from servicelayer.storage.receipts_repo import ReceiptRecord


@dataclass(frozen=True, slots=True)
class StoredReceiptView:
    wire: dict[str, Any]
    epoch: int
    window_start: int
    added: int
    received_at: int


@dataclass(frozen=True, slots=True)
class Usage:
    account: str
    epoch: int
    start: int
    end: int
    uploaded_bytes: int
    downloaded_bytes: int
    viewing_seconds: int
    cdn_served_bytes: int
    cdn_received_bytes: int
    receipts: int


def get_receipt(session: Session, rid: str, net_id: bytes, epoch_seconds: int) -> StoredReceiptView:
    record = repo.get_receipt(session, rid.lower())
    if record is None:
        raise NotFound(f"no stored receipt {rid} (unknown, or superseded by a newer total)")
    receipt = rebuild(record)
    if receipt_id(net_id, encode_body(receipt)).hex() != record.receipt_id:
        raise InvariantViolation(f"stored receipt {record.receipt_id} does not hash to its id")
    return StoredReceiptView(
        wire=to_wire(receipt, net_id, record.signature, bytes.fromhex(record.receipt_id)),
        epoch=epoch_of(record.window_start, epoch_seconds),
        window_start=record.window_start,
        added=record.amount - record.base,
        received_at=record.received_at,
    )


def rebuild(record: ReceiptRecord) -> Receipt:
    """The signed receipt a stored row stands for."""
    counterparty = (
        NO_COUNTERPARTY
        if record.counterparty is None
        else StrKey.decode_ed25519_public_key(record.counterparty)
    )
    return Receipt(
        kind=Kind(record.kind),
        signer=StrKey.decode_ed25519_public_key(record.signer),
        seq=record.seq,
        session=bytes.fromhex(record.session),
        started_at=record.started_at,
        window_start=record.window_start,
        counterparty=counterparty,
        content=bytes.fromhex(record.content),
        amount=record.amount,
    )


def usage(session: Session, account: str, epoch: int, epoch_seconds: int) -> Usage:
    if not StrKey.is_valid_ed25519_public_key(account):
        raise InvalidInput(f"not a Stellar account: {account!r}", code="invalid_account")
    if epoch < 0:
        raise InvalidInput("epoch must be >= 0", code="invalid_epoch")
    start, end = epoch_bounds(epoch, epoch_seconds)
    totals = repo.usage_totals(session, account, start, end)

    def added(kind: Kind, role: str) -> int:
        return totals.get((int(kind), role), (0, 0))[0]

    return Usage(
        account=account,
        epoch=epoch,
        start=start,
        end=end,
        uploaded_bytes=added(Kind.BANDWIDTH, "counterparty"),
        downloaded_bytes=added(Kind.BANDWIDTH, "signer"),
        viewing_seconds=added(Kind.VIEWING, "signer"),
        cdn_served_bytes=added(Kind.CDN, "signer"),
        cdn_received_bytes=added(Kind.CDN, "counterparty"),
        receipts=sum(count for _, count in totals.values()),
    )
