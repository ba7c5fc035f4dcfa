"""Inputs of the subscriptions contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.common import ReceiveContentDelisted, ReceiveContentRelisted
from contracts.core import Action, Asset

__all__ = [
    "ActionCancel",
    "ActionCreateBundle",
    "ActionCreatePlan",
    "ActionRegisterChannel",
    "ActionRegisterContent",
    "ActionRetireOffering",
    "ActionSubscribe",
    "ActionUpdateTerms",
    "ActionWithdrawCredit",
    "ReceiveContentDelisted",
    "ReceiveContentRelisted",
    "ReceiveLedgerClose",
    "ReceivePayment",
    "ReceiveVerifiedViewing",
]


@dataclass(frozen=True, slots=True)
class ActionRegisterChannel(Action):
    provider: str
    channel: str


@dataclass(frozen=True, slots=True)
class ActionRegisterContent(Action):
    provider: str
    content: str  # infohash hex
    channel: str = ""  # one of the provider's channels, or "" for none


@dataclass(frozen=True, slots=True)
class ActionCreatePlan(Action):
    provider: str
    plan_id: str
    price: int  # stroops per period
    period: int  # seconds
    asset: Asset
    channels: tuple[str, ...] = ()  # () = the provider's whole catalog
    bundleable: bool = True  # may other providers' bundles include this plan


@dataclass(frozen=True, slots=True)
class ActionCreateBundle(Action):
    curator: str  # a provider of one of the plans
    bundle_id: str
    plans: tuple[str, ...]
    price: int
    period: int
    asset: Asset
    engagement_cap: int = 0  # seconds per provider per period; 0 = the period length


@dataclass(frozen=True, slots=True)
class ActionUpdateTerms(Action):
    """Change the price and period offered to new subscribers (and renewals if cheaper)."""

    owner: str
    offering_id: str
    price: int
    period: int


@dataclass(frozen=True, slots=True)
class ActionRetireOffering(Action):
    owner: str
    offering_id: str


@dataclass(frozen=True, slots=True)
class ReceivePayment(Action):
    """A payment to the treasury observed on Stellar, credited to ``account``.

    ``payment_id`` (e.g. the transaction hash and operation index) is unique.
    """

    account: str
    asset: Asset
    amount: int
    payment_id: str


@dataclass(frozen=True, slots=True)
class ActionSubscribe(Action):
    account: str
    offering_id: str


@dataclass(frozen=True, slots=True)
class ActionCancel(Action):
    account: str
    offering_id: str


@dataclass(frozen=True, slots=True)
class ActionWithdrawCredit(Action):
    account: str
    asset: Asset
    amount: int


@dataclass(frozen=True, slots=True)
class ReceiveVerifiedViewing(Action):
    """Verified viewing seconds of ``viewer`` on ``content`` during ``epoch``."""

    epoch: int
    viewer: str
    content: str
    seconds: int


@dataclass(frozen=True, slots=True)
class ReceiveLedgerClose(Action):
    """Time passed: renewals, dunning and bundle splits due by ``ctx.close_time`` run."""
