"""Catalog side of the subscriptions contract: channels, content, plans and bundles."""

from __future__ import annotations

from dataclasses import replace

from contracts.common import (
    ReceiveContentDelisted,
    ReceiveContentRelisted,
    is_account,
    is_asset,
    is_content_id,
    is_identifier,
    is_int_in,
)
from contracts.core import TransitionResult, is_valid_amount, rejected
from contracts.subscriptions.actions import (
    ActionCreateBundle,
    ActionCreatePlan,
    ActionRegisterChannel,
    ActionRegisterContent,
    ActionRetireOffering,
    ActionUpdateTerms,
)
from contracts.subscriptions.events import (
    EventChannelRegistered,
    EventContentDelisted,
    EventContentRegistered,
    EventContentRelisted,
    EventOfferingCreated,
    EventOfferingRetired,
    EventTermsUpdated,
)
from contracts.subscriptions.state import (
    MAX_PERIOD,
    MIN_PERIOD,
    Bundle,
    Channel,
    Content,
    OfferingKind,
    Plan,
    SubscriptionsState,
)

Result = TransitionResult[SubscriptionsState]
MAX_BUNDLE_PLANS = 32
MAX_PLAN_CHANNELS = 64


def owner_of(state: SubscriptionsState, offering_id: str) -> str | None:
    if offering_id in state.plans:
        return state.plans[offering_id].provider
    if offering_id in state.bundles:
        return state.bundles[offering_id].curator
    return None


def register_channel(state: SubscriptionsState, action: ActionRegisterChannel) -> Result:
    if not is_account(action.provider):
        return rejected(state, action, "invalid_account")
    if not is_identifier(action.channel):
        return rejected(state, action, "invalid_channel")
    if is_content_id(action.channel.lower()):  # would block that content's owner publishing
        return rejected(state, action, "invalid_channel", "a channel id cannot be an infohash")
    if action.channel in state.channels or action.channel in state.contents:
        return rejected(state, action, "channel_exists")
    channel = Channel(action.channel, action.provider)
    new = replace(state, channels=state.channels.set(action.channel, channel))
    return TransitionResult(new, (EventChannelRegistered(action.provider, action.channel),))


def register_content(state: SubscriptionsState, action: ActionRegisterContent) -> Result:
    if not is_account(action.provider):
        return rejected(state, action, "invalid_account")
    if not is_content_id(action.content):
        return rejected(state, action, "invalid_content")
    if action.content in state.contents or action.content in state.channels:
        return rejected(state, action, "content_exists")
    if type(action.channel) is not str:
        return rejected(state, action, "invalid_channel")
    if action.channel != "":
        channel = state.channels.get(action.channel)
        if channel is None:
            return rejected(state, action, "unknown_channel")
        if channel.provider != action.provider:
            return rejected(state, action, "not_channel_owner")
    content = Content(action.content, action.provider, action.channel)
    new = replace(state, contents=state.contents.set(action.content, content))
    event = EventContentRegistered(action.provider, action.content, action.channel)
    return TransitionResult(new, (event,))


def _terms_problem(price: object, period: object) -> str | None:
    if not is_valid_amount(price):
        return "invalid_price"
    if not is_int_in(period, MIN_PERIOD, MAX_PERIOD):
        return "invalid_period"
    return None


def create_plan(state: SubscriptionsState, action: ActionCreatePlan) -> Result:
    if not is_account(action.provider):
        return rejected(state, action, "invalid_account")
    if not is_identifier(action.plan_id):
        return rejected(state, action, "invalid_offering_id")
    if owner_of(state, action.plan_id) is not None:
        return rejected(state, action, "offering_exists")
    problem = _terms_problem(action.price, action.period)
    if problem is not None:
        return rejected(state, action, problem)
    if not is_asset(action.asset):
        return rejected(state, action, "invalid_asset")
    if type(action.bundleable) is not bool:
        return rejected(state, action, "invalid_flag")
    channels = action.channels
    if type(channels) is not tuple or len(channels) > MAX_PLAN_CHANNELS:
        return rejected(state, action, "invalid_channels")
    if not all(type(c) is str for c in channels):
        return rejected(state, action, "invalid_channels")
    if len(set(channels)) != len(channels):
        return rejected(state, action, "invalid_channels", "duplicate channel")
    for channel_id in channels:
        channel = state.channels.get(channel_id)
        if channel is None or channel.provider != action.provider:
            return rejected(state, action, "not_channel_owner", str(channel_id))
    plan = Plan(
        action.plan_id,
        action.provider,
        action.price,
        action.period,
        action.asset,
        tuple(sorted(channels)),
        action.bundleable,
    )
    new = replace(state, plans=state.plans.set(action.plan_id, plan))
    event = EventOfferingCreated(
        OfferingKind.PLAN, plan.plan_id, plan.provider, plan.price, plan.period, plan.asset
    )
    return TransitionResult(new, (event,))


def _bundle_problem(state: SubscriptionsState, action: ActionCreateBundle) -> str | None:
    if not is_account(action.curator):
        return "invalid_account"
    if not is_identifier(action.bundle_id):
        return "invalid_offering_id"
    if owner_of(state, action.bundle_id) is not None:
        return "offering_exists"
    problem = _terms_problem(action.price, action.period)
    if problem is not None:
        return problem
    if not is_asset(action.asset):
        return "invalid_asset"
    if not is_int_in(action.engagement_cap, 0, action.period):
        return "invalid_engagement_cap"
    plans = action.plans
    if type(plans) is not tuple or not 2 <= len(plans) <= MAX_BUNDLE_PLANS:
        return "invalid_plans"
    if not all(type(p) is str for p in plans):
        return "invalid_plans"
    if len(set(plans)) != len(plans):
        return "invalid_plans"
    for plan_id in plans:
        plan = state.plans.get(plan_id)
        if plan is None:
            return "unknown_offering"
        if plan.retired:
            return "offering_retired"
        if not plan.bundleable:
            return "plan_not_bundleable"
    if action.curator not in {state.plans[p].provider for p in plans}:
        return "not_bundle_member"
    return None


def create_bundle(state: SubscriptionsState, action: ActionCreateBundle) -> Result:
    problem = _bundle_problem(state, action)
    if problem is not None:
        return rejected(state, action, problem)
    providers = tuple(sorted({state.plans[p].provider for p in action.plans}))
    cap = action.engagement_cap or action.period
    bundle = Bundle(
        action.bundle_id,
        action.curator,
        tuple(sorted(action.plans)),
        providers,
        action.price,
        action.period,
        action.asset,
        cap,
    )
    new = replace(state, bundles=state.bundles.set(action.bundle_id, bundle))
    event = EventOfferingCreated(
        OfferingKind.BUNDLE,
        bundle.bundle_id,
        bundle.curator,
        bundle.price,
        bundle.period,
        bundle.asset,
    )
    return TransitionResult(new, (event,))


def update_terms(state: SubscriptionsState, action: ActionUpdateTerms) -> Result:
    owner = owner_of(state, action.offering_id) if type(action.offering_id) is str else None
    if owner is None:
        return rejected(state, action, "unknown_offering")
    if owner != action.owner:
        return rejected(state, action, "not_offering_owner")
    problem = _terms_problem(action.price, action.period)
    if problem is not None:
        return rejected(state, action, problem)
    event = EventTermsUpdated(action.offering_id, action.price, action.period)
    if action.offering_id in state.plans:
        plan = state.plans[action.offering_id]
        if plan.retired:
            return rejected(state, action, "offering_retired")
        plan = replace(plan, price=action.price, period=action.period)
        return TransitionResult(replace(state, plans=state.plans.set(plan.plan_id, plan)), (event,))
    bundle = state.bundles[action.offering_id]
    if bundle.retired:
        return rejected(state, action, "offering_retired")
    cap = min(bundle.engagement_cap, action.period)
    bundle = replace(bundle, price=action.price, period=action.period, engagement_cap=cap)
    bundles = state.bundles.set(bundle.bundle_id, bundle)
    return TransitionResult(replace(state, bundles=bundles), (event,))


def retire_offering(state: SubscriptionsState, action: ActionRetireOffering) -> Result:
    owner = owner_of(state, action.offering_id) if type(action.offering_id) is str else None
    if owner is None:
        return rejected(state, action, "unknown_offering")
    if owner != action.owner:
        return rejected(state, action, "not_offering_owner")
    event = EventOfferingRetired(action.offering_id)
    if action.offering_id in state.plans:
        plan = state.plans[action.offering_id]
        if plan.retired:
            return rejected(state, action, "offering_retired")
        plans = state.plans.set(plan.plan_id, replace(plan, retired=True))
        return TransitionResult(replace(state, plans=plans), (event,))
    bundle = state.bundles[action.offering_id]
    if bundle.retired:
        return rejected(state, action, "offering_retired")
    bundles = state.bundles.set(bundle.bundle_id, replace(bundle, retired=True))
    return TransitionResult(replace(state, bundles=bundles), (event,))


def delist(state: SubscriptionsState, action: ReceiveContentDelisted) -> Result:
    target = action.content
    event = EventContentDelisted(target)
    if type(target) is str and target in state.contents:
        content = state.contents[target]
        if content.delisted:
            return rejected(state, action, "already_delisted")
        contents = state.contents.set(target, replace(content, delisted=True))
        return TransitionResult(replace(state, contents=contents), (event,))
    if type(target) is str and target in state.channels:
        channel = state.channels[target]
        if channel.delisted:
            return rejected(state, action, "already_delisted")
        channels = state.channels.set(target, replace(channel, delisted=True))
        return TransitionResult(replace(state, channels=channels), (event,))
    return rejected(state, action, "unknown_content")


def relist(state: SubscriptionsState, action: ReceiveContentRelisted) -> Result:
    target = action.content
    event = EventContentRelisted(target)
    if type(target) is str and target in state.contents:
        content = state.contents[target]
        if not content.delisted:
            return rejected(state, action, "not_delisted")
        contents = state.contents.set(target, replace(content, delisted=False))
        return TransitionResult(replace(state, contents=contents), (event,))
    if type(target) is str and target in state.channels:
        channel = state.channels[target]
        if not channel.delisted:
            return rejected(state, action, "not_delisted")
        channels = state.channels.set(target, replace(channel, delisted=False))
        return TransitionResult(replace(state, channels=channels), (event,))
    return rejected(state, action, "unknown_content")
