"""Queries over epoch records, the lease that keeps one worker per epoch, and the close guard."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select, text, update
from sqlalchemy.orm import Session

from servicelayer.storage.epoch_models import EpochRecord

_CLOSE_LOCK = 0x4143_4531  # "ACE1": the advisory lock between ingestion and epoch close


def get(session: Session, number: int) -> EpochRecord | None:
    return session.get(EpochRecord, number)


def listing(session: Session, before: int | None, limit: int) -> Sequence[EpochRecord]:
    query = select(EpochRecord).order_by(EpochRecord.number.desc()).limit(limit)
    if before is not None:
        query = query.where(EpochRecord.number < before)
    return session.scalars(query).all()


def last_closed(session: Session) -> int | None:
    """The highest closed epoch (epochs close in order)."""
    return session.scalar(select(func.max(EpochRecord.number)))


def first(session: Session) -> int | None:
    """The first epoch the node closed (epochs close in order from it, without gaps)."""
    return session.scalar(select(func.min(EpochRecord.number)))


def create_closed(session: Session, number: int, receipts: int, now: int) -> EpochRecord:
    record = EpochRecord(number=number, status="closed", receipts=receipts, updated_at=now)
    session.add(record)
    session.flush()
    return record


def acquire_lease(session: Session, number: int, worker: str, now: int, ttl: int) -> bool:
    """Take the epoch for ``worker`` unless another worker holds an unexpired lease."""
    t = EpochRecord
    result = session.execute(
        update(t)
        .where(t.number == number)
        .where(or_(t.lease_until.is_(None), t.lease_until < now, t.leased_by == worker))
        .values(leased_by=worker, lease_until=now + ttl)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def lease_holder(session: Session, number: int) -> str | None:
    return session.scalar(select(EpochRecord.leased_by).where(EpochRecord.number == number))


def take_lease(session: Session, number: int, holder: str, worker: str, now: int, ttl: int) -> bool:
    """Take the epoch for ``worker`` from ``holder`` (known to be gone), if it still
    holds it."""
    t = EpochRecord
    result = session.execute(
        update(t)
        .where(t.number == number, t.leased_by == holder)
        .values(leased_by=worker, lease_until=now + ttl)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def release_lease(session: Session, number: int, worker: str) -> None:
    t = EpochRecord
    session.execute(
        update(t)
        .where(t.number == number, t.leased_by == worker)
        .values(leased_by=None, lease_until=None)
    )


def guard_close(session: Session, *, closing: bool) -> None:
    """Ingestion and epoch close exclude each other on PostgreSQL (SQLite has one writer).

    Ingest batches share the lock; closing an epoch takes it alone, so it waits for the
    batches in flight and no batch can slip receipts into an epoch being closed.
    """
    if session.get_bind().dialect.name != "postgresql":
        return
    fn = "pg_advisory_xact_lock" if closing else "pg_advisory_xact_lock_shared"
    session.execute(text(f"SELECT {fn}(:key)"), {"key": _CLOSE_LOCK})


def unfinished(session: Session, final: str) -> Sequence[EpochRecord]:
    """Closed epochs whose pipeline has not reached ``final``, oldest first."""
    query = select(EpochRecord).where(EpochRecord.status != final)
    return session.scalars(query.order_by(EpochRecord.number)).all()


def advance_status(session: Session, number: int, done: str, reached: str, now: int) -> bool:
    """Move an epoch from step ``done`` to ``reached``; False if someone else already did."""
    t = EpochRecord
    result = session.execute(
        update(t)
        .where(t.number == number, t.status == done)
        .values(status=reached, error=None, updated_at=now)
    )
    return bool(getattr(result, "rowcount", 0) == 1)


def record_error(session: Session, number: int, error: str, now: int) -> None:
    t = EpochRecord
    session.execute(update(t).where(t.number == number).values(error=error[:2000], updated_at=now))
