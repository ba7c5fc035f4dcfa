"""Queries over receipts and their streams. Services call these; nothing else writes SQL."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, NamedTuple

from sqlalchemy import Connection, case, func, select
from sqlalchemy.orm import Session, aliased

from servicelayer.storage.models import ReceiptStream, StoredReceipt

CDN, VIEWING = 3, 2  # receipts.model.Kind (storage does not import the domain model)
_CHUNK = 500  # keeps IN (...) lists and parameter counts small on every backend


@dataclass(frozen=True, slots=True)
class StreamHead:
    """A stream's latest counted receipt."""

    started_at: int
    seq: int
    amount: int
    window_start: int


class SlotHolder(NamedTuple):
    """The receipt that holds a stream's slot in one window."""

    receipt_id: str
    seq: int
    amount: int
    started_at: int


@dataclass(frozen=True, slots=True)
class Slot:
    """A (stream, window) slot as ingestion sees it: its holder, if any, and the stream's
    previous stored window (its start and total: the provisional base), if any."""

    holder: SlotHolder | None
    previous: tuple[int, int] | None


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
    stream_outcome: str | None = None


# The ingest path's statements, as driver SQL. Each batch of 1,000 receipts runs them
# once or twice; through Core's compiled statements the per-row parameter processing
# cost more than SQLite's own work. The SQL is the same on SQLite and PostgreSQL but
# for the placeholder ({p}); rows are plain tuples in the column order below.
_STREAMS, _RECEIPTS = ReceiptStream.__tablename__, StoredReceipt.__tablename__
_INSERT_STREAMS = (
    f'INSERT INTO {_STREAMS} ("key", kind, signer, counterparty, content, session)'
    " VALUES ({p}, {p}, {p}, {p}, {p}, {p})"
    ' ON CONFLICT ("key") DO NOTHING'
)
# Each slot's holder and the stream's previous stored window (its start and total), in
# lookups on the primary key (stream_key, window_start).
_SELECT_SLOTS = (
    "WITH v(k, w) AS (VALUES {pairs}),"
    " q AS (SELECT v.k, v.w, (SELECT MAX(p.window_start)"
    f" FROM {_RECEIPTS} p WHERE p.stream_key = v.k AND p.window_start < v.w"
    " AND p.stream_outcome IS NULL) AS pw FROM v)"
    " SELECT q.k, q.w, h.receipt_id, h.seq, h.amount, h.started_at, q.pw, p.amount"
    f" FROM q LEFT JOIN {_RECEIPTS} h ON h.stream_key = q.k AND h.window_start = q.w"
    f" LEFT JOIN {_RECEIPTS} p ON p.stream_key = q.k AND p.window_start = q.pw"
)
# The slot rule: the highest total; on a tie the higher seq, then the lower id. The
# stored row is replaced only by a receipt that ranks above it, so the slot ends up
# with the same receipt whatever order the receipts arrive in.
_UPSERT_RECEIPTS = (
    f"INSERT INTO {_RECEIPTS} (stream_key, window_start, receipt_id, seq, amount, base,"
    " signature, received_at, started_at)"
    " VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})"
    " ON CONFLICT (stream_key, window_start) DO UPDATE SET receipt_id = excluded.receipt_id,"
    " seq = excluded.seq, amount = excluded.amount, base = excluded.base,"
    " signature = excluded.signature, received_at = excluded.received_at,"
    " started_at = excluded.started_at, stream_outcome = NULL"
    f" WHERE excluded.amount > {_RECEIPTS}.amount OR (excluded.amount = {_RECEIPTS}.amount"
    f" AND (excluded.seq > {_RECEIPTS}.seq OR (excluded.seq = {_RECEIPTS}.seq"
    f" AND excluded.receipt_id < {_RECEIPTS}.receipt_id)))"
)
_SELECT_IDS = f"SELECT receipt_id FROM {_RECEIPTS} WHERE receipt_id IN ({{many}})"
_UPDATE_SEALED = (
    f"UPDATE {_RECEIPTS} SET base = {{p}}, stream_outcome = {{p}}"
    " WHERE stream_key = {p} AND window_start = {p}"
)


def ranks_above(amount: int, seq: int, rid: str, other: SlotHolder) -> bool:
    """The slot rule of ``_UPSERT_RECEIPTS``, in Python. For an honest stream (totals
    that never fall as ``seq`` grows) the highest total is its latest receipt; a signer
    contradicting itself in one window is held to its highest total, which gains it
    nothing it could not sign anyway with a higher ``seq``."""
    if amount != other.amount:
        return amount > other.amount
    if seq != other.seq:
        return seq > other.seq
    return rid < other.receipt_id


class NewStream(NamedTuple):
    """A ``receipt_streams`` row: the stream's identity."""

    key: bytes
    kind: int
    signer: str
    counterparty: str | None
    content: str
    session: str


class AcceptedRow(NamedTuple):
    """A ``receipts`` row: a candidate for its stream's slot in one window."""

    stream_key: bytes
    window_start: int
    receipt_id: str
    seq: int
    amount: int
    base: int
    signature: bytes
    received_at: int
    started_at: int


def _driver(session: Session) -> tuple[Connection, str, bool]:
    """The session's connection, its placeholder, and whether it is PostgreSQL."""
    conn = session.connection()
    postgres = conn.dialect.name == "postgresql"
    return conn, "%s" if postgres else "?", postgres


@lru_cache(maxsize=32)
def _sql(template: str, mark: str, many: int = 0) -> str:
    return template.format(
        p=mark, many=", ".join([mark] * many), pairs=", ".join([f"({mark}, {mark})"] * many)
    )


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


def ensure_streams(session: Session, streams: Sequence[NewStream]) -> None:
    """Create the streams that do not exist yet (in key order, as every writer does)."""
    if not streams:
        return
    conn, mark, _ = _driver(session)
    conn.exec_driver_sql(_sql(_INSERT_STREAMS, mark), sorted(streams, key=lambda r: r.key))


def slots(session: Session, keys: Sequence[tuple[bytes, int]]) -> dict[tuple[bytes, int], Slot]:
    """The (stream key, window start) slots asked for, held or not."""
    conn, mark, postgres = _driver(session)
    out: dict[tuple[bytes, int], Slot] = {}
    for chunk in _chunks(keys):
        sql = _sql(_SELECT_SLOTS, mark, len(chunk))
        if postgres:  # VALUES gives untyped columns; the first row fixes their types
            sql = sql.replace("VALUES (%s, %s)", "VALUES (%s::bytea, %s::bigint)", 1)
        params = tuple(x for pair in chunk for x in pair)
        for row in conn.exec_driver_sql(sql, params).fetchall():
            key, window, rid, seq, amount, started, prev_window, prev_amount = row
            holder = None if rid is None else SlotHolder(rid, seq, amount, started)
            previous = None if prev_window is None else (prev_window, prev_amount)
            out[(bytes(key), window)] = Slot(holder, previous)
    return out


def save_accepted(session: Session, receipts: Sequence[AcceptedRow]) -> None:
    """Offer receipts to their slots; each slot keeps the one that ranks highest."""
    if not receipts:
        return
    conn, mark, _ = _driver(session)
    rows = sorted(receipts, key=lambda r: (r.stream_key, r.window_start))
    conn.exec_driver_sql(_sql(_UPSERT_RECEIPTS, mark), rows)


def latest_counted(session: Session, keys: Sequence[bytes], before: int) -> dict[bytes, StreamHead]:
    """Each stream's latest counted receipt with a window before ``before``."""
    heads: dict[bytes, StreamHead] = {}
    for chunk in _chunks(keys):
        heads.update(_latest_counted(session, list(chunk), before))
    return heads


def _latest_counted(session: Session, keys: Any, before: int) -> dict[bytes, StreamHead]:
    """``latest_counted`` of the streams whose keys ``keys`` (a list or a SELECT) gives:
    the latest window per stream first (a range of the primary key each), then its row."""
    r, p = StoredReceipt, aliased(StoredReceipt)
    latest = (
        select(p.stream_key, func.max(p.window_start).label("window"))
        .where(p.stream_key.in_(keys), p.window_start < before, p.stream_outcome.is_(None))
        .group_by(p.stream_key)
        .subquery()
    )
    query = select(r.stream_key, r.started_at, r.seq, r.amount, r.window_start).join(
        latest, (r.stream_key == latest.c.stream_key) & (r.window_start == latest.c.window)
    )
    return {
        key: StreamHead(started, seq, amount, window)
        for key, started, seq, amount, window in session.execute(query)
    }


@dataclass(frozen=True, slots=True)
class SealRow:
    """A stored slot of an epoch being closed, as the stream rules read it."""

    stream_key: bytes
    window_start: int
    kind: int
    started_at: int
    seq: int
    amount: int
    base: int
    stream_outcome: str | None


def slots_to_seal(
    session: Session, window_from: int, window_to: int
) -> tuple[list[SealRow], dict[bytes, StreamHead]]:
    """The slots in [window_from, window_to) by stream and window, and the latest counted
    receipt before ``window_from`` of each of their streams."""
    s, r = ReceiptStream, StoredReceipt
    query = (
        select(
            r.stream_key,
            r.window_start,
            s.kind,
            r.started_at,
            r.seq,
            r.amount,
            r.base,
            r.stream_outcome,
        )
        .join(s, s.key == r.stream_key)
        .where(r.window_start >= window_from, r.window_start < window_to)
        .order_by(r.stream_key, r.window_start)
    )
    rows = [SealRow(*row) for row in session.execute(query)]
    e = aliased(StoredReceipt)
    in_range = select(e.stream_key).where(e.window_start >= window_from, e.window_start < window_to)
    return rows, _latest_counted(session, in_range, window_from)


def save_sealed(session: Session, changes: Sequence[tuple[int, str | None, bytes, int]]) -> None:
    """(base, stream_outcome, stream_key, window_start) of the rows the close changed."""
    if not changes:
        return
    conn, mark, _ = _driver(session)
    conn.exec_driver_sql(_sql(_UPDATE_SEALED, mark), list(changes))


def _record_columns() -> tuple[Any, ...]:
    s, r = ReceiptStream, StoredReceipt
    return (
        r.receipt_id,
        s.kind,
        s.signer,
        s.counterparty,
        s.content,
        s.session,
        r.started_at,
        r.window_start,
        r.seq,
        r.amount,
        r.base,
        r.signature,
        r.received_at,
        r.stream_outcome,
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
    """Every stored receipt with its stream, windows in [window_from, window_to), by id
    (those the epoch's close refused carry their ``stream_outcome``)."""
    query = (
        select(*_record_columns())
        .join(ReceiptStream, ReceiptStream.key == StoredReceipt.stream_key)
        .where(StoredReceipt.window_start >= window_from, StoredReceipt.window_start < window_to)
        .order_by(StoredReceipt.receipt_id)
    )
    return [ReceiptRecord(*row) for row in session.execute(query)]


def refused_in_windows(session: Session, window_from: int, window_to: int) -> list[tuple[str, str]]:
    """(receipt id, stream outcome) of the receipts a close refused, windows in range."""
    r = StoredReceipt
    query = (
        select(r.receipt_id, r.stream_outcome)
        .where(r.window_start >= window_from, r.window_start < window_to)
        .where(r.stream_outcome.is_not(None))
        .order_by(r.receipt_id)
    )
    return [(rid, str(outcome)) for rid, outcome in session.execute(query)]


def earlier_usage(
    session: Session, window_from: int, window_to: int, viewers: Sequence[tuple[str, str]]
) -> list[tuple[str, str, int, int]]:
    """(viewer, content, bytes received, seconds watched) of each (viewer, content) in
    ``viewers``, over the receipts the stream rules counted in the windows: bandwidth
    receipts the viewer signed, CDN receipts naming it, its own viewing receipts."""
    wanted = set(viewers)
    if not wanted:
        return []
    s, r = ReceiptStream, StoredReceipt
    viewer = case((s.kind == CDN, s.counterparty), else_=s.signer)
    query = (
        select(viewer, s.kind, s.content, func.sum(r.amount - r.base))
        .join(r, r.stream_key == s.key)
        .where(r.window_start >= window_from, r.window_start < window_to)
        .where(r.stream_outcome.is_(None))
        .where(viewer.in_(sorted({v for v, _ in wanted})))
        .group_by(viewer, s.kind, s.content)
    )
    totals: dict[tuple[str, str], list[int]] = {}
    for account, kind, content, amount in session.execute(query):
        if (account, content) in wanted:
            pair = totals.setdefault((account, content), [0, 0])
            pair[1 if kind == VIEWING else 0] += int(amount or 0)
    return [(v, c, b, w) for (v, c), (b, w) in sorted(totals.items())]
