"""Queries over receipts and their streams. Services call these; nothing else writes SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from servicelayer.storage.models import ReceiptStream, StoredReceipt

_CHUNK = 500  # keeps IN (...) lists and parameter counts small on every backend


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


# The ingest path's statements, as driver SQL. Each batch of 1,000 receipts runs them
# once or twice; through Core's compiled statements the per-row parameter processing
# cost more than SQLite's own work. The SQL is the same on SQLite and PostgreSQL but
# for the placeholder ({p}); rows are plain tuples in the column order below.
_STREAMS, _RECEIPTS = ReceiptStream.__tablename__, StoredReceipt.__tablename__
_HEAD = "started_at, head_seq, head_amount, head_base, head_window_start"
_INSERT_STREAMS = (
    f'INSERT INTO {_STREAMS} ("key", kind, signer, counterparty, content, session, started_at,'
    " head_seq, head_amount, head_base, head_window_start)"
    " VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, 0, 0, 0, 0)"
    ' ON CONFLICT ("key") DO NOTHING'
)
_SELECT_HEADS = f'SELECT "key", {_HEAD} FROM {_STREAMS} WHERE "key" IN ({{many}}) ORDER BY "key"'
_UPDATE_HEADS = (
    f"UPDATE {_STREAMS} SET head_seq = {{p}}, head_amount = {{p}}, head_base = {{p}},"
    f' head_window_start = {{p}} WHERE "key" = {{p}}'
)
_UPSERT_RECEIPTS = (
    f"INSERT INTO {_RECEIPTS} (stream_key, window_start, receipt_id, seq, amount, base,"
    " signature, received_at) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
    " ON CONFLICT (stream_key, window_start) DO UPDATE SET receipt_id = excluded.receipt_id,"
    " seq = excluded.seq, amount = excluded.amount, signature = excluded.signature,"
    " received_at = excluded.received_at"
)
_SELECT_IDS = f"SELECT receipt_id FROM {_RECEIPTS} WHERE receipt_id IN ({{many}})"


class NewStream(NamedTuple):
    """A ``receipt_streams`` row without its head (a new stream's head is all zeros)."""

    key: bytes
    kind: int
    signer: str
    counterparty: str | None
    content: str
    session: str
    started_at: int


class AcceptedRow(NamedTuple):
    """A ``receipts`` row: the latest receipt of a stream in one window."""

    stream_key: bytes
    window_start: int
    receipt_id: str
    seq: int
    amount: int
    base: int
    signature: bytes
    received_at: int


def _driver(session: Session) -> tuple[Connection, str, bool]:
    """The session's connection, its placeholder, and whether it is PostgreSQL."""
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    return conn, "%s" if postgres else "?", postgres


@lru_cache(maxsize=32)
def _sql(template: str, mark: str, many: int = 0) -> str:
    return template.format(p=mark, many=", ".join([mark] * many))


def _chunks(items: Sequence[Any]) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), _CHUNK):
        yield items[i : i + _CHUNK]


def existing_ids(session: Session, ids: Sequence[str]) -> set[str]:
    conn, mark, _ = _driver(session)
    found: set[str] = set()
    for chunk in _chunks(ids):
        rows = conn.exec_driver_sql(_sql(_SELECT_IDS, mark, len(chunk)), tuple(chunk))
        found.update(rid for (rid,) in rows)
    return found


def lock_streams(session: Session, streams: Sequence[NewStream]) -> dict[bytes, StreamHead]:
    """Create missing streams, then lock every stream of the batch (in key order)."""
    if not streams:
        return {}
    conn, mark, postgres = _driver(session)
    rows = sorted(streams, key=lambda r: r.key)  # two writers lock in the same order
    conn.exec_driver_sql(_sql(_INSERT_STREAMS, mark), rows)
    return _select_heads(conn, mark, [r.key for r in rows], " FOR UPDATE" if postgres else "")


def stream_heads(session: Session, keys: Sequence[bytes]) -> dict[bytes, StreamHead]:
    """The heads of the streams that exist among ``keys``, read without a lock."""
    conn, mark, _ = _driver(session)
    return _select_heads(conn, mark, keys, "")


def _select_heads(
    conn: Connection, mark: str, keys: Sequence[bytes], suffix: str
) -> dict[bytes, StreamHead]:
    heads: dict[bytes, StreamHead] = {}
    for chunk in _chunks(keys):
        sql = _sql(_SELECT_HEADS, mark, len(chunk)) + suffix
        for key, started, seq, amount, base, window in conn.exec_driver_sql(sql, tuple(chunk)):
            heads[key] = StreamHead(started, seq, amount, base, window)
    return heads


def save_accepted(
    session: Session, receipts: Sequence[AcceptedRow], heads: dict[bytes, StreamHead]
) -> None:
    """Store the accepted receipts (one row per stream and window) and the new heads."""
    if not receipts:
        return
    conn, mark, _ = _driver(session)
    conn.exec_driver_sql(_sql(_UPSERT_RECEIPTS, mark), list(receipts))
    conn.exec_driver_sql(
        _sql(_UPDATE_HEADS, mark),
        [(h.seq, h.amount, h.base, h.window_start, key) for key, h in sorted(heads.items())],
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


def count_in_windows(session: Session, window_from: int, window_to: int) -> int:
    """Stored receipts (one per stream and window) with windows in [window_from, window_to)."""
    r = StoredReceipt
    query = select(func.count()).where(r.window_start >= window_from, r.window_start < window_to)
    return int(session.scalar(query) or 0)


def earliest_window(session: Session) -> int | None:
    return session.scalar(select(func.min(StoredReceipt.window_start)))


def records_in_windows(session: Session, window_from: int, window_to: int) -> list[ReceiptRecord]:
    """Every stored receipt with its stream, windows in [window_from, window_to), by id."""
    query = (
        select(*_record_columns())
        .join(ReceiptStream, ReceiptStream.key == StoredReceipt.stream_key)
        .where(StoredReceipt.window_start >= window_from, StoredReceipt.window_start < window_to)
        .order_by(StoredReceipt.receipt_id)
    )
    return [ReceiptRecord(*row) for row in session.execute(query)]


def ids_of_account(session: Session, account: str, window_from: int, window_to: int) -> set[str]:
    """Ids of stored receipts in the windows that ``account`` signed or is named in."""
    s, r = ReceiptStream, StoredReceipt
    query = (
        select(r.receipt_id)
        .join(s, s.key == r.stream_key)
        .where((s.signer == account) | (s.counterparty == account))
        .where(r.window_start >= window_from, r.window_start < window_to)
    )
    return set(session.scalars(query))
