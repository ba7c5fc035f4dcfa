"""The ingestion use case: a batch in, one result per item out, in input order.

Order of work, cheapest first: decode and bounds, network, window and plausibility,
duplicate lookup, signature, then the receipt's (stream, window) slot. A bad item never
blocks the good ones; what is accepted is stored in the caller's single transaction.

Only checks that do not depend on the other receipts' arrival order run here. A slot
keeps the receipt that ranks highest (the highest total; on a tie the higher seq, then
the lower id: ``receipts_repo.ranks_above``), so what a slot holds does not depend on
the order either. The stream rules between windows (sequence, counter, growth, session)
are applied when the epoch closes, over its slots in window order
(``servicelayer.epochs.sealing``); the ``base`` written here is provisional.

Resending is safe: a receipt already stored is a duplicate, and a validly signed one
that its slot's receipt (or, once its epoch is closed, its stream's latest counted
receipt) covers (a higher seq, a window no earlier, a total no lower, the same session)
is superseded; both are success for the peer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from sqlalchemy.orm import Session

from servicelayer.ingest.checks import IngestPolicy, check_stateless, stream_key
from servicelayer.receipts.codec import account_strkey, encode_body, from_wire
from servicelayer.receipts.model import Receipt, ReceiptError
from servicelayer.receipts.signing import receipt_id, verify
from servicelayer.storage import epochs_repo
from servicelayer.storage import receipts_repo as repo
from servicelayer.storage.receipts_repo import AcceptedRow, NewStream, SlotHolder


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
    fresh = _screen(session, items, policy, now, results)
    _fill_slots(session, fresh, now, results)
    return [r for r in results if r is not None]


def admit_batch(
    session: Session, items: list[Any], policy: IngestPolicy, now: int
) -> tuple[list[ItemResult], list[Any]]:
    """A federation validator's ingestion: every check that ``ingest_batch`` makes before
    a receipt's slot, and the items that pass (answered ``accepted``), which the caller
    seals into a batch for the validators to agree on; slots are filled when an agreed
    input set includes the batch (``servicelayer.federation.batches``)."""
    results: list[ItemResult | None] = [None] * len(items)
    fresh = _screen(session, items, policy, now, results)
    for c in fresh:
        results[c.index] = ItemResult(c.rid, ItemStatus.ACCEPTED)
    return [r for r in results if r is not None], [items[c.index] for c in fresh]


def _screen(
    session: Session,
    items: list[Any],
    policy: IngestPolicy,
    now: int,
    results: list[ItemResult | None],
) -> list[_Candidate]:
    """Decode and check ``items``; answers the ones that end here in ``results`` and
    returns the validly signed new receipts of open epochs, one per id."""
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
        _judge_closed(session, closed, open_from, results)
    return fresh


def _judge_closed(
    session: Session, closed: list[_Candidate], open_from: int, results: list[ItemResult | None]
) -> None:
    """Receipts of closed epochs: superseded when their stream's latest counted receipt
    of the closed epochs covers them (also in a window no earlier), else refused.

    A resend after the epoch closed still answers success for what was counted; nothing
    is stored. The signature is checked so that only the signer's own receipts qualify.
    """
    heads = repo.latest_counted(session, sorted({c.key for c in closed}), open_from)
    for c in closed:
        head = heads.get(c.key)
        if (
            head is not None
            and head.window_start >= c.receipt.window_start
            and _covers(head.started_at, head.seq, head.amount, c.receipt)
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


def _fill_slots(
    session: Session,
    fresh: list[_Candidate],
    now: int,
    results: list[ItemResult | None],
) -> None:
    """Offer each receipt to its slot; answer accepted when it holds the slot, superseded
    when the slot's receipt covers it, else the way the slot's receipt contradicts it."""
    if not fresh:
        return
    repo.ensure_streams(session, _new_streams(fresh))
    slots = repo.slots(session, sorted({(c.key, c.receipt.window_start) for c in fresh}))
    best: dict[tuple[bytes, int], _Candidate] = {}
    for c in fresh:
        r = c.receipt
        slot = (c.key, r.window_start)
        other = best.get(slot)
        if other is None or repo.ranks_above(r.amount, r.seq, c.rid, _held(other)):
            best[slot] = c
    rows: list[AcceptedRow] = []
    kept: dict[tuple[bytes, int], SlotHolder] = {}  # slots whose stored receipt stays
    previous: tuple[bytes, int, int] | None = None  # (stream, window, total) just before
    for slot, c in sorted(best.items(), key=lambda item: item[0]):
        stored = slots[slot]
        r = c.receipt
        if stored.holder is not None and not repo.ranks_above(
            r.amount, r.seq, c.rid, stored.holder
        ):
            kept[slot] = stored.holder
            previous = (c.key, r.window_start, stored.holder.amount)
        else:
            # provisional: the total of the stream's previous window, stored or in this batch
            base = 0 if stored.previous is None else stored.previous[1]
            if (
                previous is not None
                and previous[0] == c.key
                and (stored.previous is None or previous[1] >= stored.previous[0])
            ):
                base = previous[2]
            rows.append(
                AcceptedRow(
                    c.key,
                    r.window_start,
                    c.rid,
                    r.seq,
                    r.amount,
                    base,
                    c.signature,
                    now,
                    r.started_at,
                )
            )
            previous = (c.key, r.window_start, r.amount)
    for c in fresh:
        slot = (c.key, c.receipt.window_start)
        holder = kept.get(slot)
        if holder is None:
            if best[slot] is c:
                results[c.index] = ItemResult(c.rid, ItemStatus.ACCEPTED)
                continue
            holder = _held(best[slot])
        if _covers(holder.started_at, holder.seq, holder.amount, c.receipt):
            # restated by the receipt that holds its slot: counted if a peer sent both
            # in one batch, already counted if the holder was stored before
            status = ItemStatus.SUPERSEDED if slot in kept else ItemStatus.ACCEPTED
            results[c.index] = ItemResult(c.rid, status)
        else:
            results[c.index] = _contradicted(c, holder)
    repo.save_accepted(session, rows)


def _contradicted(c: _Candidate, holder: SlotHolder) -> ItemResult:
    """Why a receipt that lost its slot to one that does not restate it is refused."""
    r = c.receipt
    if r.started_at != holder.started_at:
        return _rejected(c.rid, "session_mismatch", "started_at differs from its window's receipt")
    if r.seq > holder.seq:
        return _rejected(
            c.rid, "counter_regressed", f"total {r.amount} < {holder.amount} at a lower sequence"
        )
    return _rejected(
        c.rid, "stale_sequence", f"sequence {r.seq} already signed for a total of {holder.amount}"
    )


def _held(c: _Candidate) -> SlotHolder:
    return SlotHolder(c.rid, c.receipt.seq, c.receipt.amount, c.receipt.started_at)


def _covers(started_at: int, seq: int, amount: int, r: Receipt) -> bool:
    """A receipt restates everything ``r`` states: same session, a higher sequence and a
    total no lower. (The same sequence with other bytes, or a lower sequence with a
    higher total, is a conflict, not a resend.)"""
    return 0 < r.seq < seq and r.started_at == started_at and r.amount <= amount


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
        )
    return list(rows.values())


def _rejected(rid: str | None, reason: str, detail: str) -> ItemResult:
    return ItemResult(rid, ItemStatus.REJECTED, reason, detail or None)
