"""Entitlement query: may ``account`` watch ``content_or_channel`` at ``now``, and why (not).

Pure and read-only; it reads the stored subscription and derives its status at ``now``
the same way the ledger-close processing would, so the answer is right even when the
last ``ReceiveLedgerClose`` is some seconds old.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.common import Entitlement
from contracts.subscriptions.state import (
    OfferingKind,
    Plan,
    Subscription,
    SubscriptionsState,
    SubStatus,
)

ACTIVE_SUBSCRIPTION = "active_subscription"
IN_GRACE_PERIOD = "in_grace_period"
NO_SUBSCRIPTION = "no_subscription"
PAST_DUE = "past_due"
CANCELED = "canceled"
CONTENT_DELISTED = "content_delisted"
UNKNOWN_CONTENT = "unknown_content"

# When several subscriptions could apply and none allows, the most actionable reason wins.
_DENIAL_RANK = {PAST_DUE: 2, CANCELED: 1, NO_SUBSCRIPTION: 0}


@dataclass(frozen=True, slots=True)
class Location:
    provider: str
    channel: str  # "" for content outside any channel
    delisted: bool


def locate(state: SubscriptionsState, target: str) -> Location | None:
    """Owner and channel of a content id or a channel id (None if unknown)."""
    content = state.contents.get(target)
    if content is not None:
        channel = state.channels.get(content.channel)
        delisted = content.delisted or (channel is not None and channel.delisted)
        return Location(content.provider, content.channel, delisted)
    channel = state.channels.get(target)
    if channel is not None:
        return Location(channel.provider, channel.channel_id, channel.delisted)
    return None


def plan_covers(plan: Plan, where: Location) -> bool:
    if plan.provider != where.provider:
        return False
    return plan.channels == () or (where.channel != "" and where.channel in plan.channels)


def offering_covers(state: SubscriptionsState, sub: Subscription, where: Location) -> bool:
    if sub.kind == OfferingKind.PLAN:
        return plan_covers(state.plans[sub.offering_id], where)
    bundle = state.bundles[sub.offering_id]
    return any(plan_covers(state.plans[p], where) for p in bundle.plans)


def offering_retired(state: SubscriptionsState, sub: Subscription) -> bool:
    if sub.kind == OfferingKind.PLAN:
        return state.plans[sub.offering_id].retired
    return state.bundles[sub.offering_id].retired


def status_at(state: SubscriptionsState, sub: Subscription, now: int) -> Entitlement:
    """The subscription's own standing at ``now``, whatever content is asked for."""
    grace_end = sub.paid_until + state.config.grace_period
    past_due_end = grace_end + state.config.past_due_period
    if sub.status == SubStatus.CANCELED:
        return Entitlement(False, CANCELED)
    if sub.status == SubStatus.ACTIVE and now < sub.paid_until:
        return Entitlement(True, ACTIVE_SUBSCRIPTION, sub.paid_until)
    if sub.cancel_at_period_end or offering_retired(state, sub):
        return Entitlement(False, CANCELED)
    if sub.status != SubStatus.PAST_DUE and now < grace_end:
        return Entitlement(True, IN_GRACE_PERIOD, grace_end)
    if now < past_due_end:
        return Entitlement(False, PAST_DUE)
    return Entitlement(False, CANCELED)


def entitlement(
    state: SubscriptionsState, account: str, content_or_channel: str, now: int
) -> Entitlement:
    """May ``account`` watch ``content_or_channel`` at ``now``? See module docstring."""
    where = locate(state, content_or_channel) if type(content_or_channel) is str else None
    if where is None:
        return Entitlement(False, UNKNOWN_CONTENT)
    if where.delisted:
        return Entitlement(False, CONTENT_DELISTED)
    best: Entitlement | None = None
    denial = Entitlement(False, NO_SUBSCRIPTION)
    mine = state.subscriptions.get(account, {}) if type(account) is str else {}
    for offering_id in sorted(mine):
        sub = mine[offering_id]
        if not offering_covers(state, sub, where):
            continue
        answer = status_at(state, sub, now)
        if answer.allowed:
            if best is None or _better(answer, best):
                best = answer
        elif _DENIAL_RANK[answer.reason] > _DENIAL_RANK[denial.reason]:
            denial = answer
    return best if best is not None else denial


def _better(candidate: Entitlement, current: Entitlement) -> bool:
    """A paid period beats grace; then the later end wins."""
    rank_a = (candidate.reason == ACTIVE_SUBSCRIPTION, candidate.until or 0)
    rank_b = (current.reason == ACTIVE_SUBSCRIPTION, current.until or 0)
    return rank_a > rank_b
