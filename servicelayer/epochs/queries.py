"""Read use cases over epochs."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelayer.epochs.clock import epoch_bounds
from servicelayer.errors import NotFound
from servicelayer.storage import epochs_repo
from servicelayer.storage.epoch_models import EpochRecord


@dataclass(frozen=True)
class EpochView:
    number: int
    start: int
    end: int
    status: str
    receipts: int
    root: str | None
    anchor_tx: str | None
    anchor_ledger: int | None
    settlement_plan: str | None
    payouts: int
    error: str | None


def _view(record: EpochRecord, epoch_seconds: int) -> EpochView:
    start, end = epoch_bounds(record.number, epoch_seconds)
    return EpochView(
        record.number,
        start,
        end,
        record.status,
        record.receipts,
        record.root,
        record.anchor_tx,
        record.anchor_ledger,
        record.settlement_plan,
        record.payouts,
        record.error,
    )


def get_epoch(session: Session, number: int, epoch_seconds: int) -> EpochView:
    record = epochs_repo.get(session, number)
    if record is None:
        raise NotFound(f"epoch {number} has not closed yet")
    return _view(record, epoch_seconds)


def list_epochs(
    session: Session, before: int | None, limit: int, epoch_seconds: int
) -> list[EpochView]:
    return [_view(r, epoch_seconds) for r in epochs_repo.listing(session, before, limit)]
