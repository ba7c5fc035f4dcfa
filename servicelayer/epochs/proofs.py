"""Read use cases over an epoch's accounting: its payouts, and proofs for any leaf."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from servicelayer.epochs.anchoring import (
    Trees,
    epoch_payouts,
    payout_id,
    payout_leaf,
    receipt_leaf,
    release_leaf,
)
from servicelayer.errors import InvalidInput, NotFound
from servicelayer.storage import verdicts_repo
from servicelayer.storage.epoch_models import EpochPayout, EpochRecord
from servicelayer.storage.settlement_models import SettlementPayout

_PAYOUT_ID = re.compile(r"^epoch-(\d{1,12})-(\d{1,9})$")


def payouts_of_epoch(
    session: Session, epoch: int, after: int = -1, limit: int = 500
) -> tuple[list[dict[str, Any]], int | None]:
    """A page of the epoch's payouts in position order after ``after``, and the cursor
    of the next page (None after the last)."""
    record = session.get(EpochRecord, epoch)
    if record is None:
        raise NotFound(f"epoch {epoch} has not closed yet")
    rows = epoch_payouts(session, epoch, after, limit + 1)
    cursor = rows[limit - 1].position if len(rows) > limit else None
    rows = rows[:limit]
    settled = _settlement(session, record.settlement_plan, rows)
    return [_view(row, settled) for row in rows], cursor


def payout_with_proof(trees: Trees, session: Session, pid: str) -> dict[str, Any]:
    match = _PAYOUT_ID.match(pid)
    if match is None:
        raise InvalidInput("a payout id looks like epoch-<n>-<position>", code="invalid_payout_id")
    epoch, position = int(match[1]), int(match[2])
    row = session.get(EpochPayout, (epoch, position))
    if row is None:
        raise NotFound(f"no payout {pid}", code="unknown_payout")
    record = session.get(EpochRecord, epoch)
    settled = _settlement(session, record.settlement_plan if record else None, [row])
    return {**_view(row, settled), "proof": trees.prove(session, epoch, payout_leaf(row)).view()}


def receipt_proof(trees: Trees, session: Session, receipt_id: str) -> dict[str, Any]:
    """The receipt's leaf in its epoch's tree; for a deferred receipt a later epoch
    resolved, also ``resolution``: its release leaf in the resolving epoch's tree (None
    until that epoch is anchored)."""
    verdict = verdicts_repo.verdict(session, receipt_id)
    if verdict is None:
        raise NotFound(
            f"receipt {receipt_id} is in no verified epoch (yet)", code="receipt_not_verified"
        )
    leaf = receipt_leaf(verdict.epoch, verdict.receipt_id, verdict.verdict, verdict.weight_ppm)
    view = trees.prove(session, verdict.epoch, leaf).view()
    view["resolution"] = None
    resolved = verdicts_repo.resolution(session, verdict.receipt_id)
    if resolved is not None:
        record = session.get(EpochRecord, resolved.epoch)
        if record is not None and record.root is not None:
            release = release_leaf(
                resolved.epoch, resolved.receipt_id, resolved.verdict, resolved.weight_ppm
            )
            view["resolution"] = trees.prove(session, resolved.epoch, release).view()
    return view


def _settlement(
    session: Session, plan_id: str | None, payouts: list[EpochPayout]
) -> dict[str, SettlementPayout]:
    """How the plan paid these payouts (by their ids)."""
    if plan_id is None or not payouts:
        return {}
    s = SettlementPayout
    ids = [payout_id(p.epoch, p.position) for p in payouts]
    rows = session.scalars(select(s).where(s.plan_id == plan_id, s.reference.in_(ids)))
    return {row.reference: row for row in rows}


def _view(row: EpochPayout, settled: dict[str, SettlementPayout]) -> dict[str, Any]:
    pid = payout_id(row.epoch, row.position)
    paid = settled.get(pid)
    return {
        "id": pid,
        "epoch": row.epoch,
        "kind": row.kind,
        "reference": row.reference,
        "account": row.account,
        "asset": row.asset,
        "amount": row.amount,
        "source": row.source,
        "status": paid.status if paid else "pending",
        "tx_hash": paid.paid_by if paid else None,
    }
