"""Closing an epoch: from then on the set of receipts in it is frozen, and sealed."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelayer.epochs.clock import epoch_bounds, epoch_of
from servicelayer.epochs.sealing import seal_epoch
from servicelayer.errors import Conflict
from servicelayer.ingest.checks import MAX_BYTES_PER_SECOND
from servicelayer.storage import epochs_repo, receipts_repo
from servicelayer.storage.epoch_models import EpochRecord


def next_to_close(
    session: Session, epoch_seconds: int, now: int, grace: int, first: int | None = None
) -> int | None:
    """The next epoch to close, if it has ended at least ``grace`` seconds ago.

    Epochs close in order. The first one is ``first`` if given (a federation's, from the
    ledger), else the epoch of the earliest receipt (or the last finished epoch when there
    is none yet).
    """
    last = epochs_repo.last_closed(session)
    if last is not None:
        candidate = last + 1
    elif first is not None:
        candidate = first
    else:
        earliest = receipts_repo.earliest_window(session)
        finished = epoch_of(now - grace, epoch_seconds) - 1
        candidate = finished if earliest is None else epoch_of(earliest, epoch_seconds)
    _, end = epoch_bounds(candidate, epoch_seconds)
    return candidate if end + grace <= now else None


def close_epoch(
    session: Session,
    number: int,
    epoch_seconds: int,
    now: int,
    *,
    max_bytes_per_second: int = MAX_BYTES_PER_SECOND,
) -> EpochRecord:
    """Freeze epoch ``number``: ingestion refuses its windows from now on, and the stream
    rules are applied to its receipts in the same transaction (``sealing``)."""
    epochs_repo.guard_close(session, closing=True)
    last = epochs_repo.last_closed(session)
    if last is not None and number != last + 1:
        raise Conflict(f"epoch {number} cannot close before epoch {last + 1}")
    start, end = epoch_bounds(number, epoch_seconds)
    if now < end:
        raise Conflict(f"epoch {number} has not ended yet")
    count = receipts_repo.count_in_windows(session, start, end)
    seal_epoch(session, number, epoch_seconds, max_bytes_per_second)
    return epochs_repo.create_closed(session, number, count, now)
