"""P2P search over the catalog: a pure function of the catalog state.

Matching: the query is split into case-folded word tokens (``\\w+``). An item matches
when EVERY query token equals a word of its title or one of its tags (or a word of a
tag). Items that are not ``listed`` (hidden under appeal, delisted) never match.
Ranking, deterministic: score descending (2 per query token found in the title, 1 per
query token found in the tags), then newest first (``published_at``), then infohash.
An empty query matches every listed item that passes the filters (score 0).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from contracts.catalog.state import CatalogItem, CatalogState, ItemStatus

MAX_LIMIT = 100
_WORD = re.compile(r"\w+")


@dataclass(frozen=True, slots=True)
class SearchHit:
    item: CatalogItem
    score: int


@dataclass(frozen=True, slots=True)
class SearchPage:
    hits: tuple[SearchHit, ...]
    total: int  # matches before limit/offset


def tokens(text: str) -> tuple[str, ...]:
    """Case-folded word tokens in order of appearance, without duplicates."""
    return tuple(dict.fromkeys(_WORD.findall(text.casefold())))


def _score(item: CatalogItem, query: tuple[str, ...]) -> int | None:
    title_words = tokens(item.title)
    tag_words = item.tags + tuple(w for tag in item.tags for w in tokens(tag))
    score = 0
    for token in query:
        in_title = token in title_words
        in_tags = token in tag_words
        if not (in_title or in_tags):
            return None
        score += 2 * in_title + in_tags
    return score


def search(
    state: CatalogState,
    query: str = "",
    tags: tuple[str, ...] = (),
    provider: str | None = None,
    limit: int = 20,
    offset: int = 0,
) -> SearchPage:
    """Listed items matching ``query``, having all ``tags`` and, if given, from ``provider``.

    ``limit`` is clamped to 1..100 and ``offset`` to >= 0, so any input gives an answer.
    """
    limit = min(max(limit, 1), MAX_LIMIT)
    offset = max(offset, 0)
    wanted_tags = tuple(t.strip().casefold() for t in tags)
    query_tokens = tokens(query)
    hits: list[SearchHit] = []
    for infohash in sorted(state.items):
        item = state.items[infohash]
        if item.status != ItemStatus.LISTED:
            continue
        if provider is not None and item.provider != provider:
            continue
        if any(t not in item.tags for t in wanted_tags):
            continue
        score = _score(item, query_tokens)
        if score is not None:
            hits.append(SearchHit(item, score))
    hits.sort(key=lambda h: (-h.score, -h.item.published_at, h.item.infohash))
    return SearchPage(tuple(hits[offset : offset + limit]), len(hits))
