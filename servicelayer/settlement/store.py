"""All SQL of the settlement. Each method is one database transaction, committed on return:
the plan and every envelope are durable before anything reaches the ledger."""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import groupby
from typing import Any, cast

from sqlalchemy import CursorResult, func, insert, select, update
from sqlalchemy.orm import Session

from servicelayer.errors import InvariantViolation, NotFound
from servicelayer.settlement import statements
from servicelayer.settlement.chunking import Chunk, chunk_plan
from servicelayer.settlement.plan import Payout, Plan
from servicelayer.settlement.records import ChunkWork, Envelope, PlanSummary
from servicelayer.settlement.status import (
    PayoutStatus,
    PlanStatus,
    SubmissionStatus,
    check_move,
    plan_status,
    predecessors,
)
from servicelayer.storage.db import Database
from servicelayer.storage.settlement_models import (
    SettlementChunk,
    SettlementPayout,
    SettlementPlan,
    SettlementTransaction,
)

P = PayoutStatus


def _envelope(row: SettlementTransaction) -> Envelope:
    return Envelope(
        row.hash,
        row.plan_id,
        row.chunk_index,
        row.attempt,
        row.channel,
        row.sequence,
        row.envelope_xdr,
        SubmissionStatus(row.status),
        row.supersedes,
        row.tx_code,
        tuple(row.op_codes.split(",")) if row.op_codes else (),
        row.ledger,
    )


class SettlementStore:
    def __init__(self, db: Database) -> None:
        self.db = db
        # Lanes write from several threads: queue them here rather than on SQLite's busy
        # handler, which sleeps in steps of milliseconds while the lock is already free.
        self._writing = threading.Lock()

    @contextmanager
    def _write(self) -> Iterator[Session]:
        with self._writing, self.db.session(write=True) as s:
            yield s

    # -- plans ---------------------------------------------------------------------------
    def create_plan(
        self, plan: Plan, *, source: str, treasury: str, chunk_size: int, now: int
    ) -> bool:
        """Persists the plan with its chunks and payouts; False if it already exists."""
        chunks = chunk_plan(plan.id, plan.payouts, chunk_size)
        with self._write() as s:
            if s.get(SettlementPlan, plan.id) is not None:
                return False
            s.add(
                SettlementPlan(
                    id=plan.id,
                    created_at=now,
                    source=source[:255],
                    treasury=treasury,
                    chunk_size=chunk_size,
                    payout_count=len(plan.payouts),
                    status=PlanStatus.PENDING,
                )
            )
            s.flush()
            # Core executemany: the ORM's bulk path costs more than the rows themselves.
            conn = s.connection()
            conn.execute(insert(SettlementChunk), [_chunk_row(c) for c in chunks])
            mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
            conn.exec_driver_sql(
                _PAYOUT_INSERT.replace("?", mark), list(_payout_rows(plan.id, chunks))
            )
        return True

    def plan_ids(self) -> list[str]:
        with self.db.session() as s:
            q = select(SettlementPlan.id).order_by(SettlementPlan.created_at, SettlementPlan.id)
            return list(s.scalars(q))

    def summary(self, plan_id: str) -> PlanSummary:
        with self.db.session() as s:
            plan = s.get(SettlementPlan, plan_id)
            if plan is None:
                raise NotFound(f"no payout plan {plan_id}")
            counts: dict[PayoutStatus, int] = {}
            totals: dict[str, int] = {}
            q = (
                select(
                    SettlementPayout.status,
                    SettlementPayout.asset,
                    func.count(),
                    func.sum(SettlementPayout.amount),
                )
                .where(SettlementPayout.plan_id == plan_id)
                .group_by(SettlementPayout.status, SettlementPayout.asset)
            )
            for status, asset, count, total in s.execute(q):
                counts[P(status)] = counts.get(P(status), 0) + int(count)
                totals[asset] = totals.get(asset, 0) + int(total)
            return PlanSummary(
                plan.id,
                plan.created_at,
                plan.source,
                plan.treasury,
                plan.chunk_size,
                plan.payout_count,
                PlanStatus(plan.status),
                counts,
                totals,
            )

    def reopen_failed(self, plan_id: str) -> int:
        """Failed chunks become pending again (a failed transaction applied nothing)."""
        with self._write() as s:
            failed = (SettlementChunk.plan_id == plan_id) & (SettlementChunk.status == P.FAILED)
            n = len(s.scalars(select(SettlementChunk.chunk_index).where(failed)).all())
            s.execute(update(SettlementChunk).where(failed).values(status=P.PENDING, detail=None))
            s.execute(
                update(SettlementPayout)
                .where(SettlementPayout.plan_id == plan_id, SettlementPayout.status == P.FAILED)
                .values(status=P.PENDING)
            )
            _refresh_plan(s, plan_id)
            return n

    def open_work(self, plan_id: str) -> list[ChunkWork]:
        """Every chunk still pending, with its payouts and envelopes."""
        with self.db.session() as s:
            open_chunks = select(SettlementChunk.chunk_index).where(
                SettlementChunk.plan_id == plan_id, SettlementChunk.status == P.PENDING
            )
            payouts = statements.open_payouts(s.connection(), plan_id)
            envelopes = s.scalars(
                select(SettlementTransaction)
                .where(
                    SettlementTransaction.plan_id == plan_id,
                    SettlementTransaction.chunk_index.in_(open_chunks),
                )
                .order_by(SettlementTransaction.chunk_index, SettlementTransaction.attempt)
            ).all()
        by_chunk: dict[int, list[Envelope]] = {}
        for row in envelopes:
            by_chunk.setdefault(row.chunk_index, []).append(_envelope(row))
        work = []
        for index, rows in groupby(payouts, key=lambda r: int(r[0])):
            chunk_rows = list(rows)
            chunk = Chunk(
                plan_id, index, tuple(Payout(r[1], r[2], r[3], r[4], r[6]) for r in chunk_rows)
            )
            claimable = frozenset(n for n, r in enumerate(chunk_rows) if r[5])
            work.append(ChunkWork(chunk, claimable, tuple(by_chunk.get(index, ()))))
        return work

    # -- envelopes -----------------------------------------------------------------------
    def add_envelope(
        self, envelope: Envelope, now: int, retire: Sequence[tuple[str, SubmissionStatus]] = ()
    ) -> None:
        """Stores a signed envelope (before it is submitted) and retires the ones it replaces."""
        with self._write() as s:
            for tx_hash, status in retire:
                _move(s, tx_hash, status, now)
            statements.insert_envelope(s.connection(), envelope, now)

    def set_status(
        self,
        tx_hash: str,
        status: SubmissionStatus,
        now: int,
        *,
        tx_code: str | None = None,
        op_codes: Iterable[str] = (),
        ledger: int | None = None,
    ) -> None:
        with self._write() as s:
            _move(s, tx_hash, status, now, tx_code, tuple(op_codes), ledger)

    def replace_signatures(self, tx_hash: str, envelope_xdr: str, now: int) -> None:
        """The same transaction (same hash) signed anew, stored before it is submitted."""
        with self._write() as s:
            row = s.get(SettlementTransaction, tx_hash)
            if row is None:
                raise InvariantViolation(f"no stored envelope {tx_hash}")
            row.envelope_xdr, row.updated_at = envelope_xdr, now

    def set_claimable(self, plan_id: str, chunk_index: int, offsets: Iterable[int]) -> None:
        wanted = sorted(set(offsets))
        with self._write() as s:
            positions = s.scalars(
                select(SettlementPayout.position)
                .where(
                    SettlementPayout.plan_id == plan_id,
                    SettlementPayout.chunk_index == chunk_index,
                )
                .order_by(SettlementPayout.position)
            ).all()
            chosen = [positions[n] for n in wanted]
            s.execute(
                update(SettlementPayout)
                .where(SettlementPayout.plan_id == plan_id, SettlementPayout.position.in_(chosen))
                .values(claimable=True)
            )

    def chunk_applied(
        self, plan_id: str, chunk_index: int, tx_hash: str, ledger: int | None, now: int
    ) -> None:
        """The envelope applied: its chunk's payouts are paid; its slot mates are dead."""
        with self._write() as s:
            conn = s.connection()
            if not statements.mark_applied(conn, tx_hash, ledger, now):
                _move(s, tx_hash, SubmissionStatus.APPLIED, now, ledger=ledger)  # says why
            statements.mark_chunk_paid(conn, plan_id, chunk_index, tx_hash, now)

    def refresh_plan(self, plan_id: str) -> None:
        """The plan's status from its chunks' (done once a settlement run ends)."""
        with self._write() as s:
            _refresh_plan(s, plan_id)

    def chunk_failed(self, plan_id: str, chunk_index: int, detail: str) -> None:
        with self._write() as s:
            s.execute(
                update(SettlementPayout)
                .where(
                    SettlementPayout.plan_id == plan_id,
                    SettlementPayout.chunk_index == chunk_index,
                )
                .values(status=P.FAILED)
            )
            _set_chunk(s, plan_id, chunk_index, P.FAILED, detail[:255])
            _refresh_plan(s, plan_id)

    def transactions(self, plan_id: str) -> list[Envelope]:
        with self.db.session() as s:
            rows = s.scalars(
                select(SettlementTransaction)
                .where(SettlementTransaction.plan_id == plan_id)
                .order_by(SettlementTransaction.chunk_index, SettlementTransaction.attempt)
            ).all()
            return [_envelope(r) for r in rows]

    def envelope_count(self, plan_id: str | None = None) -> int:
        with self.db.session() as s:
            q = select(func.count()).select_from(SettlementTransaction)
            if plan_id is not None:
                q = q.where(SettlementTransaction.plan_id == plan_id)
            return int(s.scalar(q) or 0)


def _chunk_row(chunk: Chunk) -> dict[str, object]:
    return {
        "plan_id": chunk.plan_id,
        "chunk_index": chunk.index,
        "memo_hash": chunk.memo_hash,
        "status": P.PENDING,
        "detail": None,
    }


_PAYOUT_COLUMNS = (
    "plan_id, position, chunk_index, account, asset, amount, reference, claimable, status, "
    "paid_by, source"
)
_PAYOUT_INSERT = (
    f"INSERT INTO {SettlementPayout.__tablename__} ({_PAYOUT_COLUMNS}) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)


def _payout_rows(plan_id: str, chunks: Sequence[Chunk]) -> Iterable[tuple[object, ...]]:
    """Rows in ``_PAYOUT_COLUMNS`` order, for the driver's executemany (a plan can hold
    100,000 payouts; SQLAlchemy's per-row parameter handling cost more than the insert)."""
    position = 0
    pending = P.PENDING.value
    for chunk in chunks:
        for p in chunk.payouts:
            yield (
                plan_id,
                position,
                chunk.index,
                p.account,
                p.asset,
                p.amount,
                p.reference,
                False,
                pending,
                None,
                p.source,
            )
            position += 1


def _move(
    s: Session,
    tx_hash: str,
    status: SubmissionStatus,
    now: int,
    tx_code: str | None = None,
    op_codes: tuple[str, ...] = (),
    ledger: int | None = None,
) -> None:
    """A conditional UPDATE: the status moves only from an allowed predecessor."""
    values: dict[str, object] = {"status": status, "updated_at": now}
    if tx_code is not None:
        values["tx_code"] = tx_code
    if op_codes:
        values["op_codes"] = ",".join(op_codes)
    if ledger is not None:
        values["ledger"] = ledger
    result = s.connection().execute(
        update(SettlementTransaction)
        .where(
            SettlementTransaction.hash == tx_hash,
            SettlementTransaction.status.in_(predecessors(status)),
        )
        .values(**values)
    )
    if cast(CursorResult[Any], result).rowcount != 1:
        row = s.get(SettlementTransaction, tx_hash)
        if row is None:
            raise InvariantViolation(f"no stored envelope {tx_hash}")
        check_move(SubmissionStatus(row.status), status)


def _set_chunk(s: Session, plan_id: str, chunk_index: int, status: str, detail: str | None) -> None:
    s.connection().execute(
        update(SettlementChunk)
        .where(SettlementChunk.plan_id == plan_id, SettlementChunk.chunk_index == chunk_index)
        .values(status=status, detail=detail)
    )


def _refresh_plan(s: Session, plan_id: str) -> None:
    """The plan's status from its chunks' (a chunk's payouts share its fate)."""
    rows = s.execute(
        select(SettlementChunk.status, func.count())
        .where(SettlementChunk.plan_id == plan_id)
        .group_by(SettlementChunk.status)
    ).all()
    counts = {P(status): int(n) for status, n in rows}
    s.execute(
        update(SettlementPlan)
        .where(SettlementPlan.id == plan_id)
        .values(status=plan_status(counts))
    )
