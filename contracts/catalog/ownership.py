"""Who may sell a content: the one ownership rule, over the catalog's state.

The catalog is the registry of published content: its item's ``provider`` owns it.
Every write that names a content for sale (an offer, a per-minute rate, an access token
on an offer, stopping sales, editing the catalog item) asks ``seller_problem`` first:

- the content must be published (``content_not_published`` otherwise), so nobody can
  price an infohash before its owner publishes it and take the owner's money;
- the writer must be its catalog owner (``not_content_owner``);
- new terms need a listed item (``content_hidden`` / ``content_delisted``); winding a
  sale down (``Use.WIND_DOWN``, e.g. stopping sales) stays open to the owner whatever
  the item's status.

Pure: the catalog state and the request in, a stable refusal code (or None) out.
"""

from __future__ import annotations

from enum import StrEnum

from contracts.catalog.state import CatalogState, ItemStatus
from contracts.common import normalize_infohash


class Use(StrEnum):
    PRICE = "price"  # create or change terms: an offer, a rate, an access token
    WIND_DOWN = "wind_down"  # stop selling: allowed while hidden or delisted too


def seller_problem(state: CatalogState, account: str, content: str, use: Use) -> str | None:
    """Why ``account`` may not ``use`` ``content`` for sale, or None when it may."""
    infohash = normalize_infohash(content)
    item = state.items.get(infohash) if infohash is not None else None
    if item is None:
        return "content_not_published"
    if item.provider != account:
        return "not_content_owner"
    if use == Use.PRICE and item.status != ItemStatus.LISTED:
        return f"content_{item.status.value}"
    return None
