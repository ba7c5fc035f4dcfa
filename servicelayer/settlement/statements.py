"""The statements a settlement runs for every chunk, as plain SQL for the driver.

A chunk's envelope insert and its "applied" update run once per 100 payouts, thousands
of times in a large plan; building and caching SQLAlchemy constructs for them cost
several times what SQLite spent executing them. The SQL is the same on SQLite and
PostgreSQL except for the placeholder, filled in for the connection's driver.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import Connection

from servicelayer.settlement.records import Envelope
from servicelayer.settlement.status import PayoutStatus, SubmissionStatus, predecessors

_S = SubmissionStatus


def _quoted(statuses: list[SubmissionStatus]) -> str:
    return ", ".join(f"'{s.value}'" for s in statuses)


_INSERT_ENVELOPE = (
    "INSERT INTO settlement_transactions (hash, plan_id, chunk_index, attempt, channel, "
    "sequence, envelope_xdr, status, supersedes, created_at, updated_at) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)
_APPLIED = (
    f"UPDATE settlement_transactions SET status = '{_S.APPLIED.value}', updated_at = ?, "
    f"ledger = COALESCE(?, ledger) "
    f"WHERE hash = ? AND status IN ({_quoted(predecessors(_S.APPLIED))})"
)
_SLOT_MATES_DEAD = (
    f"UPDATE settlement_transactions SET status = '{_S.DEAD.value}', updated_at = ? "
    "WHERE plan_id = ? AND chunk_index = ? AND hash <> ? "
    f"AND status IN ({_quoted(predecessors(_S.DEAD))})"
)
_PAYOUTS_PAID = (
    "UPDATE settlement_payouts SET status = CASE WHEN claimable "
    f"THEN '{PayoutStatus.PAID_AS_CLAIMABLE_BALANCE.value}' "
    f"ELSE '{PayoutStatus.PAID.value}' END, paid_by = ? "
    "WHERE plan_id = ? AND chunk_index = ?"
)
_CHUNK_PAID = (
    f"UPDATE settlement_chunks SET status = '{PayoutStatus.PAID.value}', detail = NULL "
    "WHERE plan_id = ? AND chunk_index = ?"
)


_OPEN_PAYOUTS = (
    "SELECT chunk_index, account, asset, amount, reference, claimable, source "
    "FROM settlement_payouts WHERE plan_id = ? AND chunk_index IN ("
    "SELECT chunk_index FROM settlement_chunks "
    f"WHERE plan_id = ? AND status = '{PayoutStatus.PENDING.value}') "
    "ORDER BY position"
)


def _sql(conn: Connection, sql: str) -> str:
    return sql if conn.dialect.paramstyle == "qmark" else sql.replace("?", "%s")


def _run(conn: Connection, sql: str, params: tuple[Any, ...]) -> int:
    return int(conn.exec_driver_sql(_sql(conn, sql), params).rowcount)


def open_payouts(conn: Connection, plan_id: str) -> list[Any]:
    """(chunk index, account, asset, amount, reference, claimable, source) of every payout
    of the plan's pending chunks, in plan order (a whole plan's rows: plain tuples)."""
    return list(conn.exec_driver_sql(_sql(conn, _OPEN_PAYOUTS), (plan_id, plan_id)))


def insert_envelope(conn: Connection, envelope: Envelope, now: int) -> None:
    e = envelope
    row = (e.hash, e.plan_id, e.chunk_index, e.attempt, e.channel, e.sequence, e.xdr)
    _run(conn, _INSERT_ENVELOPE, (*row, e.status.value, e.supersedes, now, now))


def mark_applied(conn: Connection, tx_hash: str, ledger: int | None, now: int) -> bool:
    """The envelope moves to applied if its status allows it; False if it did not move."""
    return _run(conn, _APPLIED, (now, ledger, tx_hash)) == 1


def mark_chunk_paid(
    conn: Connection, plan_id: str, chunk_index: int, tx_hash: str, now: int
) -> None:
    """The other envelopes of the chunk's slot are dead; its payouts and itself paid."""
    _run(conn, _SLOT_MATES_DEAD, (now, plan_id, chunk_index, tx_hash))
    _run(conn, _PAYOUTS_PAID, (tx_hash, plan_id, chunk_index))
    _run(conn, _CHUNK_PAID, (plan_id, chunk_index))
