"""Subscription use cases: channels, plans, bundles, subscribe, cancel, and what a member has.

Paying is not an API call: a member pays the treasury on Stellar and the ledger watcher
credits the payment (``ReceivePayment``); subscribing then spends that credit.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from contracts.core import Context
from contracts.subscriptions import (
    ActionCancel,
    ActionCreateBundle,
    ActionCreatePlan,
    ActionRegisterChannel,
    ActionSubscribe,
    Bundle,
    Plan,
    Subscription,
    SubscriptionsState,
    subscription_of,
)
from contracts.subscriptions.entitlement import status_at
from servicelayer.errors import NotFound
from servicelayer.ledger.money import asset_from_text
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import (
    RefusedConflict,
    apply_checked,
    asset_text,
    state_of,
)

CONTRACT = "subscriptions"


@dataclass(frozen=True)
class Terms:
    price: int
    period: int
    asset: str


def register_channel(
    runtime: ContractRuntime, session: Session, ctx: Context, provider: str, channel: str
) -> dict[str, Any]:
    apply_checked(runtime, session, CONTRACT, [ActionRegisterChannel(provider, channel)], ctx)
    return {"channel": channel, "provider": provider}


def create_plan(
    runtime: ContractRuntime,
    session: Session,
    ctx: Context,
    provider: str,
    plan_id: str,
    terms: Terms,
    channels: tuple[str, ...] = (),
    bundleable: bool = True,
) -> dict[str, Any]:
    asset = asset_from_text(terms.asset)
    action = ActionCreatePlan(
        provider, plan_id, terms.price, terms.period, asset, channels, bundleable
    )
    apply_checked(runtime, session, CONTRACT, [action], ctx)
    state: SubscriptionsState = state_of(runtime, session, CONTRACT)
    return plan_view(state.plans[plan_id])


def create_bundle(
    runtime: ContractRuntime,
    session: Session,
    ctx: Context,
    curator: str,
    bundle_id: str,
    plans: tuple[str, ...],
    terms: Terms,
    engagement_cap: int = 0,
) -> dict[str, Any]:
    asset = asset_from_text(terms.asset)
    action = ActionCreateBundle(
        curator, bundle_id, plans, terms.price, terms.period, asset, engagement_cap
    )
    apply_checked(runtime, session, CONTRACT, [action], ctx)
    state: SubscriptionsState = state_of(runtime, session, CONTRACT)
    return bundle_view(state.bundles[bundle_id])


def list_plans(
    runtime: ContractRuntime, session: Session, provider: str | None
) -> list[dict[str, Any]]:
    state: SubscriptionsState = state_of(runtime, session, CONTRACT)
    plans = (state.plans[k] for k in sorted(state.plans))
    return [plan_view(p) for p in plans if provider is None or p.provider == provider]


def list_bundles(
    runtime: ContractRuntime, session: Session, provider: str | None
) -> list[dict[str, Any]]:
    state: SubscriptionsState = state_of(runtime, session, CONTRACT)
    bundles = (state.bundles[k] for k in sorted(state.bundles))
    return [
        bundle_view(b)
        for b in bundles
        if provider is None or provider == b.curator or provider in b.providers
    ]


def subscribe(
    runtime: ContractRuntime, session: Session, ctx: Context, account: str, offering_id: str
) -> dict[str, Any]:
    try:
        apply_checked(runtime, session, CONTRACT, [ActionSubscribe(account, offering_id)], ctx)
    except RefusedConflict as exc:
        if exc.code != "insufficient_credit":
            raise
        state: SubscriptionsState = state_of(runtime, session, CONTRACT)
        offering = state.plans.get(offering_id) or state.bundles[offering_id]
        raise RefusedConflict(
            f"pay {offering.price} stroops of {asset_text(offering.asset)} to the treasury "
            "first; the payment is credited when the ledger shows it",
            code="insufficient_credit",
        ) from None
    return _subscription(runtime, session, account, offering_id, ctx.close_time)


def cancel(
    runtime: ContractRuntime, session: Session, ctx: Context, account: str, offering_id: str
) -> dict[str, Any]:
    apply_checked(runtime, session, CONTRACT, [ActionCancel(account, offering_id)], ctx)
    return _subscription(runtime, session, account, offering_id, ctx.close_time)


def _subscription(
    runtime: ContractRuntime, session: Session, account: str, offering_id: str, now: int
) -> dict[str, Any]:
    state: SubscriptionsState = state_of(runtime, session, CONTRACT)
    sub = subscription_of(state, account, offering_id)
    if sub is None:
        raise NotFound(f"{account} has no subscription to {offering_id}", code="not_subscribed")
    return subscription_view(state, sub, now)


def member_view(
    runtime: ContractRuntime, session: Session, account: str, now: int
) -> dict[str, Any]:
    """An account's subscriptions as they stand at ``now``, and its unspent credit."""
    state: SubscriptionsState = state_of(runtime, session, CONTRACT)
    mine = state.subscriptions.get(account, {})
    credits = sorted(
        (asset_text(asset), amount)
        for (who, asset), amount in state.credits.items()
        if who == account
    )
    return {
        "account": account,
        "subscriptions": [subscription_view(state, mine[k], now) for k in sorted(mine)],
        "credits": [{"asset": a, "amount": n} for a, n in credits],
    }


def plan_view(plan: Plan) -> dict[str, Any]:
    return {
        "plan_id": plan.plan_id,
        "provider": plan.provider,
        "price": plan.price,
        "period": plan.period,
        "asset": asset_text(plan.asset),
        "channels": list(plan.channels),
        "bundleable": plan.bundleable,
        "retired": plan.retired,
    }


def bundle_view(bundle: Bundle) -> dict[str, Any]:
    return {
        "bundle_id": bundle.bundle_id,
        "curator": bundle.curator,
        "plans": list(bundle.plans),
        "providers": list(bundle.providers),
        "price": bundle.price,
        "period": bundle.period,
        "asset": asset_text(bundle.asset),
        "engagement_cap": bundle.engagement_cap,
        "retired": bundle.retired,
    }


def subscription_view(state: SubscriptionsState, sub: Subscription, now: int) -> dict[str, Any]:
    standing = status_at(state, sub, now)
    return {
        "account": sub.account,
        "offering_id": sub.offering_id,
        "kind": sub.kind.value,
        "price": sub.terms.price,
        "period": sub.terms.period,
        "asset": asset_text(sub.terms.asset),
        "status": sub.status.value,
        "paid_until": sub.paid_until,
        "cancel_at_period_end": sub.cancel_at_period_end,
        "due": sub.due,
        "entitled": standing.allowed,
        "reason": standing.reason,
        "until": standing.until,
    }
