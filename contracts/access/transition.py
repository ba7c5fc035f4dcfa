"""The one-time access contract: ``transition(state, action, ctx) -> TransitionResult``.

A provider prices a content; a payment of at least the price buys ``duration`` seconds
of access (added after any access still running), pays the provider the price, returns
any excess, and requests an access token when the offer has one. A payment that buys
nothing (unknown content, not on sale, delisted, wrong asset, too little) is refunded
in full: it really arrived on Stellar, so it is never silently kept.
"""

from __future__ import annotations

import re
from dataclasses import replace

from contracts.access.actions import ActionSetAccessPrice, ActionStopSales, ReceiveAccessPayment
from contracts.access.events import (
    EventAccessGranted,
    EventContentDelisted,
    EventContentRelisted,
    EventOfferSet,
    EventPaymentRefunded,
    EventSalesStopped,
    SendAccessToken,
)
from contracts.access.state import MAX_DURATION, MIN_DURATION, AccessState, Grant, Offer
from contracts.common import (
    ReceiveContentDelisted,
    ReceiveContentRelisted,
    SendProviderRevenue,
    SendRefund,
    is_account,
    is_asset,
    is_content_id,
    is_int_in,
    payment_problem,
)
from contracts.core import (
    STROOPS_PER_UNIT,
    Action,
    Context,
    Event,
    TransitionResult,
    is_valid_amount,
    rejected,
)

Result = TransitionResult[AccessState]
TOKEN_AMOUNT = STROOPS_PER_UNIT  # one whole token per purchase
_TOKEN_CODE_RE = re.compile(r"[A-Za-z0-9]{1,12}")


def transition(state: AccessState, action: Action, ctx: Context) -> Result:
    """Apply one action. Deterministic; an invalid action yields ``EventRejected``."""
    match action:
        case ActionSetAccessPrice():
            return _set_price(state, action)
        case ActionStopSales():
            return _stop_sales(state, action)
        case ReceiveAccessPayment():
            return _payment(state, action, ctx)
        case ReceiveContentDelisted():
            return _delist(state, action)
        case ReceiveContentRelisted():
            return _relist(state, action)
        case _:
            return rejected(state, action, "unknown_action")


def _offer_problem(state: AccessState, action: ActionSetAccessPrice) -> str | None:
    if not is_account(action.provider):
        return "invalid_account"
    if not is_content_id(action.content):
        return "invalid_content"
    if not is_valid_amount(action.price):
        return "invalid_price"
    if not is_asset(action.asset):
        return "invalid_asset"
    if not is_int_in(action.duration, MIN_DURATION, MAX_DURATION):
        return "invalid_duration"
    token = action.token_code
    if type(token) is not str or (token != "" and _TOKEN_CODE_RE.fullmatch(token) is None):
        return "invalid_token_code"
    current = state.offers.get(action.content)
    if current is not None and current.provider != action.provider:
        return "not_content_owner"
    if current is not None and current.delisted:
        return "content_delisted"
    return None


def _set_price(state: AccessState, action: ActionSetAccessPrice) -> Result:
    problem = _offer_problem(state, action)
    if problem is not None:
        return rejected(state, action, problem)
    offer = Offer(
        action.content,
        action.provider,
        action.price,
        action.asset,
        action.duration,
        action.token_code,
    )
    event = EventOfferSet(
        offer.provider, offer.content, offer.price, offer.asset, offer.duration, offer.token_code
    )
    return TransitionResult(replace(state, offers=state.offers.set(offer.content, offer)), (event,))


def _stop_sales(state: AccessState, action: ActionStopSales) -> Result:
    offer = state.offers.get(action.content) if type(action.content) is str else None
    if offer is None:
        return rejected(state, action, "unknown_content")
    if offer.provider != action.provider:
        return rejected(state, action, "not_content_owner")
    if not offer.on_sale:
        return rejected(state, action, "not_on_sale")
    offers = state.offers.set(offer.content, replace(offer, on_sale=False))
    return TransitionResult(replace(state, offers=offers), (EventSalesStopped(offer.content),))


def _refusal(state: AccessState, action: ReceiveAccessPayment) -> str | None:
    """Why a well-formed payment buys nothing, or None if it buys access."""
    offer = state.offers.get(action.content)
    if offer is None:
        return "unknown_content"
    if offer.delisted:
        return "content_delisted"
    if not offer.on_sale:
        return "not_on_sale"
    if offer.asset != action.asset:
        return "wrong_asset"
    if action.amount < offer.price:
        return "underpaid"
    return None


def _payment(state: AccessState, action: ReceiveAccessPayment, ctx: Context) -> Result:
    problem = payment_problem(action.account, action.asset, action.amount, action.payment_id)
    if problem is None and type(action.content) is not str:
        problem = "invalid_reference"
    if problem is not None:
        return rejected(state, action, problem)
    if action.payment_id in state.payments_seen:
        return rejected(state, action, "duplicate_payment")
    seen = replace(state, payments_seen={**state.payments_seen, action.payment_id: True})
    reason = _refusal(state, action)
    if reason is not None:
        ref = f"ppv-refund:{action.payment_id}"
        refund = SendRefund(action.account, action.asset, action.amount, ref)
        refunded = EventPaymentRefunded(
            action.account, action.content, action.amount, action.payment_id, reason
        )
        return TransitionResult(seen, (refunded, refund))
    return _grant(seen, state.offers[action.content], action, ctx.close_time)


def _grant(state: AccessState, offer: Offer, action: ReceiveAccessPayment, now: int) -> Result:
    key = (action.account, offer.content)
    current = state.grants.get(key)
    start = max(now, current.expires_at) if current is not None else now
    purchases = current.purchases + 1 if current is not None else 1
    grant = Grant(action.account, offer.content, start + offer.duration, purchases)
    ref = action.payment_id
    events: list[Event] = [
        EventAccessGranted(action.account, offer.content, grant.expires_at, ref),
        SendProviderRevenue(offer.provider, offer.asset, offer.price, f"ppv:{ref}"),
    ]
    excess = action.amount - offer.price
    if excess > 0:
        events.append(SendRefund(action.account, offer.asset, excess, f"ppv-refund:{ref}"))
    if offer.token_code:
        token = SendAccessToken(action.account, offer.token_code, TOKEN_AMOUNT, f"ppv-token:{ref}")
        events.append(token)
    new = replace(state, grants={**state.grants, key: grant})
    return TransitionResult(new, tuple(events))


def _delist(state: AccessState, action: ReceiveContentDelisted) -> Result:
    offer = state.offers.get(action.content) if type(action.content) is str else None
    if offer is None:
        return rejected(state, action, "unknown_content")
    if offer.delisted:
        return rejected(state, action, "already_delisted")
    offers = state.offers.set(offer.content, replace(offer, delisted=True, on_sale=False))
    return TransitionResult(replace(state, offers=offers), (EventContentDelisted(offer.content),))


def _relist(state: AccessState, action: ReceiveContentRelisted) -> Result:
    """Grants count again; the offer stays off sale until its provider prices it again."""
    offer = state.offers.get(action.content) if type(action.content) is str else None
    if offer is None:
        return rejected(state, action, "unknown_content")
    if not offer.delisted:
        return rejected(state, action, "not_delisted")
    offers = state.offers.set(offer.content, replace(offer, delisted=False))
    return TransitionResult(replace(state, offers=offers), (EventContentRelisted(offer.content),))
