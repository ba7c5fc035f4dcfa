from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response

from node.api.auth import PRIVATE, own_account
from node.api.errors import BatchTooLarge, InvalidJson, UnsupportedMediaType, documented
from node.api.limits import ingest_limit
from node.api.models.common import MAX_EPOCH, RECEIPT_ID_PATTERN
from node.api.schemas import IngestOut, ReceiptBatchIn, ReceiptOut, UsageOut
from node.api.state import NodeState, node_state
from servicelayer.epochs import epoch_of, verdict_queries
from servicelayer.errors import InvalidInput
from servicelayer.federation.batches import seal_batch
from servicelayer.ingest import ItemResult, admit_batch, ingest_batch, queries

router = APIRouter(tags=["receipts"])


async def _receipts_of_body(request: Request) -> list[Any]:
    """The body's ``receipts``, parsed with orjson; each receipt is checked by the service.

    Declared by hand rather than as a pydantic body: pydantic would only confirm a list of
    anything, after the slower standard-library parse. ``ReceiptBatchIn`` documents it.
    """
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type and media_type != "application/json" and not _JSON_SUFFIXED.fullmatch(media_type):
        raise UnsupportedMediaType(f"the body must be application/json, not {media_type[:80]}")
    try:
        parsed = orjson.loads(await request.body())
    except orjson.JSONDecodeError:
        raise InvalidJson("the body is not valid JSON") from None
    if not isinstance(parsed, dict):
        raise InvalidInput('the body must be a JSON object {"receipts": [...]}', code=_SHAPE)
    receipts = parsed.get("receipts")
    if not isinstance(receipts, list):
        raise InvalidInput("receipts: a list of receipts is required", code=_SHAPE)
    if not receipts:
        raise InvalidInput("receipts: at least one receipt is required", code=_SHAPE)
    if len(parsed) > 1:
        extra = sorted(parsed.keys() - {"receipts"})[:5]
        raise InvalidInput(f"unexpected top-level members {extra}", code=_SHAPE)
    return receipts


_SHAPE = "invalid_request"
_JSON_SUFFIXED = re.compile(r"application/[^/]+\+json")


@router.post(
    "/v1/receipts",
    response_model=IngestOut,
    summary="Submit a batch of signed receipts",
    description=(
        "Each receipt is checked on its own; the answer lists one result per receipt in "
        "input order. A bad receipt never blocks the good ones; the accepted ones are "
        "stored atomically. Rejection reasons are listed in docs/protocol.md."
    ),
    responses=documented(400, 413, 415, 422, 429, 503),
    dependencies=[Depends(ingest_limit)],
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": ReceiptBatchIn.model_json_schema()}},
        }
    },
)
def submit_receipts(
    receipts: list[Any] = Depends(_receipts_of_body), node: NodeState = Depends(node_state)
) -> Response:
    limit = node.settings.max_batch
    if len(receipts) > limit:
        raise BatchTooLarge(f"at most {limit} receipts per request")
    if node.federation is not None:
        results = _admit(node, receipts)
    else:
        with node.database.session(write=True) as session:
            results = ingest_batch(session, receipts, node.policy, node.clock())
    # Rendered directly: the shape is IngestOut by construction (checked by the API tests),
    # and validating a thousand results costs more than ingesting them.
    return Response(orjson.dumps({"results": results}), media_type="application/json")


def _admit(node: NodeState, receipts: list[Any]) -> list[ItemResult]:
    """A federation validator seals what it accepts into its next batch, for the
    validators to agree on (docs/federation.md, "Agreed inputs")."""
    assert node.federation is not None
    relay = node.federation.relay
    with relay.sealing, node.database.session(write=True) as session:
        now = node.clock()
        results, accepted = admit_batch(session, receipts, node.policy, now)
        if accepted:
            seal_batch(session, relay.keypair, relay.passphrase, now, accepted)
    return results


@router.get(
    "/v1/receipts/{receipt_id}",
    response_model=ReceiptOut,
    summary="A stored receipt, with its signature, so anyone can check it",
    responses=documented(404, 422, 503),
)
def get_receipt(
    receipt_id: str = Path(pattern=RECEIPT_ID_PATTERN),
    node: NodeState = Depends(node_state),
) -> ReceiptOut:
    with node.database.session() as session:
        view = queries.get_receipt(
            session, receipt_id, node.policy.network_id, node.settings.epoch_seconds
        )
        verdict = verdict_queries.verdict_of(session, receipt_id)
    return ReceiptOut(
        **asdict(view) | {"receipt": view.wire},
        verification=None if verdict is None else asdict(verdict),
    )


@router.get(
    "/v1/accounts/{account}/usage",
    response_model=UsageOut,
    summary="What an account uploaded, downloaded and watched in an epoch",
    description=PRIVATE,
    responses=documented(401, 403, 422, 503),
)
def account_usage(
    account: str = Depends(own_account),
    epoch: int | None = Query(
        None, ge=0, le=MAX_EPOCH, description="Defaults to the current epoch"
    ),
    node: NodeState = Depends(node_state),
) -> UsageOut:
    seconds = node.settings.epoch_seconds
    number = epoch if epoch is not None else epoch_of(node.clock(), seconds)
    with node.database.session() as session:
        result = queries.usage(session, account, number, seconds)
    return UsageOut(**asdict(result))
