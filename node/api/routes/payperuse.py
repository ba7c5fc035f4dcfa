"""Pay-per-view offers, per-minute rates and statements, and the entitlement check."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from node.api.auth import PRIVATE, Writer, own_account, writer
from node.api.errors import WRITE_ERRORS, documented
from node.api.models.commerce import (
    EntitlementOut,
    GrantsOut,
    OfferIn,
    OfferOut,
    RateIn,
    RateOut,
    StatementOut,
)
from node.api.models.common import ACCOUNT_PATTERN, INFOHASH_PATTERN
from node.api.state import NodeState, node_state
from servicelayer.services import entitlements, payperuse

router = APIRouter(tags=["pay-per-view and per-minute"])
Content = Path(pattern=INFOHASH_PATTERN, description="Infohash")


@router.post(
    "/v1/access/offers",
    response_model=OfferOut,
    summary="Sell one-time access to your content (or change the offer)",
    description="A purchase is a payment to the treasury, credited by the ledger watcher.",
    responses=WRITE_ERRORS,
)
def set_offer(body: OfferIn, w: Writer = Depends(writer)) -> JSONResponse:
    return w.run(
        body,
        lambda s, ctx: payperuse.set_offer(
            w.node.runtime,
            s,
            ctx,
            w.account,
            body.content,
            body.price,
            body.asset,
            body.duration,
            body.token_code,
        ),
    )


@router.delete(
    "/v1/access/offers/{content}",
    response_model=OfferOut,
    summary="Stop selling access (grants already sold run to their end)",
    responses=WRITE_ERRORS,
)
def stop_sales(content: str = Content, w: Writer = Depends(writer)) -> JSONResponse:
    rt = w.node.runtime
    return w.run(None, lambda s, ctx: payperuse.stop_sales(rt, s, ctx, w.account, content))


@router.get(
    "/v1/access/offers/{content}",
    response_model=OfferOut,
    summary="The pay-per-view offer of a content",
    responses=documented(404, 422, 503),
)
def get_offer(content: str = Content, node: NodeState = Depends(node_state)) -> OfferOut:
    with node.database.session() as s:
        return OfferOut.model_validate(payperuse.get_offer(node.runtime, s, content))


@router.get(
    "/v1/accounts/{account}/access",
    response_model=GrantsOut,
    summary="The one-time access an account bought",
    description=PRIVATE,
    responses=documented(401, 403, 422, 503),
)
def grants(account: str = Depends(own_account), node: NodeState = Depends(node_state)) -> GrantsOut:
    with node.database.session() as s:
        return GrantsOut.model_validate(payperuse.grants_of(node.runtime, s, account, node.clock()))


@router.post(
    "/v1/billing/rates",
    response_model=RateOut,
    summary="Set the per-minute price of your content",
    responses=WRITE_ERRORS,
)
def set_rate(body: RateIn, w: Writer = Depends(writer)) -> JSONResponse:
    return w.run(
        body,
        lambda s, ctx: payperuse.set_rate(
            w.node.runtime, s, ctx, w.account, body.content, body.asset, body.per_minute
        ),
    )


@router.get(
    "/v1/billing/rates/{content}",
    response_model=RateOut,
    summary="The per-minute rate of a content",
    responses=documented(404, 422, 503),
)
def get_rate(content: str = Content, node: NodeState = Depends(node_state)) -> RateOut:
    with node.database.session() as s:
        return RateOut.model_validate(payperuse.get_rate(node.runtime, s, content))


@router.get(
    "/v1/accounts/{account}/statement",
    response_model=StatementOut,
    summary="Per-minute billing statement: prepaid balances and every line",
    description=PRIVATE,
    responses=documented(401, 403, 422, 503),
)
def statement(
    account: str = Depends(own_account), node: NodeState = Depends(node_state)
) -> StatementOut:
    with node.database.session() as s:
        return StatementOut.model_validate(payperuse.account_statement(node.runtime, s, account))


@router.get(
    "/v1/entitlements",
    response_model=EntitlementOut,
    summary="May this account watch this content now, and if not, why not",
    description="Combines subscriptions, one-time access and per-minute billing.",
    responses=documented(422, 503),
)
def entitlement(
    account: str = Query(pattern=ACCOUNT_PATTERN),
    content: str = Query(pattern=INFOHASH_PATTERN),
    node: NodeState = Depends(node_state),
) -> EntitlementOut:
    with node.database.session() as s:
        view = entitlements.check(node.runtime, s, account, content, node.clock())
    return EntitlementOut.model_validate(view)
