"""Subscriptions and bundles: plans per provider, bundles across providers, dunning,
entitlement, and bundle revenue split by capped verified viewing time."""

from contracts.subscriptions.actions import *  # noqa: F403
from contracts.subscriptions.actions import __all__ as _actions
from contracts.subscriptions.entitlement import entitlement
from contracts.subscriptions.events import *  # noqa: F403
from contracts.subscriptions.events import __all__ as _events
from contracts.subscriptions.state import (
    Bundle,
    Channel,
    Config,
    Content,
    OfferingKind,
    Plan,
    Pool,
    Subscription,
    SubscriptionsState,
    SubStatus,
    Terms,
    credit_of,
    initial_state,
    subscription_of,
)
from contracts.subscriptions.transition import transition

__all__ = [
    *_actions,
    *_events,
    "Bundle",
    "Channel",
    "Config",
    "Content",
    "OfferingKind",
    "Plan",
    "Pool",
    "SubStatus",
    "Subscription",
    "SubscriptionsState",
    "Terms",
    "credit_of",
    "entitlement",
    "initial_state",
    "subscription_of",
    "transition",
]
