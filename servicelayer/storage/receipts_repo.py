"""Queries over receipts and their streams. Services call these; nothing else writes SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from servicelayer.storage.models import ReceiptStream, StoredReceipt

_CHUNK = 500  # keeps IN (...) lists and parameter counts small on every backend
_UPDATED_ON_CONFLICT = ("receipt_id", "seq", "amount", "signature", "received_at")


@dataclass(slots=True)
class StreamHead:
    """The latest accepted receipt of a stream (seq 0 means "none yet")."""

    started_at: int
    seq: int
    amount: int
    base: int
    window_start: int


@dataclass(frozen=True, slots=True)
class ReceiptRecord:
    """A stored receipt joined with its stream: enough to rebuild the signed receipt."""

    receipt_id: str
    kind: int
    signer: str
    counterparty: str | None
    content: str
    session: str
    started_at: int
    window_start: int
    seq: int
    amount: int
    base: int
    signature: bytes
    received_at: int


def _insert(session: Session, table: Any) -> Any:
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def existing_ids(session: Session, ids: Sequence[str]) -> set[str]:
    found: set[str] = set()
    col = StoredReceipt.receipt_id
    for chunk in _chunks(ids):
        found.update(session.scalars(select(col).where(col.in_(chunk))))
    return found


def lock_streams(session: Session, streams: Sequence[dict[str, Any]]) -> dict[bytes, StreamHead]:
    """Create missing streams, then lock every stream of the batch (in key order).

    ``streams`` are ``receipt_streams`` rows without their head columns.
    """
    if not streams:
        return {}
    empty = {"head_seq": 0, "head_amount": 0, "head_base": 0, "head_window_start": 0}
    rows = sorted(({**s, **empty} for s in streams), key=lambda r: r["key"])
    stmt = _insert(session, ReceiptStream.__table__).on_conflict_do_nothing(index_elements=["key"])
    session.execute(stmt, rows)
    t = ReceiptStream
    cols = (t.key, t.started_at, t.head_seq, t.head_amount, t.head_base, t.head_window_start)
    heads: dict[bytes, StreamHead] = {}
    for chunk in _chunks([r["key"] for r in rows]):
        query = select(*cols).where(t.key.in_(chunk)).order_by(t.key).with_for_update()
        for key, started, seq, amount, base, window in session.execute(query):
            heads[key] = StreamHead(started, seq, amount, base, window)
    return heads


def save_accepted(
    session: Session, receipts: Sequence[dict[str, Any]], heads: dict[bytes, StreamHead]
) -> None:
    """Store the accepted receipts (one row per stream and window) and the new heads."""
    if not receipts:
        return
    stmt = _insert(session, StoredReceipt.__table__)
    stmt = stmt.on_conflict_do_update(
        index_elements=["stream_key", "window_start"],
        set_={c: stmt.excluded[c] for c in _UPDATED_ON_CONFLICT},
    )
    session.execute(stmt, list(receipts))
    t = cast(Table, ReceiptStream.__table__)
    session.execute(
        update(t).where(t.c.key == bindparam("k")),
        [
            {
                "k": key,
                "head_seq": h.seq,
                "head_amount": h.amount,
                "head_base": h.base,
                "head_window_start": h.window_start,
            }
            for key, h in sorted(heads.items())
        ],
    )


def _record_columns() -> tuple[Any, ...]:
    s, r = ReceiptStream, StoredReceipt
    return (
        r.receipt_id,
        s.kind,
        s.signer,
        s.counterparty,
        s.content,
        s.session,
        s.started_at,
        r.window_start,
        r.seq,
        r.amount,
        r.base,
        r.signature,
        r.received_at,
    )


def get_receipt(session: Session, receipt_id: str) -> ReceiptRecord | None:
    query = (
        select(*_record_columns())
        .join(ReceiptStream, ReceiptStream.key == StoredReceipt.stream_key)
        .where(StoredReceipt.receipt_id == receipt_id)
    )
    row = session.execute(query).one_or_none()
    return None if row is None else ReceiptRecord(*row)


def usage_totals(
    session: Session, account: str, window_from: int, window_to: int
) -> dict[tuple[int, str], tuple[int, int]]:
    """Sum of what windows in [window_from, window_to) add, per (kind, role).

    Role is ``signer`` or ``counterparty``; values are (amount added, receipts counted).
    """
    s, r = ReceiptStream, StoredReceipt
    in_range = (r.window_start >= window_from, r.window_start < window_to)
    out: dict[tuple[int, str], tuple[int, int]] = {}
    for role, column in (("signer", s.signer), ("counterparty", s.counterparty)):
        query = (
            select(s.kind, func.coalesce(func.sum(r.amount - r.base), 0), func.count())
            .join(s, s.key == r.stream_key)
            .where(column == account, *in_range)
            .group_by(s.kind)
        )
        for kind, added, count in session.execute(query):
            out[(kind, role)] = (int(added), int(count))
    return out
