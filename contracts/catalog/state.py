"""State of the content catalog: the open index of what providers publish."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from contracts.canonical import ADDED_LATER
from contracts.pmap import PMap


class ItemStatus(StrEnum):
    LISTED = "listed"
    HIDDEN = "hidden"  # under appeal: out of search, restorable
    DELISTED = "delisted"  # removed by a DAO decision (or a channel ban)


@dataclass(frozen=True, slots=True)
class CatalogItem:
    infohash: str  # lowercase hex: 40 (BitTorrent v1) or 64 (v2) characters
    title: str
    tags: tuple[str, ...]  # lowercase, sorted, unique
    provider: str  # the publishing account (G...)
    bitrate: int | None  # bytes per second, a hint
    price_per_minute: int | None  # stroops per minute, a hint
    status: ItemStatus
    published_at: int  # close time of the first publication
    updated_at: int


@dataclass(frozen=True, slots=True)
class CatalogState:
    items: PMap[str, CatalogItem] = field(default_factory=PMap)
    banned_providers: dict[str, int] = field(default_factory=dict)  # provider -> ban time
    # infohash -> its owner's origin seeders (sorted, unique; ActionSetOrigins); added
    # after journals were written: left out of the state hash while empty
    origins: PMap[str, tuple[str, ...]] = field(default_factory=PMap, metadata=ADDED_LATER)


def initial_state() -> CatalogState:
    return CatalogState()
