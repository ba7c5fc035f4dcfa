"""Queries over verdicts and reputations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from servicelayer.storage.models import ReceiptStream, StoredReceipt
from servicelayer.storage.verification_models import (
    StoredReputation,
    StoredResolution,
    StoredVerdict,
)

DEFERRED = "deferred"  # servicelayer.verification.codes.Verdict.DEFERRED


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


def page_in_epoch(
    session: Session, epoch: int, after: str, limit: int, account: str | None = None
) -> Sequence[StoredVerdict]:
    """Up to ``limit`` of the epoch's verdicts with receipt ids above ``after``, in id
    order (only of receipts ``account`` signed or is named in, when given)."""
    v = StoredVerdict
    query = select(v).where(v.epoch == epoch, v.receipt_id > after)
    if account is not None:
        r, s = StoredReceipt, ReceiptStream
        query = (
            query.join(r, r.receipt_id == v.receipt_id)
            .join(s, s.key == r.stream_key)
            .where((s.signer == account) | (s.counterparty == account))
        )
    return session.scalars(query.order_by(v.receipt_id).limit(limit)).all()


def reputations(session: Session) -> Sequence[StoredReputation]:
    return session.scalars(select(StoredReputation).order_by(StoredReputation.account)).all()


def put_reputations(session: Session, rows: Sequence[StoredReputation]) -> None:
    for row in rows:
        session.merge(row)
    session.flush()


def unresolved_deferred(session: Session, before: int) -> Sequence[StoredVerdict]:
    """Deferred verdicts of epochs before ``before`` that no epoch has resolved yet."""
    query = (
        select(StoredVerdict)
        .outerjoin(StoredResolution, StoredResolution.receipt_id == StoredVerdict.receipt_id)
        .where(
            StoredVerdict.verdict == DEFERRED,
            StoredVerdict.epoch < before,
            StoredResolution.receipt_id.is_(None),
        )
    )
    return session.scalars(query.order_by(StoredVerdict.receipt_id)).all()


def clear_resolutions(session: Session, epoch: int) -> None:
    """Forget the resolutions ``epoch`` made (its verify step runs again after a crash)."""
    session.execute(delete(StoredResolution).where(StoredResolution.epoch == epoch))
    session.flush()


def add_resolutions(session: Session, rows: Sequence[StoredResolution]) -> None:
    """Store resolutions; the receipt id is the key, so a receipt is resolved only once."""
    session.add_all(rows)
    session.flush()


def resolution(session: Session, receipt_id: str) -> StoredResolution | None:
    return session.get(StoredResolution, receipt_id)


def resolutions_in(session: Session, epoch: int) -> Sequence[StoredResolution]:
    """The resolutions ``epoch`` made (counted in its accounting), by receipt id."""
    query = select(StoredResolution).where(StoredResolution.epoch == epoch)
    return session.scalars(query.order_by(StoredResolution.receipt_id)).all()


def resolutions_of(session: Session, receipt_ids: Sequence[str]) -> dict[str, StoredResolution]:
    out: dict[str, StoredResolution] = {}
    ids = sorted(set(receipt_ids))
    for i in range(0, len(ids), 500):
        query = select(StoredResolution).where(StoredResolution.receipt_id.in_(ids[i : i + 500]))
        out.update((row.receipt_id, row) for row in session.scalars(query))
    return out
