"""What verification decided, for peers and auditors to read."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from servicelayer.storage import verdicts_repo
from servicelayer.storage.verification_models import StoredVerdict


@dataclass(frozen=True)
class VerdictView:
    receipt_id: str
    epoch: int
    verdict: str
    weight_ppm: int
    reasons: list[str]
    evidence: list[str]


def _view(row: StoredVerdict) -> VerdictView:
    return VerdictView(
        row.receipt_id,
        row.epoch,
        row.verdict,
        row.weight_ppm,
        row.reasons.split(),
        row.evidence.split(),
    )


def verdict_of(session: Session, receipt_id: str) -> VerdictView | None:
    row = verdicts_repo.verdict(session, receipt_id.lower())
    return None if row is None else _view(row)


def verdicts_in(session: Session, epoch: int, receipt_ids: set[str] | None) -> list[VerdictView]:
    rows = verdicts_repo.in_epoch(session, epoch)
    return [_view(r) for r in rows if receipt_ids is None or r.receipt_id in receipt_ids]
