"""Outputs of the issuance contract: ``Send*`` effects for the settlement layer, ``Event*``."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.core import Asset, Event
from contracts.issuance.state import AssetFlags, AssetKind


@dataclass(frozen=True, slots=True)
class SendConfigureIssuer(Event):
    """Set the issuer account's flags before anything is issued."""

    asset: Asset
    flags: AssetFlags


@dataclass(frozen=True, slots=True)
class SendIssue(Event):
    """Pay ``amount`` of ``asset`` from ``source`` (issuer: a mint; distribution: a transfer)."""

    asset: Asset
    to: str
    amount: int
    source: str


@dataclass(frozen=True, slots=True)
class SendClawback(Event):
    asset: Asset
    holder: str
    amount: int


@dataclass(frozen=True, slots=True)
class SendBurn(Event):
    """The distribution account pays ``amount`` back to the issuer."""

    asset: Asset
    amount: int
    source: str


@dataclass(frozen=True, slots=True)
class SendLockIssuer(Event):
    """Set the issuer's master weight to 0 (and no other signer): no more issuance, ever."""

    asset: Asset


@dataclass(frozen=True, slots=True)
class EventAssetDefined(Event):
    asset: Asset
    kind: AssetKind
    cap: int
    grants: str


@dataclass(frozen=True, slots=True)
class EventSupplyChanged(Event):
    """After a mint, burn or clawback: the new totals."""

    asset: Asset
    issued: int
    outstanding: int


@dataclass(frozen=True, slots=True)
class EventHoldingChanged(Event):
    asset: Asset
    account: str
    balance: int


@dataclass(frozen=True, slots=True)
class EventAssetLocked(Event):
    asset: Asset
    supply: int
