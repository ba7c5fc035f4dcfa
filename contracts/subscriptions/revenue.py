"""Bundle revenue: per-subscriber pools split by capped verified viewing time.

Each paid bundle period puts the subscriber's payment in a pool. Verified viewing of
that subscriber during the period is counted per provider. When the period ends the
pool is split among the bundle's providers in proportion to
``min(seconds_of_provider, cap)``, ``cap = min(bundle.engagement_cap, period length)``;
with no counted viewing the split is equal. Integer shares, largest remainder first,
ties by provider account, so the shares add up exactly to the pool.
"""

from __future__ import annotations

from dataclasses import replace

from contracts.common import SendProviderRevenue, is_account, is_int_in, split_exact
from contracts.core import Event, TransitionResult, rejected
from contracts.subscriptions.actions import ReceiveVerifiedViewing
from contracts.subscriptions.entitlement import locate, offering_covers
from contracts.subscriptions.events import EventBundleSplit, EventViewingRecorded
from contracts.subscriptions.state import (
    OfferingKind,
    Pool,
    Subscription,
    SubscriptionsState,
)

MAX_VIEWING_SECONDS = 31 * 24 * 3600  # one report cannot exceed a month of viewing
MAX_EPOCH = 2**63 - 1


def split_pool(state: SubscriptionsState, sub: Subscription, pool: Pool) -> list[Event]:
    """The events paying out one closed pool (split event + one payout per provider)."""
    bundle = state.bundles[sub.offering_id]
    cap = min(bundle.engagement_cap, pool.end - pool.start)
    seconds = dict.fromkeys(bundle.providers, 0)
    for key in sorted(pool.viewing):
        provider, counted = pool.viewing[key]
        if provider in seconds:
            seconds[provider] += counted
    capped = {p: min(seconds[p], cap) for p in bundle.providers}
    shares = split_exact(pool.amount, tuple(capped.items()))
    asset = sub.terms.asset
    events: list[Event] = [
        EventBundleSplit(
            bundle.bundle_id,
            sub.account,
            pool.index,
            asset,
            pool.amount,
            tuple((p, capped[p], amount) for p, amount in shares),
        )
    ]
    for provider, amount in shares:
        if amount > 0:
            ref = f"bundle:{bundle.bundle_id}:{sub.account}:{pool.index}:{provider}"
            events.append(SendProviderRevenue(provider, asset, amount, ref))
    return events


def close_pool_if_due(
    state: SubscriptionsState, sub: Subscription, now: int
) -> tuple[Subscription, list[Event]]:
    if sub.pool is None or now < sub.pool.end:
        return sub, []
    return replace(sub, pool=None), split_pool(state, sub, sub.pool)


def record_viewing(
    state: SubscriptionsState, action: ReceiveVerifiedViewing
) -> TransitionResult[SubscriptionsState]:
    """Count verified seconds in every open (not yet split) pool of the viewer whose
    bundle covers the content. The runtime applies an epoch's viewing before that
    epoch's ``ReceiveLedgerClose``, so viewing lands in the period it mostly belongs to."""
    if not is_int_in(action.epoch, 0, MAX_EPOCH):
        return rejected(state, action, "invalid_epoch")
    if not is_account(action.viewer):
        return rejected(state, action, "invalid_account")
    if not is_int_in(action.seconds, 1, MAX_VIEWING_SECONDS):
        return rejected(state, action, "invalid_seconds")
    where = locate(state, action.content) if type(action.content) is str else None
    if where is None or action.content not in state.contents:
        return rejected(state, action, "unknown_content")
    if where.delisted:
        return rejected(state, action, "content_delisted")
    key = (action.epoch, action.content)
    mine = dict(state.subscriptions.get(action.viewer, {}))
    counted: list[str] = []
    for offering_id in sorted(mine):
        sub = mine[offering_id]
        pool = sub.pool
        if sub.kind != OfferingKind.BUNDLE or pool is None:
            continue
        if not offering_covers(state, sub, where):
            continue
        if key in pool.viewing:
            return rejected(state, action, "duplicate_viewing")
        viewing = {**pool.viewing, key: (where.provider, action.seconds)}
        mine[offering_id] = replace(sub, pool=replace(pool, viewing=viewing))
        counted.append(offering_id)
    event = EventViewingRecorded(
        action.viewer, action.content, where.provider, action.seconds, tuple(counted)
    )
    if not counted:
        return TransitionResult(state, (event,))
    subs = {**state.subscriptions, action.viewer: mine}
    return TransitionResult(replace(state, subscriptions=subs), (event,))
