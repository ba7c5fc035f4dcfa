"""The steps of the epoch pipeline that exist so far."""

from __future__ import annotations

from sqlalchemy.orm import Session

from servicelayer.epochs.pipeline import Step
from servicelayer.epochs.verifying import verify_closed_epoch
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.verification.model import ContentInfo


def verify_step(runtime: ContractRuntime, epoch_seconds: int) -> Step:
    """Verdicts for the epoch's receipts, with stream bitrates from the catalog contract."""

    def work(session: Session, epoch: int) -> None:
        verify_closed_epoch(
            session, epoch, epoch_seconds, catalog=catalog_bitrates(runtime, session)
        )

    return Step("closed", "verified", work)


def catalog_bitrates(runtime: ContractRuntime, session: Session) -> list[ContentInfo]:
    if "catalog" not in runtime.specs:
        return []
    state, _ = runtime.current(session, "catalog")
    return [
        ContentInfo(infohash, item.bitrate)
        for infohash, item in sorted(state.items.items())
        if item.bitrate is not None
    ]
