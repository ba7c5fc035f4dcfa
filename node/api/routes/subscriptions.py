"""Channels, plans, bundles and subscriptions (the subscriptions contract)."""

from __future__ import annotations

from fastapi import APIRouter, Depends, Path, Query
from fastapi.responses import JSONResponse

from node.api.auth import PRIVATE, Writer, own_account, writer
from node.api.errors import WRITE_ERRORS, documented
from node.api.models.commerce import (
    BundleIn,
    BundleOut,
    ChannelIn,
    ChannelOut,
    MemberSubscriptionsOut,
    PlanIn,
    PlanOut,
    SubscribeIn,
    SubscriptionOut,
)
from node.api.models.common import ACCOUNT_PATTERN, ID_PATTERN
from node.api.state import NodeState, node_state
from servicelayer.services import subscriptions as subs

router = APIRouter(tags=["subscriptions"])
Provider = Query(None, pattern=ACCOUNT_PATTERN, description="Only this provider's")


@router.post(
    "/v1/channels",
    response_model=ChannelOut,
    status_code=201,
    summary="Register a channel of yours (plans can cover chosen channels)",
    responses=WRITE_ERRORS,
)
def register_channel(body: ChannelIn, w: Writer = Depends(writer)) -> JSONResponse:
    rt = w.node.runtime
    return w.run(
        body, lambda s, ctx: subs.register_channel(rt, s, ctx, w.account, body.channel), 201
    )


@router.post(
    "/v1/plans",
    response_model=PlanOut,
    status_code=201,
    summary="Create a subscription plan (you are its provider)",
    responses=WRITE_ERRORS,
)
def create_plan(body: PlanIn, w: Writer = Depends(writer)) -> JSONResponse:
    terms = subs.Terms(body.price, body.period, body.asset)
    channels = tuple(body.channels)
    return w.run(
        body,
        lambda s, ctx: subs.create_plan(
            w.node.runtime, s, ctx, w.account, body.plan_id, terms, channels, body.bundleable
        ),
        201,
    )


@router.get("/v1/plans", response_model=list[PlanOut], summary="Plans", responses=documented(422))
def list_plans(
    provider: str | None = Provider, node: NodeState = Depends(node_state)
) -> list[PlanOut]:
    with node.database.session() as s:
        return [PlanOut.model_validate(p) for p in subs.list_plans(node.runtime, s, provider)]


@router.post(
    "/v1/bundles",
    response_model=BundleOut,
    status_code=201,
    summary="Create a bundle of several providers' plans (you curate it)",
    description="You must be the provider of one of the plans; every plan must be bundleable.",
    responses=WRITE_ERRORS,
)
def create_bundle(body: BundleIn, w: Writer = Depends(writer)) -> JSONResponse:
    terms = subs.Terms(body.price, body.period, body.asset)
    plans = tuple(body.plans)
    return w.run(
        body,
        lambda s, ctx: subs.create_bundle(
            w.node.runtime, s, ctx, w.account, body.bundle_id, plans, terms, body.engagement_cap
        ),
        201,
    )


@router.get(
    "/v1/bundles", response_model=list[BundleOut], summary="Bundles", responses=documented(422)
)
def list_bundles(
    provider: str | None = Provider, node: NodeState = Depends(node_state)
) -> list[BundleOut]:
    with node.database.session() as s:
        return [BundleOut.model_validate(b) for b in subs.list_bundles(node.runtime, s, provider)]


@router.post(
    "/v1/subscriptions",
    response_model=SubscriptionOut,
    status_code=201,
    summary="Subscribe to a plan or bundle with your paid-in credit",
    description="Pay the price to the treasury on Stellar first; once the ledger shows the "
    "payment it is your credit (see GET /v1/accounts/{account}/subscriptions). Without "
    "enough credit the answer is 409 `insufficient_credit`, saying what to pay.",
    responses=WRITE_ERRORS,
)
def subscribe(body: SubscribeIn, w: Writer = Depends(writer)) -> JSONResponse:
    rt = w.node.runtime
    return w.run(body, lambda s, ctx: subs.subscribe(rt, s, ctx, w.account, body.offering_id), 201)


@router.delete(
    "/v1/subscriptions/{offering_id}",
    response_model=SubscriptionOut,
    summary="Cancel your subscription (at the end of the paid period)",
    responses=WRITE_ERRORS,
)
def cancel(
    offering_id: str = Path(pattern=ID_PATTERN), w: Writer = Depends(writer)
) -> JSONResponse:
    rt = w.node.runtime
    return w.run(None, lambda s, ctx: subs.cancel(rt, s, ctx, w.account, offering_id))


@router.get(
    "/v1/accounts/{account}/subscriptions",
    response_model=MemberSubscriptionsOut,
    summary="An account's subscriptions as they stand now, and its unspent credit",
    description=PRIVATE,
    responses=documented(401, 403, 422, 503),
)
def member_subscriptions(
    account: str = Depends(own_account), node: NodeState = Depends(node_state)
) -> MemberSubscriptionsOut:
    with node.database.session() as s:
        view = subs.member_view(node.runtime, s, account, node.clock())
    return MemberSubscriptionsOut.model_validate(view)
