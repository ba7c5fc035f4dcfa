"""Catalog use cases: a provider publishes content; anyone searches the open index."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from contracts.catalog import ActionPublish, ActionSetOrigins, CatalogItem, CatalogState, search
from contracts.core import Context
from contracts.subscriptions import ActionRegisterContent, SubscriptionsState
from servicelayer.errors import NotFound
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.services.common import RefusedConflict, apply_checked, state_of
from servicelayer.services.ownership import require_seller


@dataclass(frozen=True)
class Publication:
    infohash: str
    title: str
    tags: tuple[str, ...]
    bitrate: int | None = None
    price_per_minute: int | None = None
    channel: str = ""  # one of the provider's channels (subscriptions), or none


def publish(
    runtime: ContractRuntime, session: Session, ctx: Context, provider: str, p: Publication
) -> dict[str, Any]:
    """List ``p`` in the catalog and register its ownership for subscriptions.

    The first publisher of an infohash owns it; editing an item is the ownership rule's
    (``servicelayer.services.ownership``) like every other write that names content."""
    infohash = p.infohash.lower()
    published: CatalogState = state_of(runtime, session, "catalog")
    if infohash in published.items:
        require_seller(runtime, session, provider, infohash)
    action = ActionPublish(infohash, p.title, p.tags, provider, p.bitrate, p.price_per_minute)
    apply_checked(runtime, session, "catalog", [action], ctx)
    subs: SubscriptionsState = state_of(runtime, session, "subscriptions")
    owned = subs.contents.get(infohash)
    if owned is None:
        register = ActionRegisterContent(provider, infohash, p.channel)
        apply_checked(runtime, session, "subscriptions", [register], ctx)
    elif owned.provider != provider:
        raise RefusedConflict("another provider owns this content", code="content_exists")
    catalog: CatalogState = state_of(runtime, session, "catalog")
    return item_view(catalog.items[infohash], catalog.origins.get(infohash, ()))


def set_origins(
    runtime: ContractRuntime,
    session: Session,
    ctx: Context,
    owner: str,
    infohash: str,
    accounts: Sequence[str],
) -> dict[str, Any]:
    """The item's owner names its origin seeders (the ownership rule decides who may).
    Naming the list it already has changes nothing and answers the item (a PUT)."""
    infohash = infohash.lower()
    require_seller(runtime, session, owner, infohash)
    state: CatalogState = state_of(runtime, session, "catalog")
    if state.origins.get(infohash, ()) != tuple(sorted(set(accounts))):
        action = ActionSetOrigins(infohash, owner, tuple(accounts))
        apply_checked(runtime, session, "catalog", [action], ctx)
    return get_item(runtime, session, infohash)


def catalog_origins(runtime: ContractRuntime, session: Session) -> Mapping[str, Sequence[str]]:
    """Infohash -> origin accounts of every listed item that names some (for the probes)."""
    if "catalog" not in runtime.specs:
        return {}
    state: CatalogState = state_of(runtime, session, "catalog")
    return {
        h: accounts
        for h, accounts in state.origins.items()
        if (item := state.items.get(h)) is not None and item.status.value == "listed"
    }


def find(
    runtime: ContractRuntime,
    session: Session,
    query: str,
    tags: tuple[str, ...],
    provider: str | None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """P2P search: listed items only, ranked (see contracts/catalog/search.py)."""
    state: CatalogState = state_of(runtime, session, "catalog")
    page = search(state, query, tags, provider, limit, offset)
    hits = [item_view(hit.item) | {"score": hit.score} for hit in page.hits]
    return {"total": page.total, "limit": limit, "offset": offset, "items": hits}


def get_item(runtime: ContractRuntime, session: Session, infohash: str) -> dict[str, Any]:
    state: CatalogState = state_of(runtime, session, "catalog")
    item = state.items.get(infohash.lower())
    if item is None:
        raise NotFound(f"no catalog item {infohash}", code="unknown_content")
    return item_view(item, state.origins.get(item.infohash, ()))


def item_view(item: CatalogItem, origins: Sequence[str] = ()) -> dict[str, Any]:
    return {
        "infohash": item.infohash,
        "title": item.title,
        "tags": list(item.tags),
        "provider": item.provider,
        "bitrate": item.bitrate,
        "price_per_minute": item.price_per_minute,
        "status": item.status.value,
        "published_at": item.published_at,
        "updated_at": item.updated_at,
        "origins": list(origins),
    }
