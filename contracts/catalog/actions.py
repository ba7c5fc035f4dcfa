"""Inputs of the catalog contract."""

from __future__ import annotations

from dataclasses import dataclass

from contracts.core import Action


@dataclass(frozen=True, slots=True)
class ActionPublish(Action):
    """Publish a new item, or update the metadata of one's own listed item."""

    infohash: str
    title: str
    tags: tuple[str, ...]
    provider: str
    bitrate: int | None = None
    price_per_minute: int | None = None


@dataclass(frozen=True, slots=True)
class ReceiveContentDelisted(Action):
    """Moderation decided: the item leaves the catalog."""

    infohash: str


@dataclass(frozen=True, slots=True)
class ReceiveContentHidden(Action):
    """Moderation: an appeal runs, the item is hidden but kept."""

    infohash: str


@dataclass(frozen=True, slots=True)
class ReceiveContentRelisted(Action):
    """Moderation: an appeal succeeded, the item is listed again."""

    infohash: str


@dataclass(frozen=True, slots=True)
class ReceiveChannelBanned(Action):
    """Moderation: every item of ``provider`` leaves the catalog; no new ones are accepted."""

    provider: str


MAX_ORIGINS = 16
"""Origin seeders one item may name."""


@dataclass(frozen=True, slots=True)
class ActionSetOrigins(Action):
    """The item's owner names the accounts of its origin seeders (replaces the list; an
    empty list clears it). Validators probe those swarms every window and contact the
    origins' registered endpoints first."""

    infohash: str
    owner: str
    accounts: tuple[str, ...]
