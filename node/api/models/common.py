"""Shared field shapes: accounts, content ids, assets, amounts."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

ACCOUNT_PATTERN = "^G[A-Z2-7]{55}$"
INFOHASH_PATTERN = "^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$"
ID_PATTERN = r"^[A-Za-z0-9._:\-]{1,64}$"
MAX_STROOPS = 2**63 - 1

Account = Annotated[str, Field(pattern=ACCOUNT_PATTERN, description="Stellar account G...")]
Infohash = Annotated[
    str, Field(pattern=INFOHASH_PATTERN, description="BitTorrent infohash, 40 or 64 hex")
]
Identifier = Annotated[str, Field(pattern=ID_PATTERN, description="1-64 of A-Z a-z 0-9 . _ : -")]
AssetText = Annotated[
    str,
    Field(
        min_length=3,
        max_length=69,
        description="`XLM` (or `native`) or `CODE:ISSUER`",
        examples=["XLM"],
    ),
]
Stroops = Annotated[int, Field(gt=0, le=MAX_STROOPS, description="Integer stroops (10^-7 unit)")]
Seconds = Annotated[int, Field(gt=0, le=10**10, description="Seconds")]
