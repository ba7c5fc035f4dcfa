"""Subscriber side: credit, subscribe, renew, dunning (grace, past_due), cancel.

Payments credit the subscriber's balance in the contract; purchases and renewals are
paid from that balance. A renewal costs ``min(locked price, current price)`` of the
offering and keeps the locked period. Credits are held in a working copy (``credits``)
that each handler builds once and puts back into the new state.
"""

from __future__ import annotations

from dataclasses import replace

from contracts.common import SendProviderRevenue
from contracts.core import Asset, Event
from contracts.subscriptions.entitlement import offering_retired
from contracts.subscriptions.events import (
    EventRenewed,
    EventStatusChanged,
    SendChargeRequest,
)
from contracts.subscriptions.revenue import close_pool_if_due
from contracts.subscriptions.state import (
    OfferingKind,
    Pool,
    Subscription,
    SubscriptionsState,
    SubStatus,
)

Credits = dict[tuple[str, Asset], int]
MAX_CATCH_UP = 1000  # renewals applied in one go after a long gap between ledger closes


def _current_price(state: SubscriptionsState, sub: Subscription) -> int:
    if sub.kind == OfferingKind.PLAN:
        return state.plans[sub.offering_id].price
    return state.bundles[sub.offering_id].price


def start_period(
    state: SubscriptionsState, sub: Subscription, amount: int, now: int
) -> tuple[Subscription, list[Event]]:
    """Open the next paid period (already debited). Back-to-back if renewed within grace."""
    grace_end = sub.paid_until + state.config.grace_period
    start = sub.paid_until if now < grace_end else now
    end = start + sub.terms.period
    index = sub.period_index + 1
    events: list[Event] = []
    pool = None
    if sub.kind == OfferingKind.BUNDLE:
        pool = Pool(index, amount, start, end)
    else:
        provider = state.plans[sub.offering_id].provider
        ref = f"plan:{sub.offering_id}:{sub.account}:{index}"
        events.append(SendProviderRevenue(provider, sub.terms.asset, amount, ref))
    new = replace(
        sub, status=SubStatus.ACTIVE, paid_until=end, period_index=index, due=0, pool=pool
    )
    return new, events


def end_subscription(sub: Subscription, reason: str) -> tuple[Subscription, list[Event]]:
    ended = replace(sub, status=SubStatus.CANCELED, due=0)
    return ended, [EventStatusChanged(sub.account, sub.offering_id, SubStatus.CANCELED, reason)]


def _renew_or_dun(
    state: SubscriptionsState, sub: Subscription, credits: Credits, now: int
) -> tuple[Subscription, list[Event]]:
    """An active subscription whose paid period is over: renew it, or start dunning."""
    if sub.cancel_at_period_end:
        return end_subscription(sub, "canceled_by_subscriber")
    if offering_retired(state, sub):
        return end_subscription(sub, "offering_retired")
    amount = min(sub.terms.price, _current_price(state, sub))
    key = (sub.account, sub.terms.asset)
    if credits.get(key, 0) >= amount:
        credits[key] = credits.get(key, 0) - amount
        renewed, events = start_period(state, sub, amount, now)
        ev = EventRenewed(
            sub.account, sub.offering_id, amount, renewed.period_index, renewed.paid_until
        )
        return renewed, [ev, *events]
    due_by = sub.paid_until + state.config.grace_period
    ref = f"renew:{sub.offering_id}:{sub.account}:{sub.period_index + 1}"
    graced = replace(sub, status=SubStatus.GRACE, due=amount)
    return graced, [
        EventStatusChanged(sub.account, sub.offering_id, SubStatus.GRACE, "renewal_unpaid"),
        SendChargeRequest(sub.account, sub.terms.asset, amount, ref, due_by),
    ]


def advance(
    state: SubscriptionsState, sub: Subscription, credits: Credits, now: int
) -> tuple[Subscription, list[Event]]:
    """Apply everything time has made due for ``sub`` by ``now``."""
    events: list[Event] = []
    grace_end = sub.paid_until + state.config.grace_period
    for _ in range(MAX_CATCH_UP):
        sub, closed = close_pool_if_due(state, sub, now)
        events += closed
        if sub.status != SubStatus.ACTIVE or now < sub.paid_until:
            break
        sub, step = _renew_or_dun(state, sub, credits, now)
        events += step
        grace_end = sub.paid_until + state.config.grace_period
    if sub.status == SubStatus.GRACE and now >= grace_end:
        sub = replace(sub, status=SubStatus.PAST_DUE)
        events.append(
            EventStatusChanged(sub.account, sub.offering_id, SubStatus.PAST_DUE, "grace_expired")
        )
    if sub.status == SubStatus.PAST_DUE and now >= grace_end + state.config.past_due_period:
        sub, step = end_subscription(sub, "unpaid")
        events += step
    return sub, events


def advance_all(
    state: SubscriptionsState, accounts: list[str], now: int
) -> tuple[SubscriptionsState, list[Event]]:
    """Advance every subscription of ``accounts`` (in sorted order) to ``now``."""
    credits: Credits = dict(state.credits)
    subs = dict(state.subscriptions)
    events: list[Event] = []
    for account in sorted(accounts):
        mine = dict(subs[account])
        for offering_id in sorted(mine):
            mine[offering_id], step = advance(state, mine[offering_id], credits, now)
            events += step
        subs[account] = mine
    new = replace(state, subscriptions=subs, credits=pruned(credits))
    return new, events


def pruned(credits: Credits) -> Credits:
    return {k: v for k, v in credits.items() if v != 0}
