"""Outputs of the catalog contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.catalog.state import ItemStatus
from contracts.core import Event


@dataclass(frozen=True, slots=True)
class EventItemPublished(Event):
    infohash: str
    provider: str
    updated: bool  # True when an existing item's metadata changed


@dataclass(frozen=True, slots=True)
class EventItemStatusChanged(Event):
    infohash: str
    old: ItemStatus
    new: ItemStatus


@dataclass(frozen=True, slots=True)
class EventProviderBanned(Event):
    provider: str
    items_delisted: int


@dataclass(frozen=True, slots=True)
class EventOriginsSet(Event):
    infohash: str
    accounts: tuple[str, ...]
