"""Queries over probe evidence and sampling seeds."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelayer.storage.models import ReceiptStream, StoredReceipt
from servicelayer.storage.verification_models import ProbeSeed, StoredEvidence


def add_evidence(session: Session, row: StoredEvidence) -> None:
    session.add(row)
    session.flush()


def evidence_in(session: Session, epoch: int) -> Sequence[StoredEvidence]:
    query = select(StoredEvidence).where(StoredEvidence.epoch == epoch)
    return session.scalars(query.order_by(StoredEvidence.infohash, StoredEvidence.id)).all()


def evidence_observed(session: Session, start: int, end: int) -> Sequence[StoredEvidence]:
    """Every probe's evidence whose observation interval ``[started_at, ended_at]`` meets
    ``[start, end)``, whichever epoch planned it; in an order every validator of a
    federation shares (its evidence has a ``source``)."""
    e = StoredEvidence
    query = select(e).where(e.started_at < end, e.ended_at >= start)
    return session.scalars(query.order_by(e.infohash, e.started_at, e.source, e.id)).all()


def probed_swarms(session: Session, epoch: int) -> set[str]:
    query = select(StoredEvidence.infohash).where(StoredEvidence.epoch == epoch)
    return set(session.scalars(query))


def seed(session: Session, epoch: int) -> ProbeSeed | None:
    return session.get(ProbeSeed, epoch)


def put_seed(session: Session, row: ProbeSeed) -> None:
    session.merge(row)
    session.flush()


def bandwidth_parties(
    session: Session, kind: int, window_from: int, window_to: int, content: str | None = None
) -> list[tuple[str, str, str | None]]:
    """(content, signer, counterparty) of every stream of ``kind`` with receipts in range
    (of one ``content`` when given)."""
    s, r = ReceiptStream, StoredReceipt
    query = (
        select(s.content, s.signer, s.counterparty)
        .join(r, r.stream_key == s.key)
        .where(s.kind == kind, r.window_start >= window_from, r.window_start < window_to)
        .distinct()
    )
    if content is not None:
        query = query.where(s.content == content)
    return [(c, a, b) for c, a, b in session.execute(query)]
