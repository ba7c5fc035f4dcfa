"""Outputs of the rewards contract (payouts are ``contracts.common.SendPayout``)."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.core import Asset, Event


@dataclass(frozen=True, slots=True)
class EventEpochRewarded(Event):
    """received == credited + treasury, exactly."""

    epoch: int
    asset: Asset
    received: int
    credited: int
    treasury: int


@dataclass(frozen=True, slots=True)
class EventRewardCredited(Event):
    epoch: int
    account: str
    asset: Asset
    amount: int


@dataclass(frozen=True, slots=True)
class EventPayoutSettled(Event):
    reference: str
    account: str
    asset: Asset
    amount: int


@dataclass(frozen=True, slots=True)
class EventPayoutReturned(Event):
    """A failed payout: its amount is payable again."""

    reference: str
    account: str
    asset: Asset
    amount: int


@dataclass(frozen=True, slots=True)
class EventRewardParameterChanged(Event):
    name: str
    value: int
