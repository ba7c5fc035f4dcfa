"""One-time access offers and per-minute rates: a provider prices its own content.

Only the catalog owner of published, listed content may price it; stopping sales stays
open to the owner of a hidden or delisted item (``servicelayer.services.ownership``).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from contracts.access import AccessState, ActionSetAccessPrice, ActionStopSales, Offer
from contracts.billing import ActionSetRate, BillingState, Rate, balance_of, statement, status_of
from contracts.core import Context
from servicelayer.errors import NotFound
from servicelayer.ledger.money import asset_from_text
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import (
    apply_checked,
    asset_text,
    state_of,
)
from servicelayer.services.ownership import Use, require_seller, require_token_for


def set_offer(
    runtime: ContractRuntime,
    session: Session,
    ctx: Context,
    provider: str,
    content: str,
    price: int,
    asset: str,
    duration: int,
    token_code: str = "",
) -> dict[str, Any]:
    content = content.lower()
    require_seller(runtime, session, provider, content)
    action = ActionSetAccessPrice(
        provider, content, price, asset_from_text(asset), duration, token_code
    )
    apply_checked(runtime, session, "access", [action], ctx)
    require_token_for(runtime, session, token_code, content)  # its form checked just above
    return get_offer(runtime, session, content)


def stop_sales(
    runtime: ContractRuntime, session: Session, ctx: Context, provider: str, content: str
) -> dict[str, Any]:
    content = content.lower()
    require_seller(runtime, session, provider, content, Use.WIND_DOWN)
    apply_checked(runtime, session, "access", [ActionStopSales(provider, content)], ctx)
    return get_offer(runtime, session, content)


def get_offer(runtime: ContractRuntime, session: Session, content: str) -> dict[str, Any]:
    state: AccessState = state_of(runtime, session, "access")
    offer = state.offers.get(content.lower())
    if offer is None:
        raise NotFound(f"no pay-per-view offer for {content}", code="unknown_content")
    return offer_view(offer)


def grants_of(runtime: ContractRuntime, session: Session, account: str, now: int) -> dict[str, Any]:
    """The one-time access an account bought, with whether it is still running at ``now``."""
    state: AccessState = state_of(runtime, session, "access")
    mine = sorted(
        (g for (who, _), g in state.grants.items() if who == account), key=lambda g: g.content
    )
    grants = [
        {
            "content": g.content,
            "expires_at": g.expires_at,
            "purchases": g.purchases,
            "active": now < g.expires_at,
        }
        for g in mine
    ]
    return {"account": account, "grants": grants}


def set_rate(
    runtime: ContractRuntime,
    session: Session,
    ctx: Context,
    provider: str,
    content: str,
    asset: str,
    per_minute: int,
) -> dict[str, Any]:
    content = content.lower()
    require_seller(runtime, session, provider, content)
    action = ActionSetRate(provider, content, asset_from_text(asset), per_minute)
    apply_checked(runtime, session, "billing", [action], ctx)
    return get_rate(runtime, session, content)


def get_rate(runtime: ContractRuntime, session: Session, content: str) -> dict[str, Any]:
    state: BillingState = state_of(runtime, session, "billing")
    rate = state.rates.get(content.lower())
    if rate is None:
        raise NotFound(f"no per-minute rate for {content}", code="content_not_priced")
    return rate_view(rate)


def account_statement(runtime: ContractRuntime, session: Session, account: str) -> dict[str, Any]:
    """Prepaid balances (with their status) and every statement line, oldest first."""
    state: BillingState = state_of(runtime, session, "billing")
    assets = sorted(
        {asset for who, asset in state.balances if who == account}
        | {line.asset for line in statement(state, account)},
        key=asset_text,
    )
    balances = [
        {
            "asset": asset_text(asset),
            "balance": balance_of(state, account, asset),
            "status": status_of(state, account, asset).value,
        }
        for asset in assets
    ]
    lines = [
        {
            "time": line.time,
            "kind": line.kind.value,
            "asset": asset_text(line.asset),
            "amount": line.amount,
            "balance": line.balance,
            "reference": line.reference,
            "content": line.content,
            "minutes": line.minutes,
        }
        for line in statement(state, account)
    ]
    return {"account": account, "balances": balances, "lines": lines}


def offer_view(offer: Offer) -> dict[str, Any]:
    return {
        "content": offer.content,
        "provider": offer.provider,
        "price": offer.price,
        "asset": asset_text(offer.asset),
        "duration": offer.duration,
        "token_code": offer.token_code,
        "on_sale": offer.on_sale,
        "delisted": offer.delisted,
    }


def rate_view(rate: Rate) -> dict[str, Any]:
    return {
        "content": rate.content,
        "provider": rate.provider,
        "asset": asset_text(rate.asset),
        "per_minute": rate.per_minute,
        "delisted": rate.delisted,
    }
