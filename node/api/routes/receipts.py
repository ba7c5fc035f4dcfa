from __future__ import annotations

from dataclasses import asdict

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from node.api.errors import BatchTooLarge, documented
from node.api.schemas import IngestOut, ReceiptBatchIn, ReceiptOut, UsageOut
from node.api.state import NodeState, node_state
from servicelayer.epochs import epoch_of
from servicelayer.ingest import ingest_batch, queries

router = APIRouter(tags=["receipts"])


@router.post(
    "/v1/receipts",
    response_model=IngestOut,
    summary="Submit a batch of signed receipts",
    description=(
        "Each receipt is checked on its own; the answer lists one result per receipt in "
        "input order. A bad receipt never blocks the good ones; the accepted ones are "
        "stored atomically. Rejection reasons are listed in docs/protocol.md."
    ),
    responses=documented(400, 413, 422, 503),
)
def submit_receipts(batch: ReceiptBatchIn, node: NodeState = Depends(node_state)) -> JSONResponse:
    limit = node.settings.max_batch
    if len(batch.receipts) > limit:
        raise BatchTooLarge(f"at most {limit} receipts per request")
    with node.database.session(write=True) as session:
        results = ingest_batch(session, batch.receipts, node.policy, node.clock())
    # Rendered directly: the shape is IngestOut by construction (checked by the API tests),
    # and validating a thousand results twice costs more than ingesting them.
    return JSONResponse({"results": [asdict(r) for r in results]})


@router.get(
    "/v1/receipts/{receipt_id}",
    response_model=ReceiptOut,
    summary="A stored receipt, with its signature, so anyone can check it",
    responses=documented(404, 422, 503),
)
def get_receipt(
    receipt_id: str = Path(pattern="^[0-9a-fA-F]{64}$"),
    node: NodeState = Depends(node_state),
) -> ReceiptOut:
    with node.database.session() as session:
        view = queries.get_receipt(
            session, receipt_id, node.policy.network_id, node.settings.epoch_seconds
        )
    return ReceiptOut(**asdict(view) | {"receipt": view.wire})


@router.get(
    "/v1/accounts/{account}/usage",
    response_model=UsageOut,
    summary="What an account uploaded, downloaded and watched in an epoch",
    responses=documented(422, 503),
)
def account_usage(
    account: str = Path(description="Stellar account G..."),
    epoch: int | None = Query(None, ge=0, description="Defaults to the current epoch"),
    node: NodeState = Depends(node_state),
) -> UsageOut:
    seconds = node.settings.epoch_seconds
    number = epoch if epoch is not None else epoch_of(node.clock(), seconds)
    with node.database.session() as session:
        result = queries.usage(session, account, number, seconds)
    return UsageOut(**asdict(result))
