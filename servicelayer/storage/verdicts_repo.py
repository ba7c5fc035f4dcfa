"""Queries over verdicts and reputations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from servicelayer.storage.verification_models import StoredReputation, StoredVerdict


def replace_epoch(session: Session, epoch: int, verdicts: Sequence[StoredVerdict]) -> None:
    """The epoch's verdicts, replacing any from an interrupted earlier run."""
    session.execute(delete(StoredVerdict).where(StoredVerdict.epoch == epoch))
    session.add_all(verdicts)
    session.flush()


def verdict(session: Session, receipt_id: str) -> StoredVerdict | None:
    return session.get(StoredVerdict, receipt_id)


def in_epoch(session: Session, epoch: int) -> Sequence[StoredVerdict]:
    query = select(StoredVerdict).where(StoredVerdict.epoch == epoch)
    return session.scalars(query.order_by(StoredVerdict.receipt_id)).all()


def reputations(session: Session) -> Sequence[StoredReputation]:
    return session.scalars(select(StoredReputation).order_by(StoredReputation.account)).all()


def put_reputations(session: Session, rows: Sequence[StoredReputation]) -> None:
    for row in rows:
        session.merge(row)
    session.flush()
