"""Queries over the contract journal and snapshots."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from servicelayer.storage.journal_models import JournalEntry, Snapshot


def last_seq(session: Session, contract: str) -> int:
    query = select(func.max(JournalEntry.seq)).where(JournalEntry.contract == contract)
    return session.scalar(query) or 0


def latest_snapshot(session: Session, contract: str, at_most: int | None = None) -> Snapshot | None:
    query = select(Snapshot).where(Snapshot.contract == contract)
    if at_most is not None:
        query = query.where(Snapshot.seq <= at_most)
    return session.scalars(query.order_by(Snapshot.seq.desc()).limit(1)).first()


def entries(
    session: Session, contract: str, after: int, up_to: int | None = None
) -> Sequence[JournalEntry]:
    query = select(JournalEntry).where(JournalEntry.contract == contract, JournalEntry.seq > after)
    if up_to is not None:
        query = query.where(JournalEntry.seq <= up_to)
    return session.scalars(query.order_by(JournalEntry.seq)).all()


def epoch_entries(
    session: Session, contract: str, epoch: int, *, earlier: bool = False
) -> Sequence[JournalEntry]:
    """``contract``'s entries whose context epoch is ``epoch`` (or ``<= epoch`` when
    ``earlier``), in journal order."""
    tagged = JournalEntry.epoch <= epoch if earlier else JournalEntry.epoch == epoch
    query = select(JournalEntry).where(JournalEntry.contract == contract, tagged)
    return session.scalars(query.order_by(JournalEntry.seq)).all()


def epoch_range(session: Session, contract: str, epoch: int) -> tuple[int, int] | None:
    """(first seq, last seq) of ``contract``'s entries in ``epoch``, or None."""
    query = select(func.min(JournalEntry.seq), func.max(JournalEntry.seq)).where(
        JournalEntry.contract == contract, JournalEntry.epoch == epoch
    )
    first, last = session.execute(query).one()
    return None if first is None else (int(first), int(last))


def contracts_in_epoch(session: Session, epoch: int) -> list[str]:
    query = select(JournalEntry.contract).where(JournalEntry.epoch == epoch).distinct()
    return sorted(session.scalars(query))


def add(session: Session, rows: Sequence[JournalEntry | Snapshot]) -> None:
    session.add_all(rows)
    session.flush()
