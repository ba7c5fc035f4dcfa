"""The catalog contract: ``transition(state, action, ctx) -> TransitionResult``."""

from __future__ import annotations

from dataclasses import replace

from contracts.catalog.actions import (
    MAX_ORIGINS,
    ActionPublish,
    ActionSetOrigins,
    ReceiveChannelBanned,
    ReceiveContentDelisted,
    ReceiveContentHidden,
    ReceiveContentRelisted,
)
from contracts.catalog.events import (
    EventItemPublished,
    EventItemStatusChanged,
    EventOriginsSet,
    EventProviderBanned,
)
from contracts.catalog.ownership import Use, seller_problem
from contracts.catalog.state import CatalogItem, CatalogState, ItemStatus
from contracts.catalog.validation import (
    is_optional_nonneg,
    is_optional_positive,
    normalize_tags,
    normalize_title,
)
from contracts.common import is_account, normalize_infohash
from contracts.core import Action, Context, Event, TransitionResult, rejected

Result = TransitionResult[CatalogState]


def transition(state: CatalogState, action: Action, ctx: Context) -> Result:
    match action:
        case ActionPublish():
            return _publish(state, action, ctx)
        case ActionSetOrigins():
            return _set_origins(state, action, ctx)
        case ReceiveContentDelisted(infohash=ih):
            return _set_status(state, action, ih, ItemStatus.DELISTED, ctx)
        case ReceiveContentHidden(infohash=ih):
            return _set_status(state, action, ih, ItemStatus.HIDDEN, ctx)
        case ReceiveContentRelisted(infohash=ih):
            return _set_status(state, action, ih, ItemStatus.LISTED, ctx)
        case ReceiveChannelBanned():
            return _ban(state, action, ctx)
        case _:
            return rejected(state, action, "unknown_action")


def _publish(state: CatalogState, action: ActionPublish, ctx: Context) -> Result:
    infohash = normalize_infohash(action.infohash)
    title = normalize_title(action.title)
    tags = normalize_tags(action.tags)
    if infohash is None:
        return rejected(state, action, "invalid_infohash")
    if title is None:
        return rejected(state, action, "invalid_title")
    if tags is None:
        return rejected(state, action, "invalid_tags")
    if not is_account(action.provider):
        return rejected(state, action, "invalid_account")
    if not is_optional_positive(action.bitrate):
        return rejected(state, action, "invalid_bitrate")
    if not is_optional_nonneg(action.price_per_minute):
        return rejected(state, action, "invalid_price")
    if action.provider in state.banned_providers:
        return rejected(state, action, "provider_banned")
    old = state.items.get(infohash)
    if old is not None and old.provider != action.provider:
        return rejected(state, action, "not_owner")
    if old is not None and old.status != ItemStatus.LISTED:
        return rejected(state, action, f"content_{old.status}")
    item = CatalogItem(
        infohash=infohash,
        title=title,
        tags=tags,
        provider=action.provider,
        bitrate=action.bitrate,
        price_per_minute=action.price_per_minute,
        status=ItemStatus.LISTED,
        published_at=ctx.close_time if old is None else old.published_at,
        updated_at=ctx.close_time,
    )
    if old is not None and replace(item, updated_at=old.updated_at) == old:
        return rejected(state, action, "no_change")
    items = state.items.set(infohash, item)
    event = EventItemPublished(infohash, action.provider, updated=old is not None)
    return TransitionResult(replace(state, items=items), (event,))


_ALLOWED_FROM: dict[ItemStatus, tuple[ItemStatus, ...]] = {
    ItemStatus.DELISTED: (ItemStatus.LISTED, ItemStatus.HIDDEN),
    ItemStatus.HIDDEN: (ItemStatus.LISTED, ItemStatus.DELISTED),
    ItemStatus.LISTED: (ItemStatus.HIDDEN, ItemStatus.DELISTED),
}


def _set_status(
    state: CatalogState, action: Action, raw: str, new: ItemStatus, ctx: Context
) -> Result:
    infohash = normalize_infohash(raw)
    if infohash is None:
        return rejected(state, action, "invalid_infohash")
    item = state.items.get(infohash)
    if item is None:
        return rejected(state, action, "unknown_content")
    if item.status not in _ALLOWED_FROM[new]:
        return rejected(state, action, f"already_{new}")
    if new != ItemStatus.DELISTED and item.provider in state.banned_providers:
        return rejected(state, action, "provider_banned")
    changed = replace(item, status=new, updated_at=ctx.close_time)
    event = EventItemStatusChanged(infohash, item.status, new)
    return TransitionResult(replace(state, items=state.items.set(infohash, changed)), (event,))


def _ban(state: CatalogState, action: ReceiveChannelBanned, ctx: Context) -> Result:
    if not is_account(action.provider):
        return rejected(state, action, "invalid_account")
    if action.provider in state.banned_providers:
        return rejected(state, action, "already_banned")
    items = state.items
    events: list[Event] = []
    for infohash, item in state.items.items():  # in the canonical (sorted) order
        if item.provider == action.provider and item.status != ItemStatus.DELISTED:
            items = items.set(
                infohash, replace(item, status=ItemStatus.DELISTED, updated_at=ctx.close_time)
            )
            events.append(EventItemStatusChanged(infohash, item.status, ItemStatus.DELISTED))
    banned = {**state.banned_providers, action.provider: ctx.close_time}
    events.append(EventProviderBanned(action.provider, len(events)))
    return TransitionResult(replace(state, items=items, banned_providers=banned), tuple(events))


def _set_origins(state: CatalogState, action: ActionSetOrigins, ctx: Context) -> Result:
    """The owner of a listed item names its origin seeders (the ownership rule of
    ``contracts.catalog.ownership``: published, owned by the writer, listed)."""
    infohash = normalize_infohash(action.infohash)
    if infohash is None:
        return rejected(state, action, "invalid_infohash")
    accounts = action.accounts
    if not isinstance(accounts, tuple) or not all(is_account(a) for a in accounts):
        return rejected(state, action, "invalid_account")
    if len(set(accounts)) > MAX_ORIGINS:
        return rejected(state, action, "too_many_origins")
    problem = seller_problem(state, action.owner, infohash, Use.PRICE)
    if problem is not None:
        return rejected(state, action, problem)
    wanted = tuple(sorted(set(accounts)))
    if state.origins.get(infohash, ()) == wanted:
        return rejected(state, action, "no_change")
    origins = state.origins.set(infohash, wanted) if wanted else state.origins.remove(infohash)
    event = EventOriginsSet(infohash, wanted)
    return TransitionResult(replace(state, origins=origins), (event,))
