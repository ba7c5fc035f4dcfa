"""Per-minute billing: prepaid balances, per-started-minute charges, no debt ever."""

from contracts.billing.actions import *  # noqa: F403
from contracts.billing.actions import __all__ as _actions
from contracts.billing.events import *  # noqa: F403
from contracts.billing.events import __all__ as _events
from contracts.billing.queries import entitlement, statement
from contracts.billing.state import (
    LOW_MINUTES,
    BalanceStatus,
    BillingState,
    LineKind,
    Rate,
    Session,
    StatementLine,
    balance_of,
    initial_state,
    status_of,
)
from contracts.billing.transition import transition

__all__ = [
    *_actions,
    *_events,
    "LOW_MINUTES",
    "BalanceStatus",
    "BillingState",
    "LineKind",
    "Rate",
    "Session",
    "StatementLine",
    "balance_of",
    "entitlement",
    "initial_state",
    "statement",
    "status_of",
    "transition",
]
