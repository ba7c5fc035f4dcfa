"""Horizon paging: cursor/order/limit parsing and collections with self/next/prev links."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from servicelayer.errors import InvalidInput

MAX_LIMIT = 200
DEFAULT_LIMIT = 10


def href(base: str, path: str, templated: bool = False) -> dict[str, Any]:
    """An absolute link: the server's own base URL plus ``path``."""
    link: dict[str, Any] = {"href": base.rstrip("/") + path}
    if templated:
        link["templated"] = True
    return link


@dataclass(frozen=True, slots=True)
class PageParams:
    cursor: int | None
    descending: bool
    limit: int
    raw_cursor: str

    @property
    def order(self) -> str:
        return "desc" if self.descending else "asc"


def parse_page(cursor: str | None, order: str | None, limit: str | None) -> PageParams:
    """Horizon's cursor/order/limit validation; InvalidInput names the bad field."""
    if order not in (None, "", "asc", "desc"):
        raise InvalidInput("order must be asc or desc", code="bad_request:order")
    try:
        size = DEFAULT_LIMIT if limit in (None, "") else int(str(limit))
    except ValueError:
        raise InvalidInput("limit must be an integer", code="bad_request:limit") from None
    if not 1 <= size <= MAX_LIMIT:
        raise InvalidInput(f"limit must be between 1 and {MAX_LIMIT}", code="bad_request:limit")
    descending = order == "desc"
    raw = cursor or ""
    value: int | None = None
    if raw == "now":
        value = 2**63 - 1
    elif raw:
        try:
            value = int(raw)
        except ValueError:
            raise InvalidInput("cursor must be a paging token", code="bad_request:cursor") from None
        if value < 0:
            raise InvalidInput("cursor must not be negative", code="bad_request:cursor")
    return PageParams(value, descending, size, raw)


def page(
    records: list[dict[str, Any]],
    base: str,
    path: str,
    params: PageParams,
    extra_query: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A Horizon collection with absolute self/next/prev links."""

    def link(cursor: str, order: str) -> dict[str, Any]:
        query = {
            **(extra_query or {}),
            "cursor": cursor,
            "limit": str(params.limit),
            "order": order,
        }
        return href(base, f"{path}?{urlencode(query)}")

    reverse = "asc" if params.descending else "desc"
    first = records[0]["paging_token"] if records else params.raw_cursor
    last = records[-1]["paging_token"] if records else params.raw_cursor
    return {
        "_links": {
            "self": link(params.raw_cursor, params.order),
            "next": link(last, params.order),
            "prev": link(first, reverse),
        },
        "_embedded": {"records": records},
    }
