"""The open content index (P2P search): providers publish, anyone searches."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from node.api.auth import Writer, writer
from node.api.errors import documented
from node.api.models.catalog import CatalogItemOut, OriginsIn, PublishIn, SearchOut
from node.api.models.common import ACCOUNT_PATTERN, INFOHASH_PATTERN, MAX_OFFSET
from node.api.state import NodeState, node_state
from servicelayer.services import catalog

router = APIRouter(tags=["catalog"])


@router.post(
    "/v1/catalog",
    response_model=CatalogItemOut,
    status_code=201,
    summary="Publish content (or update your own listed item)",
    description="The signed-in account is the provider. The content is also registered as "
    "the provider's for subscriptions (optionally in one of its channels).",
    responses=documented(400, 401, 409, 422, 429),
)
def publish(body: PublishIn, w: Writer = Depends(writer)) -> JSONResponse:
    item = catalog.Publication(
        body.infohash,
        body.title,
        tuple(body.tags),
        body.bitrate,
        body.price_per_minute,
        body.channel,
    )
    return w.run(body, lambda s, ctx: catalog.publish(w.node.runtime, s, ctx, w.account, item), 201)


@router.get(
    "/v1/catalog",
    response_model=SearchOut,
    summary="Search the catalog (listed items only)",
    description="Every word of `q` must appear in the title or tags; all `tag`s must be "
    "present. Ranked by score, then newest, then infohash.",
    responses=documented(422, 503),
)
def search(
    q: str = Query("", max_length=200, description="Words to find"),
    tag: list[str] = Query([], max_length=16, description="Required tags (repeatable)"),
    provider: str | None = Query(None, pattern=ACCOUNT_PATTERN),
    limit: int = Query(20, ge=1, le=100),
    offset: int = Query(0, ge=0, le=MAX_OFFSET),
    node: NodeState = Depends(node_state),
) -> SearchOut:
    with node.database.session() as s:
        page = catalog.find(node.runtime, s, q, tuple(tag), provider, limit, offset)
    return SearchOut.model_validate(page)


@router.get(
    "/v1/catalog/{infohash}",
    response_model=CatalogItemOut,
    summary="One catalog item, whatever its status",
    responses=documented(404, 422, 503),
)
def get_item(
    infohash: str = Path(pattern=INFOHASH_PATTERN), node: NodeState = Depends(node_state)
) -> CatalogItemOut:
    with node.database.session() as s:
        return CatalogItemOut.model_validate(catalog.get_item(node.runtime, s, infohash))


@router.put(
    "/v1/catalog/{infohash}/origins",
    response_model=CatalogItemOut,
    summary="Name the origin seeders of your item (replaces the list)",
    description="Only the item's catalog owner may, while it is listed (the ownership "
    "rule: 409 `content_not_published`, `not_content_owner`, `content_hidden`, "
    "`content_delisted`). At most 16 accounts; an empty list clears it. Validators probe "
    "the swarm every window and contact the origins' registered endpoints first, so a "
    "fresh origin can be vetted (docs/verification.md).",
    responses=documented(400, 401, 409, 422, 429),
)
def set_origins(
    body: OriginsIn,
    infohash: str = Path(pattern=INFOHASH_PATTERN),
    w: Writer = Depends(writer),
) -> JSONResponse:
    return w.run(
        body,
        lambda s, ctx: catalog.set_origins(
            w.node.runtime, s, ctx, w.account, infohash, body.accounts
        ),
    )
