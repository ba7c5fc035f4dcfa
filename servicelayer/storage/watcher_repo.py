"""Queries of the ledger watcher's tables (see ``watcher_models``)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from servicelayer.storage.watcher_models import GovernanceBalance, LedgerMark, TreasuryPayment

FOLLOWED = "ledger"  # the ledger the node has followed up to (governance's "now")


def mark(session: Session, name: str) -> LedgerMark | None:
    return session.get(LedgerMark, name)


def set_mark(
    session: Session, name: str, *, ledger: int = 0, closed_at: int = 0, cursor: str = ""
) -> None:
    row = session.get(LedgerMark, name)
    if row is None:
        session.add(LedgerMark(name=name, ledger=ledger, closed_at=closed_at, cursor=cursor))
    else:
        row.ledger, row.closed_at, row.cursor = ledger, closed_at, cursor
    session.flush()


def payment(session: Session, payment_id: str) -> TreasuryPayment | None:
    return session.get(TreasuryPayment, payment_id)


def payments(
    session: Session, status: str | None = None, limit: int = 100
) -> Sequence[TreasuryPayment]:
    """Newest first."""
    query = select(TreasuryPayment)
    if status is not None:
        query = query.where(TreasuryPayment.status == status)
    query = query.order_by(TreasuryPayment.ledger.desc(), TreasuryPayment.payment_id.desc())
    return session.scalars(query.limit(limit)).all()


def balances_at(session: Session, asset: str, ledger: int) -> dict[str, int]:
    """Every holder's positive balance of ``asset`` as of ``ledger``."""
    latest = (
        select(GovernanceBalance.account, func.max(GovernanceBalance.ledger).label("at"))
        .where(GovernanceBalance.asset == asset, GovernanceBalance.ledger <= ledger)
        .group_by(GovernanceBalance.account)
        .subquery()
    )
    query = select(GovernanceBalance.account, GovernanceBalance.balance).join(
        latest,
        and_(
            GovernanceBalance.account == latest.c.account,
            GovernanceBalance.ledger == latest.c.at,
        ),
    )
    query = query.where(GovernanceBalance.asset == asset, GovernanceBalance.balance > 0)
    return {account: balance for account, balance in session.execute(query)}


def record_balances(session: Session, asset: str, ledger: int, holders: dict[str, int]) -> int:
    """Store ``holders`` as the balances at ``ledger``: one row per change (0 for a holder
    that left). Returns the number of changes."""
    before = balances_at(session, asset, ledger)
    changed = sorted(a for a in set(before) | set(holders) if before.get(a, 0) != holders.get(a, 0))
    session.add_all(
        GovernanceBalance(asset=asset, account=a, ledger=ledger, balance=holders.get(a, 0))
        for a in changed
    )
    session.flush()
    return len(changed)
