"""Queries over peer registrations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelayer.storage.verification_models import StoredRegistration


def get(session: Session, account: str, *, for_update: bool = False) -> StoredRegistration | None:
    query = select(StoredRegistration).where(StoredRegistration.account == account)
    if for_update:
        query = query.with_for_update()
    return session.scalars(query).first()


def put(session: Session, row: StoredRegistration) -> None:
    session.merge(row)
    session.flush()


def live(session: Session, now: int) -> Sequence[StoredRegistration]:
    query = select(StoredRegistration).where(StoredRegistration.valid_until >= now)
    return session.scalars(query.order_by(StoredRegistration.account)).all()
