"""Queries over peer registrations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, aliased

from servicelayer.storage.verification_models import RegistrationRecord, StoredRegistration


def get(session: Session, account: str, *, for_update: bool = False) -> StoredRegistration | None:
    query = select(StoredRegistration).where(StoredRegistration.account == account)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def put(session: Session, row: StoredRegistration) -> None:
    """Store the account's latest registration, and keep it in the history."""
    session.merge(row)
    session.add(
        RegistrationRecord(
            account=row.account,
            seq=row.seq,
            valid_until=row.valid_until,
            signed=row.signed,
            received_at=row.received_at,
        )
    )
    session.flush()


def live(session: Session, now: int) -> Sequence[StoredRegistration]:
    query = select(StoredRegistration).where(StoredRegistration.valid_until >= now)
    return session.scalars(query.order_by(StoredRegistration.account)).all()


def in_force(session: Session, start: int, end: int) -> Sequence[RegistrationRecord]:
    """The registrations in force at some time in ``[start, end)``: each one from when the
    node received it until it expired or the account's next one arrived."""
    following = aliased(RegistrationRecord)
    next_received = (
        select(func.min(following.received_at))
        .where(following.account == RegistrationRecord.account)
        .where(following.seq > RegistrationRecord.seq)
        .scalar_subquery()
    )
    query = select(RegistrationRecord).where(
        RegistrationRecord.received_at < end,
        RegistrationRecord.valid_until >= start,
        or_(next_received.is_(None), next_received >= start),
    )
    return session.scalars(query.order_by(RegistrationRecord.account, RegistrationRecord.seq)).all()
