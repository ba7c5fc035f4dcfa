"""``[limits]`` settings: request rates per client address and per account.

Each rate is in the ``limits`` package's notation: ``"10/minute"``, ``"100 per hour"``,
several separated by ``;`` (``"5/second; 100/minute"``), or ``""`` for no limit.
"""

from __future__ import annotations

from typing import Literal

from limits import parse_many
from pydantic import BaseModel, ConfigDict, Field, field_validator

Strategy = Literal["moving-window", "fixed-window", "sliding-window-counter"]

# The named rules, each a field of ``LimitSettings`` holding its rates.
RULES = (
    "sign_in_per_address",
    "failed_sign_in_per_address",
    "failed_sign_in_per_account",
    "writes_per_account",
    "writes_per_address",
    "ingest_per_address",
    "federation_per_address",
    "pages_per_address",
)


class LimitSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(default=True, description="answer 429 past the rates below")
    storage_uri: str = Field(
        default="memory://",
        description="where counters live (the limits package's storage URI); memory:// "
        "counts per process, redis://host:6379 shares counts between processes",
    )
    strategy: Strategy = "moving-window"
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto "
        "name the client (uvicorn forwarded_allow_ips); empty: the peer address is the client",
    )
    sign_in_per_address: str = Field(
        default="120/minute", description="GET and POST /v1/auth per client address"
    )
    failed_sign_in_per_address: str = Field(
        default="10/minute",
        description="refused sign-ins per client address; past it POST /v1/auth answers 429",
    )
    failed_sign_in_per_account: str = Field(
        default="20/minute",
        description="refused sign-ins per account; past it that account's sign-ins answer 429",
    )
    writes_per_account: str = Field(
        default="120/minute", description="authenticated writes per account"
    )
    writes_per_address: str = Field(
        default="600/minute", description="authenticated writes per client address"
    )
    ingest_per_address: str = Field(
        default="12000/minute",
        description="POST /v1/receipts and /v1/registrations per client address (peers batch)",
    )
    federation_per_address: str = Field(
        default="6000/minute",
        description="POST /v1/federation/sign per client address (a leader asks once per "
        "anchor and per chunk of 100 payouts)",
    )
    pages_per_address: str = Field(
        default="600/minute",
        description="pages of an epoch's verdicts or payouts (up to 1000 rows each) per "
        "client address",
    )

    @field_validator(*RULES)
    @classmethod
    def _is_rate(cls, v: str) -> str:
        if v.strip():
            try:
                parse_many(v)
            except ValueError:
                raise ValueError(
                    'a rate such as "10/minute" or "5/second; 100/minute", or "" for none'
                ) from None
        return v
