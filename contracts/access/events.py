"""Outputs of the one-time access contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.common import SendProviderRevenue, SendRefund
from contracts.core import Asset, Event, EventRejected

__all__ = [
    "EventAccessGranted",
    "EventContentDelisted",
    "EventContentRelisted",
    "EventOfferSet",
    "EventPaymentRefunded",
    "EventRejected",
    "EventSalesStopped",
    "SendAccessToken",
    "SendProviderRevenue",
    "SendRefund",
]


@dataclass(frozen=True, slots=True)
class EventOfferSet(Event):
    provider: str
    content: str
    price: int
    asset: Asset
    duration: int
    token_code: str


@dataclass(frozen=True, slots=True)
class EventSalesStopped(Event):
    content: str


@dataclass(frozen=True, slots=True)
class EventAccessGranted(Event):
    account: str
    content: str
    expires_at: int
    payment_id: str


@dataclass(frozen=True, slots=True)
class EventPaymentRefunded(Event):
    """A payment that buys nothing is returned in full; ``reason`` is a stable code."""

    account: str
    content: str
    amount: int
    payment_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class SendAccessToken(Event):
    """Ask the issuance contract to deliver ``amount`` stroops of the access token."""

    account: str
    asset_code: str
    amount: int
    reference: str


@dataclass(frozen=True, slots=True)
class EventContentDelisted(Event):
    content: str


@dataclass(frozen=True, slots=True)
class EventContentRelisted(Event):
    content: str
