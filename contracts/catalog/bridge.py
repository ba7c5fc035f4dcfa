"""Feeding moderation's decisions into the catalog.

The runtime passes each moderation event through ``catalog_action_for``; the ones
that concern the catalog become catalog actions (others give None).
"""

from __future__ import annotations

from contracts.catalog.actions import (
    ReceiveChannelBanned,
    ReceiveContentDelisted,
    ReceiveContentHidden,
    ReceiveContentRelisted,
)
from contracts.core import Action, Event
from contracts.moderation.events import (
    EventChannelBanned,
    EventContentDelisted,
    EventContentHidden,
    EventContentRelisted,
)


def catalog_action_for(event: Event) -> Action | None:
    match event:
        case EventContentDelisted(infohash=ih):
            return ReceiveContentDelisted(ih)
        case EventContentHidden(infohash=ih):
            return ReceiveContentHidden(ih)
        case EventContentRelisted(infohash=ih):
            return ReceiveContentRelisted(ih)
        case EventChannelBanned(provider=provider):
            return ReceiveChannelBanned(provider)
        case _:
            return None
