"""Subscriber actions: payments in, subscribe, cancel, withdraw unused credit."""

from __future__ import annotations

from dataclasses import replace

from contracts.common import (
    SendRefund,
    is_account,
    is_asset,
    is_identifier,
    payment_problem,
)
from contracts.core import Context, Event, TransitionResult, is_valid_amount, rejected
from contracts.subscriptions.actions import (
    ActionCancel,
    ActionSubscribe,
    ActionWithdrawCredit,
    ReceivePayment,
)
from contracts.subscriptions.events import (
    EventCancelScheduled,
    EventCredited,
    EventRenewed,
    EventStatusChanged,
    EventSubscribed,
)
from contracts.subscriptions.lifecycle import (
    Credits,
    advance,
    advance_all,
    end_subscription,
    pruned,
    start_period,
)
from contracts.subscriptions.state import (
    OfferingKind,
    Subscription,
    SubscriptionsState,
    SubStatus,
    Terms,
    subscription_of,
    with_subscription,
)

Result = TransitionResult[SubscriptionsState]
_DUNNING = (SubStatus.GRACE, SubStatus.PAST_DUE)


def receive_payment(state: SubscriptionsState, action: ReceivePayment, ctx: Context) -> Result:
    problem = payment_problem(action.account, action.asset, action.amount, action.payment_id)
    if problem is not None:
        return rejected(state, action, problem)
    if action.payment_id in state.payments_seen:
        return rejected(state, action, "duplicate_payment")
    now = ctx.close_time
    events: list[Event] = []
    if action.account in state.subscriptions:
        state, events = advance_all(state, [action.account], now)
    credits: Credits = dict(state.credits)
    key = (action.account, action.asset)
    credits[key] = credits.get(key, 0) + action.amount
    events.append(EventCredited(*key, action.amount, credits[key], action.payment_id))
    mine = dict(state.subscriptions.get(action.account, {}))
    for offering_id in sorted(mine):
        sub = mine[offering_id]
        if sub.status in _DUNNING and sub.terms.asset == action.asset and credits[key] >= sub.due:
            credits[key] -= sub.due
            renewed, paid = start_period(state, sub, sub.due, now)
            mine[offering_id] = renewed
            events += [
                EventStatusChanged(sub.account, offering_id, SubStatus.ACTIVE, "payment_received"),
                EventRenewed(
                    sub.account, offering_id, sub.due, renewed.period_index, renewed.paid_until
                ),
                *paid,
            ]
    subs = {**state.subscriptions, action.account: mine} if mine else state.subscriptions
    seen = {**state.payments_seen, action.payment_id: True}
    new = replace(state, credits=pruned(credits), subscriptions=subs, payments_seen=seen)
    return TransitionResult(new, tuple(events))


def _advanced(
    state: SubscriptionsState, sub: Subscription, now: int
) -> tuple[SubscriptionsState, Subscription, list[Event]]:
    credits: Credits = dict(state.credits)
    sub, events = advance(state, sub, credits, now)
    return replace(with_subscription(state, sub), credits=pruned(credits)), sub, events


def subscribe(state: SubscriptionsState, action: ActionSubscribe, ctx: Context) -> Result:
    if not is_account(action.account):
        return rejected(state, action, "invalid_account")
    offering_id = action.offering_id
    if not is_identifier(offering_id):
        return rejected(state, action, "unknown_offering")
    offering = state.plans.get(offering_id) or state.bundles.get(offering_id)
    if offering is None:
        return rejected(state, action, "unknown_offering")
    if offering.retired:
        return rejected(state, action, "offering_retired")
    now = ctx.close_time
    working, events = state, list[Event]()
    existing = subscription_of(state, action.account, offering_id)
    if existing is not None:
        working, existing, events = _advanced(state, existing, now)
        if existing.status != SubStatus.CANCELED:
            return rejected(state, action, "already_subscribed")
    key = (action.account, offering.asset)
    if working.credits.get(key, 0) < offering.price:
        return rejected(state, action, "insufficient_credit")
    kind = OfferingKind.PLAN if offering_id in state.plans else OfferingKind.BUNDLE
    terms = Terms(offering.price, offering.period, offering.asset)
    # Period numbers continue across re-subscriptions, so payout references stay unique.
    index = existing.period_index if existing is not None else 0
    fresh = Subscription(action.account, offering_id, kind, terms, SubStatus.ACTIVE, now, index)
    sub, paid = start_period(working, fresh, offering.price, now)
    credits: Credits = dict(working.credits)
    credits[key] -= offering.price
    new = replace(with_subscription(working, sub), credits=pruned(credits))
    subscribed = EventSubscribed(
        action.account, offering_id, terms.price, terms.period, sub.paid_until
    )
    return TransitionResult(new, (*events, subscribed, *paid))


def cancel(state: SubscriptionsState, action: ActionCancel, ctx: Context) -> Result:
    existing = None
    if type(action.account) is str and type(action.offering_id) is str:
        existing = subscription_of(state, action.account, action.offering_id)
    if existing is None:
        return rejected(state, action, "not_subscribed")
    working, sub, events = _advanced(state, existing, ctx.close_time)
    if sub.status == SubStatus.CANCELED or sub.cancel_at_period_end:
        return rejected(state, action, "already_canceled")
    if sub.status == SubStatus.ACTIVE:
        sub = replace(sub, cancel_at_period_end=True)
        events.append(EventCancelScheduled(sub.account, sub.offering_id, sub.paid_until))
    else:
        sub, ended = end_subscription(sub, "canceled_by_subscriber")
        events += ended
    return TransitionResult(with_subscription(working, sub), tuple(events))


def withdraw_credit(state: SubscriptionsState, action: ActionWithdrawCredit) -> Result:
    if not is_account(action.account):
        return rejected(state, action, "invalid_account")
    if not is_asset(action.asset):
        return rejected(state, action, "invalid_asset")
    if not is_valid_amount(action.amount):
        return rejected(state, action, "invalid_amount")
    key = (action.account, action.asset)
    if state.credits.get(key, 0) < action.amount:
        return rejected(state, action, "insufficient_credit")
    credits: Credits = {**state.credits, key: state.credits[key] - action.amount}
    seq = state.refund_seq + 1
    refund = SendRefund(action.account, action.asset, action.amount, f"sub-refund:{seq}")
    new = replace(state, credits=pruned(credits), refund_seq=seq)
    return TransitionResult(new, (refund,))
