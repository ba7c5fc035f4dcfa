"""Inputs of the one-time access contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.common import ReceiveContentDelisted, ReceiveContentRelisted
from contracts.core import Action, Asset

__all__ = [
    "ActionSetAccessPrice",
    "ActionStopSales",
    "ReceiveAccessPayment",
    "ReceiveContentDelisted",
    "ReceiveContentRelisted",
]


@dataclass(frozen=True, slots=True)
class ActionSetAccessPrice(Action):
    """Create or change the offer for a content (the first provider to price it owns it)."""

    provider: str
    content: str
    price: int
    asset: Asset
    duration: int  # seconds of access per purchase
    token_code: str = ""  # "" = no access token


@dataclass(frozen=True, slots=True)
class ActionStopSales(Action):
    """No new purchases; grants already sold run to their end."""

    provider: str
    content: str


@dataclass(frozen=True, slots=True)
class ReceiveAccessPayment(Action):
    """A payment to the treasury for ``content`` (resolved from the memo by the runtime)."""

    account: str
    content: str
    asset: Asset
    amount: int
    payment_id: str
