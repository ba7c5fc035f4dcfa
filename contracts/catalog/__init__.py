"""The content catalog (P2P search index) and its search."""

from contracts.catalog.actions import (
    MAX_ORIGINS,
    ActionPublish,
    ActionSetOrigins,
    ReceiveChannelBanned,
    ReceiveContentDelisted,
    ReceiveContentHidden,
    ReceiveContentRelisted,
)
from contracts.catalog.bridge import catalog_action_for
from contracts.catalog.events import (
    EventItemPublished,
    EventItemStatusChanged,
    EventOriginsSet,
    EventProviderBanned,
)
from contracts.catalog.search import SearchHit, SearchPage, search
from contracts.catalog.state import CatalogItem, CatalogState, ItemStatus, initial_state
from contracts.catalog.transition import transition

__all__ = [
    "MAX_ORIGINS",
    "ActionPublish",
    "ActionSetOrigins",
    "CatalogItem",
    "CatalogState",
    "EventItemPublished",
    "EventItemStatusChanged",
    "EventOriginsSet",
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
