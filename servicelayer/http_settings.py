"""``[http]`` settings: how long a client may take to send a request, and how many
connections the node keeps open (docs/operator.md, docs/api.md "Limits")."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class HttpSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    header_timeout_seconds: float = Field(
        default=10.0,
        gt=0,
        le=600,
        description="time from accepting a connection (on a kept-alive one: from the first "
        "byte of the next request) to a complete request head; slower clients are cut off",
    )
    body_timeout_seconds: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="longest wait for more of a request body; each byte received also counts "
        "against body_min_bytes_per_second, so a body must keep at least that average rate",
    )
    body_min_bytes_per_second: int = Field(
        default=8192,
        ge=1,
        le=1_000_000_000,
        description="slowest accepted average upload rate of a request body",
    )
    keep_alive_seconds: int = Field(
        default=5, ge=1, le=600, description="an idle connection between requests is closed"
    )
    max_connections: int = Field(
        default=1024,
        ge=1,
        le=1_000_000,
        description="open connections at once; a connection past it is answered 503 and closed",
    )
    max_connections_per_client: int = Field(
        default=128,
        ge=0,
        le=1_000_000,
        description="open connections from one client address (0: no per-address limit, e.g. "
        "behind a reverse proxy); past it, 503 and closed",
    )
    drain_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        le=1 << 40,
        description="bytes of a refused body (e.g. over max_body_bytes) the node reads and "
        "discards so the client sees the answer; past it the connection is closed",
    )
