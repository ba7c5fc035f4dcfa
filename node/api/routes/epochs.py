from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Path, Query
from pydantic import BaseModel, Field

from node.api.errors import documented
from node.api.limits import page_limit
from node.api.models.common import (
    ACCOUNT_PATTERN,
    MAX_EPOCH,
    PAYOUT_ID_PATTERN,
    RECEIPT_ID_PATTERN,
)
from node.api.state import NodeState, node_state
from servicelayer.epochs import proofs, queries, verdict_queries

router = APIRouter(tags=["epochs"])
Number = Path(ge=0, le=MAX_EPOCH, description="Epoch number")
MAX_POSITION = 999_999_999  # a payout id's position has at most 9 digits


class EpochOut(BaseModel):
    number: int
    start: int = Field(description="unix seconds, inclusive")
    end: int = Field(description="unix seconds, exclusive")
    status: str = Field(
        description="last pipeline step completed: closed, verified, computed, anchored, settled"
    )
    receipts: int = Field(description="stored receipts (one per stream and window) in it")
    root: str | None = Field(description="hex Merkle root of its receipts and payouts")
    anchor_tx: str | None = Field(description="hash of the Stellar transaction anchoring the root")
    anchor_ledger: int | None = Field(description="the ledger that applied the anchor")
    settlement_plan: str | None = Field(description="id of the plan that pays its payouts")
    payouts: int = Field(description="payouts its contracts computed")
    error: str | None = Field(description="why its next step failed last (it is retried)")


class EpochPage(BaseModel):
    epochs: list[EpochOut]


@router.get(
    "/v1/epochs",
    response_model=EpochPage,
    summary="Closed epochs, newest first",
    responses=documented(422, 503),
)
def list_epochs(
    before: int | None = Query(
        None, ge=0, le=MAX_EPOCH, description="Only epochs numbered below this"
    ),
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
def get_epoch(number: int = Number, node: NodeState = Depends(node_state)) -> EpochOut:
    with node.database.session() as session:
        view = queries.get_epoch(session, number, node.settings.epoch_seconds)
    return EpochOut(**asdict(view))


class ResolutionOut(BaseModel):
    epoch: int = Field(description="the later epoch that resolved it and counts it")
    verdict: str = Field(description="accepted, down_weighted or rejected")
    weight_ppm: int = Field(description="share counted in that epoch, in millionths")
    reasons: list[str] = Field(description="the resolution's own reason codes")
    evidence: list[str]


class VerdictOut(BaseModel):
    receipt_id: str
    epoch: int
    verdict: str = Field(description="accepted, rejected, down_weighted or deferred")
    weight_ppm: int = Field(description="share of the receipt that counts, in millionths")
    reasons: list[str] = Field(description="stable reason codes (docs/verification.md)")
    evidence: list[str] = Field(description="what the reasons rest on: probe:, bitrate:, ...")
    held_ppm: int = Field(
        0, description="a deferred verdict's held weight: the most a later epoch releases"
    )
    resolution: ResolutionOut | None = Field(
        None, description="how a later epoch resolved a deferred verdict (null until then)"
    )


class VerdictPage(BaseModel):
    verdicts: list[VerdictOut]
    next: str | None = Field(
        description="pass it as `after` for the next page; null after the last"
    )


@router.get(
    "/v1/epochs/{number}/verdicts",
    response_model=VerdictPage,
    summary="Verification verdicts of an epoch in receipt-id order, a page at a time, "
    "optionally only an account's receipts",
    responses=documented(404, 422, 429, 503),
    dependencies=[Depends(page_limit)],
)
def epoch_verdicts(
    number: int = Number,
    account: str | None = Query(
        None,
        pattern=ACCOUNT_PATTERN,
        description="Only receipts this account signed or is named in",
    ),
    after: str = Query(
        "", pattern=f"^$|{RECEIPT_ID_PATTERN}", description="The last page's `next`"
    ),
    limit: int = Query(500, ge=1, le=1000),
    node: NodeState = Depends(node_state),
) -> VerdictPage:
    with node.database.session() as session:
        queries.get_epoch(session, number, node.settings.epoch_seconds)  # 404: not closed
        views, cursor = verdict_queries.verdicts_in(session, number, account, after.lower(), limit)
    return VerdictPage(verdicts=[VerdictOut(**asdict(v)) for v in views], next=cursor)


class PayoutOut(BaseModel):
    id: str = Field(description="epoch-<epoch>-<position>; also the settlement reference")
    epoch: int
    kind: str = Field(
        description="revenue (a provider, net of the fee), refund, reward or (on a "
        "federation) mint: a mint the DAO voted, paid by the asset's issuer"
    )
    reference: str = Field(description="the contract's own reference")
    account: str
    asset: str = Field(description='"native" or CODE:ISSUER')
    amount: int = Field(description="stroops")
    source: str | None = Field(description="who pays it: null is the treasury, else an issuer")
    status: str = Field(description="pending, paid, paid_as_claimable_balance or failed")
    tx_hash: str | None = Field(description="the Stellar transaction that paid it")


class PayoutPage(BaseModel):
    payouts: list[PayoutOut]
    next: int | None = Field(
        description="pass it as `after` for the next page; null after the last"
    )


class ProofOut(BaseModel):
    epoch: int
    leaf: list[str | int] = Field(description="the leaf's fields; its bytes are canonical JSON")
    leaf_hash: str = Field(description="hex SHA-256(0x00 || leaf bytes)")
    index: int = Field(description="position among the tree's leaves (sorted by hash)")
    size: int = Field(description="number of leaves")
    path: list[str] = Field(description="hex sibling hashes, lowest first (RFC 6962)")
    root: str
    anchor: dict[str, str | int | None] = Field(
        description="tx_hash and ledger of the anchor transaction (null until anchored)"
    )


class PayoutWithProof(PayoutOut):
    proof: ProofOut


class ReceiptProofOut(ProofOut):
    resolution: ProofOut | None = Field(
        None,
        description="a deferred receipt's release leaf in the later epoch that resolved it "
        "(null until it is resolved and that epoch is anchored)",
    )


@router.get(
    "/v1/epochs/{number}/payouts",
    response_model=PayoutPage,
    summary="The payouts an epoch's contracts computed, with how each was paid, in order, "
    "a page at a time",
    responses=documented(404, 422, 429, 503),
    dependencies=[Depends(page_limit)],
)
def epoch_payouts(
    number: int = Number,
    after: int = Query(-1, ge=-1, le=MAX_POSITION, description="The last page's `next`"),
    limit: int = Query(500, ge=1, le=1000),
    node: NodeState = Depends(node_state),
) -> PayoutPage:
    with node.database.session() as session:
        rows, cursor = proofs.payouts_of_epoch(session, number, after, limit)
    return PayoutPage(payouts=[PayoutOut(**row) for row in rows], next=cursor)


@router.get(
    "/v1/payouts/{payout_id}",
    response_model=PayoutWithProof,
    summary="One payout and its proof against the epoch's anchored Merkle root",
    responses=documented(404, 422, 503),
)
def payout(
    # Checked by the service, which answers 422 `invalid_payout_id` (docs/api.md).
    payout_id: str = Path(max_length=40, json_schema_extra={"pattern": PAYOUT_ID_PATTERN}),
    node: NodeState = Depends(node_state),
) -> PayoutWithProof:
    with node.database.session() as session:
        view = proofs.payout_with_proof(node.proofs, session, payout_id)
    return PayoutWithProof(**view)


@router.get(
    "/v1/receipts/{receipt_id}/proof",
    response_model=ReceiptProofOut,
    summary="A receipt's proof against its epoch's anchored Merkle root",
    responses=documented(404, 422, 503),
)
def receipt_proof(
    receipt_id: str = Path(pattern="^[0-9a-f]{64}$"), node: NodeState = Depends(node_state)
) -> ReceiptProofOut:
    with node.database.session() as session:
        view = proofs.receipt_proof(node.proofs, session, receipt_id)
    return ReceiptProofOut(**view)
