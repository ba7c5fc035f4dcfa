"""The epoch pipeline's verify step: verdicts for every receipt, new reputations."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.orm import Session

from servicelayer.epochs.clock import epoch_bounds
from servicelayer.storage import receipts_repo, verdicts_repo
from servicelayer.storage.verification_models import StoredVerdict
from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.inputs import load_inputs, reputation_row
from servicelayer.verification.model import ContentInfo, ViewerPayment
from servicelayer.verification.verdicts import EpochVerification


def verify_closed_epoch(
    session: Session,
    epoch: int,
    epoch_seconds: int,
    *,
    catalog: Sequence[ContentInfo] = (),
    payments: Sequence[ViewerPayment] = (),
) -> EpochVerification:
    """Judge the epoch's receipts against its probe evidence; store verdicts and reputations.

    A receipt that a stream rule refused when the epoch closed (``sealing``) is not a
    claim: its verdict is ``rejected``, weight 0, with that rule's code as its reason, so
    it is still a leaf of the epoch's tree.

    Running it again (after a crash) replaces the epoch's verdicts with identical ones.
    """
    inputs = load_inputs(session, epoch, epoch_seconds, catalog=catalog, payments=payments)
    result = verify_epoch(inputs)
    start, end = epoch_bounds(epoch, epoch_seconds)
    refused = [
        StoredVerdict(
            receipt_id=rid,
            epoch=epoch,
            verdict=Verdict.REJECTED.value,
            weight_ppm=0,
            reasons=ReasonCode(outcome).value,
            evidence="",
        )
        for rid, outcome in receipts_repo.refused_in_windows(session, start, end)
    ]
    verdicts_repo.replace_epoch(
        session,
        epoch,
        [
            StoredVerdict(
                receipt_id=v.receipt_id,
                epoch=epoch,
                verdict=v.verdict.value,
                weight_ppm=v.weight_ppm,
                reasons=" ".join(v.reasons),
                evidence=" ".join(v.evidence),
            )
            for v in result.verdicts
        ]
        + refused,
    )
    verdicts_repo.put_reputations(session, [reputation_row(r, epoch) for r in result.reputations])
    return result
