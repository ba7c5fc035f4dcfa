from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from node.api.errors import documented
from node.api.state import NodeState, node_state
from servicelayer.epochs import queries, verdict_queries
from servicelayer.epochs.clock import epoch_bounds
from servicelayer.errors import InvalidInput
from servicelayer.storage import receipts_repo

router = APIRouter(tags=["epochs"])


class EpochOut(BaseModel):
    number: int
    start: int = Field(description="unix seconds, inclusive")
    end: int = Field(description="unix seconds, exclusive")
    status: str = Field(
        description="last pipeline step completed: closed, verified, executed, settled, anchored"
    )
    receipts: int = Field(description="stored receipts (one per stream and window) in it")
    root: str | None = Field(description="hex Merkle root of its receipts and payouts")
    anchor_tx: str | None = Field(description="hash of the Stellar transaction anchoring the root")
    settlement_plan: str | None


class EpochPage(BaseModel):
    epochs: list[EpochOut]


@router.get(
    "/v1/epochs",
    response_model=EpochPage,
    summary="Closed epochs, newest first",
    responses=documented(422, 503),
)
def list_epochs(
    before: int | None = Query(None, ge=0, description="Only epochs numbered below this"),
    limit: int = Query(20, ge=1, le=200),
    node: NodeState = Depends(node_state),
) -> EpochPage:
    with node.database.session() as session:
        views = queries.list_epochs(session, before, limit, node.settings.epoch_seconds)
    return EpochPage(epochs=[EpochOut(**asdict(v)) for v in views])


@router.get(
    "/v1/epochs/{number}",
    response_model=EpochOut,
    summary="One closed epoch",
    responses=documented(404, 422, 503),
)
def get_epoch(number: int = Path(ge=0), node: NodeState = Depends(node_state)) -> EpochOut:
    with node.database.session() as session:
        view = queries.get_epoch(session, number, node.settings.epoch_seconds)
    return EpochOut(**asdict(view))


class VerdictOut(BaseModel):
    receipt_id: str
    epoch: int
    verdict: str = Field(description="accepted, rejected or down_weighted")
    weight_ppm: int = Field(description="share of the receipt that counts, in millionths")
    reasons: list[str] = Field(description="stable reason codes (docs/verification.md)")
    evidence: list[str] = Field(description="what the reasons rest on: probe:, bitrate:, ...")


class VerdictPage(BaseModel):
    verdicts: list[VerdictOut]


@router.get(
    "/v1/epochs/{number}/verdicts",
    response_model=VerdictPage,
    summary="Verification verdicts of an epoch, optionally only an account's receipts",
    responses=documented(404, 422, 503),
)
def epoch_verdicts(
    number: int = Path(ge=0),
    account: str | None = Query(
        None, description="Only receipts this account signed or is named in"
    ),
    node: NodeState = Depends(node_state),
) -> VerdictPage:
    seconds = node.settings.epoch_seconds
    with node.database.session() as session:
        queries.get_epoch(session, number, seconds)  # 404 for an epoch not closed yet
        ids = None
        if account is not None:
            if len(account) != 56 or not account.startswith("G"):
                raise InvalidInput(f"not a Stellar account: {account!r}", code="invalid_account")
            ids = receipts_repo.ids_of_account(session, account, *epoch_bounds(number, seconds))
        views = verdict_queries.verdicts_in(session, number, ids)
    return VerdictPage(verdicts=[VerdictOut(**asdict(v)) for v in views])
