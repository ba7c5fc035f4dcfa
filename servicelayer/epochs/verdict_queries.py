"""What verification decided, for peers and auditors to read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelayer.storage import verdicts_repo
from servicelayer.storage.verification_models import StoredResolution, StoredVerdict


@dataclass(frozen=True)
class ResolutionView:
    """How a later epoch resolved a deferred verdict; counted in that epoch."""

    epoch: int
    verdict: str
    weight_ppm: int
    reasons: list[str]
    evidence: list[str]


@dataclass(frozen=True)
class VerdictView:
    receipt_id: str
    epoch: int
    verdict: str
    weight_ppm: int
    reasons: list[str]
    evidence: list[str]
    held_ppm: int = 0
    resolution: ResolutionView | None = None


def _view(row: StoredVerdict, resolved: StoredResolution | None) -> VerdictView:
    resolution = None
    if resolved is not None:
        resolution = ResolutionView(
            resolved.epoch,
            resolved.verdict,
            resolved.weight_ppm,
            resolved.reasons.split(),
            resolved.evidence.split(),
        )
    return VerdictView(
        row.receipt_id,
        row.epoch,
        row.verdict,
        row.weight_ppm,
        row.reasons.split(),
        row.evidence.split(),
        row.held_ppm if row.verdict == verdicts_repo.DEFERRED else 0,
        resolution,
    )


def verdict_of(session: Session, receipt_id: str) -> VerdictView | None:
    row = verdicts_repo.verdict(session, receipt_id.lower())
    if row is None:
        return None
    resolved = None
    if row.verdict == verdicts_repo.DEFERRED:
        resolved = verdicts_repo.resolution(session, row.receipt_id)
    return _view(row, resolved)


def verdicts_in(
    session: Session, epoch: int, account: str | None = None, after: str = "", limit: int = 500
) -> tuple[list[VerdictView], str | None]:
    """A page of the epoch's verdicts in receipt-id order after ``after`` (only of the
    receipts ``account`` signed or is named in, when given), and the cursor of the next
    page (None after the last)."""
    rows = list(verdicts_repo.page_in_epoch(session, epoch, after, limit + 1, account))
    cursor = rows[limit - 1].receipt_id if len(rows) > limit else None
    rows = rows[:limit]
    deferred = [r.receipt_id for r in rows if r.verdict == verdicts_repo.DEFERRED]
    resolved = verdicts_repo.resolutions_of(session, deferred) if deferred else {}
    return [_view(r, resolved.get(r.receipt_id)) for r in rows], cursor
