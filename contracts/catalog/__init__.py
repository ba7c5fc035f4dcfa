"""The content catalog (P2P search index) and its search."""

from contracts.catalog.actions import (
    ActionPublish,
    ReceiveChannelBanned,
    ReceiveContentDelisted,
    ReceiveContentHidden,
    ReceiveContentRelisted,
)
from contracts.catalog.bridge import catalog_action_for
from contracts.catalog.events import EventItemPublished, EventItemStatusChanged, EventProviderBanned
from contracts.catalog.search import SearchHit, SearchPage, search
from contracts.catalog.state import CatalogItem, CatalogState, ItemStatus, initial_state
from contracts.catalog.transition import transition

__all__ = [
    "ActionPublish",
    "CatalogItem",
    "CatalogState",
    "EventItemPublished",
    "EventItemStatusChanged",
    "EventProviderBanned",
    "ItemStatus",
    "ReceiveChannelBanned",
    "ReceiveContentDelisted",
    "ReceiveContentHidden",
    "ReceiveContentRelisted",
    "SearchHit",
    "SearchPage",
    "catalog_action_for",
    "initial_state",
    "search",
    "transition",
]
