"""Read-only queries of the billing contract: entitlement and account statements."""

from __future__ import annotations

from contracts.billing.state import BalanceStatus, BillingState, StatementLine, status_of
from contracts.common import Entitlement

PREPAID_BALANCE = "prepaid_balance"
PREPAID_BALANCE_LOW = "prepaid_balance_low"
INSUFFICIENT_BALANCE = "insufficient_balance"
CONTENT_NOT_PRICED = "content_not_priced"
CONTENT_DELISTED = "content_delisted"


def entitlement(state: BillingState, account: str, content: str, now: int) -> Entitlement:
    """May ``account`` watch the next minute of ``content``? ``until`` is always None:
    access lasts as long as the balance pays the next minute. ``now`` is accepted for a
    uniform signature with the other contracts; billing access does not expire."""
    del now
    rate = state.rates.get(content) if type(content) is str else None
    if rate is None:
        return Entitlement(False, CONTENT_NOT_PRICED)
    if rate.delisted:
        return Entitlement(False, CONTENT_DELISTED)
    if state.balances.get((account, rate.asset), 0) < rate.per_minute:
        return Entitlement(False, INSUFFICIENT_BALANCE)
    if status_of(state, account, rate.asset) == BalanceStatus.LOW:
        return Entitlement(True, PREPAID_BALANCE_LOW)
    return Entitlement(True, PREPAID_BALANCE)


def statement(state: BillingState, account: str) -> tuple[StatementLine, ...]:
    """The account's credits, charges and withdrawals in order, with running balances."""
    return state.statements.get(account, ())
