"""Which contract hears of each moderation decision: the DAO's fan-out, pure.

Moderation never touches another contract's state: its decisions are events. The runtime
passes the events of a moderation action through ``fan_out`` and applies the actions it
gets, in the order given, to the contracts named, in the same transaction:

- ``EventContentDelisted``: catalog, subscriptions, access, billing ``ReceiveContentDelisted``
- ``EventContentHidden``: catalog ``ReceiveContentHidden``
- ``EventContentRelisted``: catalog, subscriptions, access, billing ``ReceiveContentRelisted``
- ``EventChannelBanned``: catalog ``ReceiveChannelBanned``; then ``after_catalog`` delists
  each item the ban delisted in subscriptions, access and billing
- ``EventParameterChanged``: rewards ``ReceiveParameterChanged`` (the reward split only)
- ``EventMintApproved``: issuance ``ActionMintByVote``

A contract that does not sell the content refuses the action (``unknown_content``);
the refusal is journaled like any other and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from contracts.catalog.actions import ReceiveChannelBanned
from contracts.catalog.bridge import catalog_action_for
from contracts.catalog.events import EventItemStatusChanged
from contracts.catalog.state import ItemStatus
from contracts.common import ReceiveContentDelisted, ReceiveContentRelisted
from contracts.core import Action, Event
from contracts.issuance.bridge import issuance_action_for
from contracts.moderation.events import EventContentDelisted, EventContentRelisted
from contracts.rewards.bridge import rewards_action_for

Bridge = Callable[[Event], Action | None]


def entitlement_action_for(event: Event) -> Action | None:
    """For the contracts that sell access (subscriptions, access, billing)."""
    match event:
        case EventContentDelisted(infohash=infohash):
            return ReceiveContentDelisted(infohash)
        case EventContentRelisted(infohash=infohash):
            return ReceiveContentRelisted(infohash)
        case _:
            return None


SELLERS = ("subscriptions", "access", "billing")

CONSUMERS: tuple[tuple[str, Bridge], ...] = (
    ("catalog", catalog_action_for),
    ("subscriptions", entitlement_action_for),
    ("access", entitlement_action_for),
    ("billing", entitlement_action_for),
    ("rewards", rewards_action_for),
    ("issuance", issuance_action_for),
)


def fan_out(events: Iterable[Event]) -> tuple[tuple[str, Action], ...]:
    """(contract, action) for each consumer of each event: events in order, then consumers
    in ``CONSUMERS`` order. Deterministic: the same events give the same actions."""
    return tuple(
        (name, action)
        for event in events
        for name, bridge in CONSUMERS
        if (action := bridge(event)) is not None
    )


def after_catalog(action: Action, events: Iterable[Event]) -> tuple[tuple[str, Action], ...]:
    """What the catalog's answer to a channel ban calls for: moderation names only the
    provider, the catalog knows its items; each one the ban delisted is delisted in the
    contracts that sell access too. Nothing for any other catalog action."""
    if not isinstance(action, ReceiveChannelBanned):
        return ()
    return tuple(
        (name, ReceiveContentDelisted(event.infohash))
        for event in events
        if isinstance(event, EventItemStatusChanged) and event.new == ItemStatus.DELISTED
        for name in SELLERS
    )
