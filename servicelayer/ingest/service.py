"""The ingestion use case: a batch in, one result per item out, in input order.

Order of work, cheapest first: decode and bounds, network, window and plausibility,
duplicate lookup, signature, then the stream rules under a row lock. A bad item never
blocks the good ones; what is accepted is stored in the caller's single transaction.

Resending is safe: a receipt already stored is a duplicate, and a validly signed one
that its stream's latest stored receipt covers (a higher seq, a window no earlier, a
total no lower, the same session) is superseded; both are success for the peer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from servicelayer.ingest.checks import IngestPolicy, check_rate, check_stateless, stream_key
from servicelayer.receipts.codec import account_strkey, encode_body, from_wire
from servicelayer.receipts.model import Receipt, ReceiptError
from servicelayer.receipts.signing import receipt_id, verify
from servicelayer.storage import epochs_repo
from servicelayer.storage import receipts_repo as repo
from servicelayer.storage.receipts_repo import AcceptedRow, NewStream, StreamHead


class ItemStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    SUPERSEDED = "superseded"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class ItemResult:
    id: str | None
    status: ItemStatus
    reason: str | None = None
    detail: str | None = None


@dataclass(slots=True)
class _Candidate:
    index: int
    receipt: Receipt
    rid: str
    rid_bytes: bytes
    signature: bytes
    key: bytes


def ingest_batch(
    session: Session, items: list[Any], policy: IngestPolicy, now: int
) -> list[ItemResult]:
    results: list[ItemResult | None] = [None] * len(items)
    epochs_repo.guard_close(session, closing=False)
    last_closed = epochs_repo.last_closed(session)
    open_from = -1 if last_closed is None else (last_closed + 1) * policy.epoch_seconds
    candidates = _decode_all(items, policy, now, results)
    known = repo.existing_ids(session, [c.rid for c in candidates])
    fresh: list[_Candidate] = []
    closed: list[_Candidate] = []
    seen: set[str] = set()
    for c in candidates:
        if c.rid in known or c.rid in seen:
            results[c.index] = ItemResult(c.rid, ItemStatus.DUPLICATE)
        elif c.receipt.window_start < open_from:
            closed.append(c)
        elif not verify(c.receipt.signer, c.rid_bytes, c.signature):
            results[c.index] = _rejected(c.rid, "bad_signature", "not the signer's signature")
        else:
            seen.add(c.rid)
            fresh.append(c)
    if closed:
        _judge_closed(session, closed, results)
    _apply_streams(session, fresh, policy, now, results)
    return [r for r in results if r is not None]


def _judge_closed(
    session: Session, closed: list[_Candidate], results: list[ItemResult | None]
) -> None:
    """Receipts of closed epochs: superseded when a stored receipt covers them, else refused.

    A resend after the epoch closed still answers success for what was counted; nothing
    is stored. The signature is checked so that only the signer's own receipts qualify.
    """
    heads = repo.stream_heads(session, sorted({c.key for c in closed}))
    for c in closed:
        head = heads.get(c.key)
        if (
            head is not None
            and _covers(head, c.receipt)
            and verify(c.receipt.signer, c.rid_bytes, c.signature)
        ):
            results[c.index] = ItemResult(c.rid, ItemStatus.SUPERSEDED)
        else:
            results[c.index] = _rejected(c.rid, "epoch_closed", "the window's epoch is closed")


def _decode_all(
    items: list[Any],
    policy: IngestPolicy,
    now: int,
    results: list[ItemResult | None],
) -> list[_Candidate]:
    out: list[_Candidate] = []
    for index, item in enumerate(items):
        rid: str | None = None
        try:
            wire = from_wire(item)
            rid_bytes = receipt_id(wire.network_id, encode_body(wire.receipt))
            rid = rid_bytes.hex()
            if wire.claimed_id is not None and wire.claimed_id != rid_bytes:
                raise ReceiptError("id_mismatch", "id is not the hash of the signed bytes")
            check_stateless(wire.receipt, wire.network_id, policy, now)
        except ReceiptError as err:
            results[index] = _rejected(rid, err.reason, err.detail)
            continue
        out.append(
            _Candidate(
                index, wire.receipt, rid, rid_bytes, wire.signature, stream_key(wire.receipt)
            )
        )
    return out


def _apply_streams(
    session: Session,
    fresh: list[_Candidate],
    policy: IngestPolicy,
    now: int,
    results: list[ItemResult | None],
) -> None:
    heads = repo.lock_streams(session, _new_streams(fresh))
    rows: dict[tuple[bytes, int], AcceptedRow] = {}
    changed: dict[bytes, StreamHead] = {}
    for c in fresh:
        head = heads[c.key]
        r = c.receipt
        try:
            base = _advance(head, r, policy)
        except ReceiptError as err:
            results[c.index] = _rejected(c.rid, err.reason, err.detail)
            continue
        if base is None:
            results[c.index] = ItemResult(c.rid, ItemStatus.SUPERSEDED)
            continue
        head.seq, head.amount, head.base, head.window_start = r.seq, r.amount, base, r.window_start
        changed[c.key] = head
        rows[(c.key, r.window_start)] = AcceptedRow(
            c.key, r.window_start, c.rid, r.seq, r.amount, base, c.signature, now
        )
        results[c.index] = ItemResult(c.rid, ItemStatus.ACCEPTED)
    repo.save_accepted(session, list(rows.values()), changed)


def _advance(head: StreamHead, r: Receipt, policy: IngestPolicy) -> int | None:
    """Check ``r`` against its stream's head; return the window's base total, or None
    when the head already covers ``r`` (superseded: nothing to store)."""
    if head.seq == 0:
        return 0
    if r.started_at != head.started_at:
        raise ReceiptError("session_mismatch", "started_at differs from the session's")
    if r.seq <= head.seq:
        if _covers(head, r):
            return None
        raise ReceiptError("stale_sequence", f"sequence {r.seq} <= {head.seq} already used")
    if r.window_start < head.window_start:
        raise ReceiptError("window_regressed", "window precedes the stream's latest")
    if r.amount < head.amount:
        raise ReceiptError("counter_regressed", f"total {r.amount} < {head.amount} already signed")
    check_rate(r.kind, r.amount - head.amount, r.window_end - head.window_start, policy)
    return head.base if r.window_start == head.window_start else head.amount


def _covers(head: StreamHead, r: Receipt) -> bool:
    """The stream's latest stored receipt restates everything ``r`` states: same session,
    a higher sequence, a window no earlier and a total no lower. (The same sequence with
    other bytes, or a lower sequence with a higher total, is a conflict, not a resend.)"""
    return (
        0 < r.seq < head.seq
        and r.started_at == head.started_at
        and r.window_start <= head.window_start
        and r.amount <= head.amount
    )


def _new_streams(fresh: list[_Candidate]) -> list[NewStream]:
    rows: dict[bytes, NewStream] = {}
    for c in fresh:
        if c.key in rows:
            continue
        r = c.receipt
        counterparty = None if r.kind.counterparty_field is None else account_strkey(r.counterparty)
        rows[c.key] = NewStream(
            c.key,
            int(r.kind),
            account_strkey(r.signer),
            counterparty,
            r.content.hex(),
            r.session.hex(),
            r.started_at,
        )
    return list(rows.values())


def _rejected(rid: str | None, reason: str, detail: str) -> ItemResult:
    return ItemResult(rid, ItemStatus.REJECTED, reason, detail or None)
