"""Normalisation and validation of what a provider publishes."""

from __future__ import annotations

from contracts.core import MAX_AMOUNT

MAX_TITLE = 200
MAX_TAGS = 16
MAX_TAG = 32


def normalize_title(value: object) -> str | None:
    if type(value) is not str:
        return None
    title = " ".join(value.split())
    if not 1 <= len(title) <= MAX_TITLE or not title.isprintable():
        return None
    return title


def normalize_tags(value: object) -> tuple[str, ...] | None:
    """Case-folded, unique, sorted tags; None if any is empty, too long or has spaces."""
    if not isinstance(value, tuple) or len(value) > MAX_TAGS:
        return None
    tags: list[str] = []
    for raw in value:
        if type(raw) is not str:
            return None
        tag = raw.strip().casefold()
        if not 1 <= len(tag) <= MAX_TAG or not tag.isprintable() or any(c.isspace() for c in tag):
            return None
        tags.append(tag)
    return tuple(sorted(dict.fromkeys(tags)))


def is_optional_positive(value: object) -> bool:
    return value is None or (type(value) is int and 0 < value <= MAX_AMOUNT)


def is_optional_nonneg(value: object) -> bool:
    return value is None or (type(value) is int and 0 <= value <= MAX_AMOUNT)
