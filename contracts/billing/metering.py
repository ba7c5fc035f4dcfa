"""Charging viewing receipts per started minute, once per (session, minute index)."""

from __future__ import annotations

from dataclasses import replace

from contracts.billing.actions import ReceiveViewingMinutes
from contracts.billing.events import EventMinutesBilled
from contracts.billing.ledger import status_events, with_line
from contracts.billing.state import (
    MAX_MINUTE_INDEX,
    MAX_MINUTES_PER_RECEIPT,
    BillingState,
    LineKind,
    Rate,
    Session,
    StatementLine,
)
from contracts.common import is_account, is_int_in, is_reference
from contracts.core import Context, TransitionResult, rejected

Result = TransitionResult[BillingState]
_MAX_SECOND = (MAX_MINUTE_INDEX + 1) * 60


def started_minutes(action: ReceiveViewingMinutes) -> tuple[int, ...] | str:
    """The sorted distinct minute indices a receipt covers, or a rejection code."""
    if action.span is not None:
        if action.minute_indices != ():
            return "invalid_minutes"
        span = action.span
        if type(span) is not tuple or len(span) != 2:
            return "invalid_span"
        start, end = span
        if not (is_int_in(start, 0, _MAX_SECOND) and is_int_in(end, 1, _MAX_SECOND)):
            return "invalid_span"
        if end <= start:
            return "invalid_span"
        first, last = start // 60, (end - 1) // 60
        if last - first + 1 > MAX_MINUTES_PER_RECEIPT:
            return "too_many_minutes"
        return tuple(range(first, last + 1))
    indices = action.minute_indices
    if type(indices) is not tuple or not indices:
        return "invalid_minutes"
    if len(indices) > MAX_MINUTES_PER_RECEIPT:
        return "too_many_minutes"
    if not all(is_int_in(i, 0, MAX_MINUTE_INDEX) for i in indices):
        return "invalid_minutes"
    return tuple(sorted(set(indices)))


def _session_problem(state: BillingState, action: ReceiveViewingMinutes) -> str | None:
    if not is_account(action.account):
        return "invalid_account"
    if not is_reference(action.session):
        return "invalid_session"
    rate = state.rates.get(action.content) if type(action.content) is str else None
    if rate is None:
        return "content_not_priced"
    if rate.delisted:
        return "content_delisted"
    session = state.sessions.get(action.session)
    if session is not None and (session.account, session.content) != (
        action.account,
        action.content,
    ):
        return "session_mismatch"
    return None


def _charge(
    state: BillingState,
    action: ReceiveViewingMinutes,
    rate: Rate,
    charged: tuple[int, ...],
    balance: int,
    now: int,
) -> BillingState:
    """Debit the charged minutes, add a statement line, accrue the provider's revenue."""
    amount = len(charged) * rate.per_minute
    reference = f"{action.session}:{charged[0]}-{charged[-1]}"
    line = StatementLine(
        now,
        LineKind.CHARGE,
        rate.asset,
        amount,
        balance - amount,
        reference,
        action.content,
        len(charged),
    )
    new = with_line(state, action.account, line, balance - amount)
    revenue_key = (rate.provider, rate.asset)
    accrued = {**new.accrued, revenue_key: new.accrued.get(revenue_key, 0) + amount}
    return replace(new, accrued=accrued)


def bill_minutes(state: BillingState, action: ReceiveViewingMinutes, ctx: Context) -> Result:
    problem = _session_problem(state, action)
    if problem is not None:
        return rejected(state, action, problem)
    minutes = started_minutes(action)
    if isinstance(minutes, str):
        return rejected(state, action, minutes)
    session = state.sessions.get(action.session) or Session(
        action.session, action.account, action.content
    )
    fresh = [m for m in minutes if m not in session.minutes]
    if not fresh:
        return rejected(state, action, "duplicate_minutes")
    rate = state.rates[action.content]
    key = (action.account, rate.asset)
    balance = state.balances.get(key, 0)
    affordable = min(len(fresh), balance // rate.per_minute)
    charged, unbilled = tuple(fresh[:affordable]), tuple(fresh[affordable:])
    amount = affordable * rate.per_minute
    seen = {**session.minutes, **dict.fromkeys(charged, True), **dict.fromkeys(unbilled, False)}
    new = replace(
        state, sessions={**state.sessions, action.session: replace(session, minutes=seen)}
    )
    if charged:
        new = _charge(new, action, rate, charged, balance, ctx.close_time)
    new = replace(new, last_rate={**new.last_rate, key: rate.per_minute})
    billed = EventMinutesBilled(
        action.account,
        action.content,
        action.session,
        charged,
        amount,
        balance - amount,
        unbilled,
        len(minutes) - len(fresh),
    )
    return TransitionResult(new, (billed, *status_events(state, new, *key)))
