from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, Field

from contracts.catalog import MAX_ORIGINS
from node.api.models.common import JSON_INTEGER, MAX_STROOPS, Account, Infohash


class PublishIn(BaseModel):
    infohash: Infohash
    title: str = Field(min_length=1, max_length=200)
    tags: list[str] = Field(default_factory=list, max_length=16)
    bitrate: Annotated[int, Field(gt=0, le=MAX_STROOPS), JSON_INTEGER] | None = Field(
        None, description="Bytes per second, a hint"
    )
    price_per_minute: Annotated[int, Field(ge=0, le=MAX_STROOPS), JSON_INTEGER] | None = Field(
        None, description="Stroops per minute, a hint"
    )
    channel: str = Field(
        "", max_length=64, description="One of your channels (POST /v1/channels), or empty"
    )


class OriginsIn(BaseModel):
    accounts: list[Account] = Field(
        max_length=MAX_ORIGINS,
        description="Accounts (G...) of the item's origin seeders; empty clears the list",
    )


class CatalogItemOut(BaseModel):
    infohash: str
    title: str
    tags: list[str]
    provider: Account
    bitrate: int | None
    price_per_minute: int | None
    status: str = Field(description="listed, hidden (under appeal) or delisted")
    published_at: int
    updated_at: int
    origins: list[str] = Field(
        default_factory=list, description="Origin seeders its owner registered (probed first)"
    )


class SearchHitOut(CatalogItemOut):
    score: int


class SearchOut(BaseModel):
    total: int = Field(description="Matches before limit/offset")
    limit: int
    offset: int
    items: list[SearchHitOut]
