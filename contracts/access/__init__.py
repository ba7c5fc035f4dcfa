"""One-time access (pay-per-view): priced content, expiring grants, optional tokens."""

from contracts.access.actions import *  # noqa: F403
from contracts.access.actions import __all__ as _actions
from contracts.access.events import *  # noqa: F403
from contracts.access.events import __all__ as _events
from contracts.access.queries import entitlement
from contracts.access.state import AccessState, Grant, Offer, initial_state
from contracts.access.transition import TOKEN_AMOUNT, transition

__all__ = [
    *_actions,
    *_events,
    "TOKEN_AMOUNT",
    "AccessState",
    "Grant",
    "Offer",
    "entitlement",
    "initial_state",
    "transition",
]
