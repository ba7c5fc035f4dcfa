"""The epoch pipeline's verify step: verdicts for every receipt, new reputations, and the
resolutions of earlier epochs' deferred claims."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from servicelayer.epochs.clock import epoch_bounds
from servicelayer.storage import receipts_repo, verdicts_repo
from servicelayer.storage.verification_models import StoredResolution, StoredVerdict
from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.epoch import verify_epoch
from servicelayer.verification.inputs import load_inputs, reputation_row
from servicelayer.verification.model import ContentInfo, DeferredClaim, ViewerPayment
from servicelayer.verification.verdicts import EpochVerification

UNKNOWN = "-"  # the uploader or swarm of a deferred receipt the store no longer has


def verify_closed_epoch(
    session: Session,
    epoch: int,
    epoch_seconds: int,
    *,
    catalog: Sequence[ContentInfo] = (),
    payments: Sequence[ViewerPayment] = (),
) -> EpochVerification:
    """Judge the epoch's receipts against its probe evidence; store verdicts and reputations;
        judge the earlier epochs' still-deferred claims with the new reputations and store
        their resolutions under this epoch.

    A receipt that a stream rule refused when the epoch closed (``sealing``) is not a
        claim: its verdict is ``rejected``, weight 0, with that rule's code as its reason, so
        it is still a leaf of the epoch's tree.

        Running it again (after a crash) replaces the epoch's verdicts and its resolutions
        with identical ones; a receipt another epoch resolved is never judged again.
    """
    verdicts_repo.clear_resolutions(session, epoch)
    inputs = load_inputs(session, epoch, epoch_seconds, catalog=catalog, payments=payments)
    inputs = replace(inputs, deferred=deferred_claims(session, epoch))
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
                held_ppm=v.held_ppm,
            )
            for v in result.verdicts
        ]
        + refused,
    )
    verdicts_repo.add_resolutions(
        session,
        [
            StoredResolution(
                receipt_id=r.receipt_id,
                epoch=epoch,
                deferred_epoch=r.deferred_epoch,
                verdict=r.verdict.value,
                weight_ppm=r.weight_ppm,
                reasons=" ".join(r.reasons),
                evidence=" ".join(r.evidence),
            )
            for r in result.resolutions
        ],
    )
    verdicts_repo.put_reputations(session, [reputation_row(r, epoch) for r in result.reputations])
    return result


def deferred_claims(session: Session, epoch: int) -> tuple[DeferredClaim, ...]:
    """The earlier epochs' deferred claims that no epoch has resolved yet."""
    out = []
    for v in verdicts_repo.unresolved_deferred(session, epoch):
        record = receipts_repo.get_receipt(session, v.receipt_id)
        uploader = (record.counterparty if record else None) or UNKNOWN
        infohash = (record.content if record else None) or UNKNOWN
        out.append(DeferredClaim(v.receipt_id, v.epoch, uploader, infohash, v.held_ppm))
    return tuple(out)
