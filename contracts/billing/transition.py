"""The per-minute billing contract: ``transition(state, action, ctx) -> TransitionResult``.

Viewers prepay; each started minute of viewing is charged once at the content's rate
to the content's provider. A minute the balance cannot pay is not charged (no debt
ever) and is reported as unbilled.
"""

from __future__ import annotations

from dataclasses import replace

from contracts.billing.actions import (
    ActionPayProviders,
    ActionSetRate,
    ActionWithdraw,
    ReceiveDeposit,
    ReceiveViewingMinutes,
)
from contracts.billing.events import (
    EventContentDelisted,
    EventContentRelisted,
    EventDeposited,
    EventRateSet,
)
from contracts.billing.ledger import status_events, with_line
from contracts.billing.metering import bill_minutes
from contracts.billing.state import (
    BillingState,
    LineKind,
    Rate,
    StatementLine,
)
from contracts.common import (
    ReceiveContentDelisted,
    ReceiveContentRelisted,
    SendProviderRevenue,
    SendRefund,
    is_account,
    is_asset,
    is_content_id,
    payment_problem,
)
from contracts.core import (
    Action,
    Context,
    TransitionResult,
    is_valid_amount,
    rejected,
)

Result = TransitionResult[BillingState]


def transition(state: BillingState, action: Action, ctx: Context) -> Result:
    """Apply one action. Deterministic; an invalid action yields ``EventRejected``."""
    match action:
        case ActionSetRate():
            return _set_rate(state, action)
        case ReceiveDeposit():
            return _deposit(state, action, ctx)
        case ReceiveViewingMinutes():
            return bill_minutes(state, action, ctx)
        case ActionWithdraw():
            return _withdraw(state, action, ctx)
        case ActionPayProviders():
            return _pay_providers(state, ctx)
        case ReceiveContentDelisted():
            return _delist(state, action)
        case ReceiveContentRelisted():
            return _relist(state, action)
        case _:
            return rejected(state, action, "unknown_action")


def _set_rate(state: BillingState, action: ActionSetRate) -> Result:
    if not is_account(action.provider):
        return rejected(state, action, "invalid_account")
    if not is_content_id(action.content):
        return rejected(state, action, "invalid_content")
    if not is_asset(action.asset):
        return rejected(state, action, "invalid_asset")
    if not is_valid_amount(action.per_minute):
        return rejected(state, action, "invalid_rate")
    current = state.rates.get(action.content)
    if current is not None and current.provider != action.provider:
        return rejected(state, action, "not_content_owner")
    if current is not None and current.delisted:
        return rejected(state, action, "content_delisted")
    rate = Rate(action.content, action.provider, action.asset, action.per_minute)
    new = replace(state, rates=state.rates.set(action.content, rate))
    event = EventRateSet(action.provider, action.content, action.asset, action.per_minute)
    return TransitionResult(new, (event,))


def _deposit(state: BillingState, action: ReceiveDeposit, ctx: Context) -> Result:
    problem = payment_problem(action.account, action.asset, action.amount, action.tx_hash)
    if problem is not None:
        return rejected(state, action, problem)
    if action.tx_hash in state.deposits_seen:
        return rejected(state, action, "duplicate_deposit")
    balance = state.balances.get((action.account, action.asset), 0) + action.amount
    line = StatementLine(
        ctx.close_time, LineKind.CREDIT, action.asset, action.amount, balance, action.tx_hash
    )
    new = with_line(state, action.account, line, balance)
    new = replace(new, deposits_seen={**new.deposits_seen, action.tx_hash: True})
    event = EventDeposited(action.account, action.asset, action.amount, balance, action.tx_hash)
    return TransitionResult(new, (event, *status_events(state, new, action.account, action.asset)))


def _withdraw(state: BillingState, action: ActionWithdraw, ctx: Context) -> Result:
    if not is_account(action.account):
        return rejected(state, action, "invalid_account")
    if not is_asset(action.asset):
        return rejected(state, action, "invalid_asset")
    if not is_valid_amount(action.amount):
        return rejected(state, action, "invalid_amount")
    balance = state.balances.get((action.account, action.asset), 0)
    if balance < action.amount:
        return rejected(state, action, "insufficient_balance")
    seq = state.refund_seq + 1
    reference = f"billing-refund:{seq}"
    line = StatementLine(
        ctx.close_time,
        LineKind.WITHDRAWAL,
        action.asset,
        action.amount,
        balance - action.amount,
        reference,
    )
    new = replace(with_line(state, action.account, line, balance - action.amount), refund_seq=seq)
    refund = SendRefund(action.account, action.asset, action.amount, reference)
    return TransitionResult(new, (refund, *status_events(state, new, action.account, action.asset)))


def _pay_providers(state: BillingState, ctx: Context) -> Result:
    """One payout per (provider, asset) with accrued revenue, in a fixed order."""
    if not state.accrued:
        return TransitionResult(state)
    seq = state.payout_seq + 1
    keys = sorted(state.accrued, key=lambda k: (k[0], k[1].code, k[1].issuer))
    events = tuple(
        SendProviderRevenue(
            provider,
            asset,
            state.accrued[(provider, asset)],
            f"billing:{ctx.epoch}:{seq}:{provider}:{asset}",
        )
        for provider, asset in keys
    )
    return TransitionResult(replace(state, accrued={}, payout_seq=seq), events)


def _delist(state: BillingState, action: ReceiveContentDelisted) -> Result:
    rate = state.rates.get(action.content) if type(action.content) is str else None
    if rate is None:
        return rejected(state, action, "unknown_content")
    if rate.delisted:
        return rejected(state, action, "already_delisted")
    rates = state.rates.set(action.content, replace(rate, delisted=True))
    return TransitionResult(replace(state, rates=rates), (EventContentDelisted(action.content),))


def _relist(state: BillingState, action: ReceiveContentRelisted) -> Result:
    rate = state.rates.get(action.content) if type(action.content) is str else None
    if rate is None:
        return rejected(state, action, "unknown_content")
    if not rate.delisted:
        return rejected(state, action, "not_delisted")
    rates = state.rates.set(action.content, replace(rate, delisted=False))
    return TransitionResult(replace(state, rates=rates), (EventContentRelisted(action.content),))
