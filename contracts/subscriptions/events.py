"""Outputs of the subscriptions contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.common import SendProviderRevenue, SendRefund
from contracts.core import Asset, Event, EventRejected

__all__ = [
    "EventBundleSplit",
    "EventCancelScheduled",
    "EventChannelRegistered",
    "EventContentDelisted",
    "EventContentRegistered",
    "EventContentRelisted",
    "EventCredited",
    "EventOfferingCreated",
    "EventOfferingRetired",
    "EventRejected",
    "EventRenewed",
    "EventStatusChanged",
    "EventSubscribed",
    "EventTermsUpdated",
    "EventViewingRecorded",
    "SendChargeRequest",
    "SendProviderRevenue",
    "SendRefund",
]


@dataclass(frozen=True, slots=True)
class EventChannelRegistered(Event):
    provider: str
    channel: str


@dataclass(frozen=True, slots=True)
class EventContentRegistered(Event):
    provider: str
    content: str
    channel: str


@dataclass(frozen=True, slots=True)
class EventContentDelisted(Event):
    content: str


@dataclass(frozen=True, slots=True)
class EventContentRelisted(Event):
    content: str


@dataclass(frozen=True, slots=True)
class EventOfferingCreated(Event):
    kind: str
    offering_id: str
    owner: str
    price: int
    period: int
    asset: Asset


@dataclass(frozen=True, slots=True)
class EventTermsUpdated(Event):
    offering_id: str
    price: int
    period: int


@dataclass(frozen=True, slots=True)
class EventOfferingRetired(Event):
    offering_id: str


@dataclass(frozen=True, slots=True)
class EventCredited(Event):
    account: str
    asset: Asset
    amount: int
    balance: int
    payment_id: str


@dataclass(frozen=True, slots=True)
class EventSubscribed(Event):
    account: str
    offering_id: str
    price: int
    period: int
    until: int


@dataclass(frozen=True, slots=True)
class EventRenewed(Event):
    account: str
    offering_id: str
    amount: int
    period_index: int
    until: int


@dataclass(frozen=True, slots=True)
class SendChargeRequest(Event):
    """Ask the subscriber (via the DApp) to pay ``amount`` before ``due_by``."""

    account: str
    asset: Asset
    amount: int
    reference: str
    due_by: int


@dataclass(frozen=True, slots=True)
class EventStatusChanged(Event):
    account: str
    offering_id: str
    status: str
    reason: str


@dataclass(frozen=True, slots=True)
class EventCancelScheduled(Event):
    account: str
    offering_id: str
    effective_at: int


@dataclass(frozen=True, slots=True)
class EventViewingRecorded(Event):
    viewer: str
    content: str
    provider: str
    seconds: int
    bundles: tuple[str, ...]  # bundle subscriptions whose pool counted it


@dataclass(frozen=True, slots=True)
class EventBundleSplit(Event):
    """One subscriber's period revenue split: shares are (provider, counted seconds, amount)."""

    bundle_id: str
    account: str
    period_index: int
    asset: Asset
    amount: int
    shares: tuple[tuple[str, int, int], ...]
