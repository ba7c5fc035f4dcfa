"""Outputs of the per-minute billing contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.common import SendProviderRevenue, SendRefund
from contracts.core import Asset, Event, EventRejected

__all__ = [
    "EventBalanceStatus",
    "EventContentDelisted",
    "EventContentRelisted",
    "EventDeposited",
    "EventMinutesBilled",
    "EventRateSet",
    "EventRejected",
    "SendProviderRevenue",
    "SendRefund",
]


@dataclass(frozen=True, slots=True)
class EventRateSet(Event):
    provider: str
    content: str
    asset: Asset
    per_minute: int


@dataclass(frozen=True, slots=True)
class EventDeposited(Event):
    account: str
    asset: Asset
    amount: int
    balance: int
    tx_hash: str


@dataclass(frozen=True, slots=True)
class EventMinutesBilled(Event):
    """Outcome of one viewing receipt: minutes charged, minutes refused for lack of
    balance (unbilled, not served), and minutes already seen in the session."""

    account: str
    content: str
    session: str
    charged: tuple[int, ...]
    amount: int
    balance: int
    unbilled: tuple[int, ...]
    duplicates: int


@dataclass(frozen=True, slots=True)
class EventBalanceStatus(Event):
    """The account's balance status in ``asset`` changed (solvent, low, stopped)."""

    account: str
    asset: Asset
    status: str


@dataclass(frozen=True, slots=True)
class EventContentDelisted(Event):
    content: str


@dataclass(frozen=True, slots=True)
class EventContentRelisted(Event):
    content: str
