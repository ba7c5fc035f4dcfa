"""Balance bookkeeping shared by the billing handlers: statement lines and status changes."""

from __future__ import annotations

from dataclasses import replace

from contracts.billing.events import EventBalanceStatus
from contracts.billing.state import BillingState, StatementLine, status_of
from contracts.core import Asset, Event


def with_line(state: BillingState, account: str, line: StatementLine, balance: int) -> BillingState:
    """Set the account's balance in ``line.asset`` and append ``line`` to its statement."""
    key = (account, line.asset)
    balances = {**state.balances, key: balance}
    if balance == 0:
        del balances[key]
    lines = (*state.statements.get(account, ()), line)
    return replace(state, balances=balances, statements={**state.statements, account: lines})


def status_events(
    before: BillingState, after: BillingState, account: str, asset: Asset
) -> tuple[Event, ...]:
    old, new = status_of(before, account, asset), status_of(after, account, asset)
    return () if old == new else (EventBalanceStatus(account, asset, new),)
