"""Settings of the node's swarm probes and epoch pipeline (TOML tables [probes], [epochs])."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ProbeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    listen: str = Field(default="0.0.0.0:0", description="libtorrent listen interfaces")
    dht: bool = Field(
        default=False,
        description="find peers through the DHT (contacts the "
        "public DHT routers: turn on for production, off on closed networks)",
    )
    rate_ppm: int = Field(
        default=100_000,
        ge=0,
        le=1_000_000,
        description="share of an epoch's swarms probed, in millionths",
    )
    seconds: int = Field(
        default=130, ge=5, le=3600, description="one probe's length; >= 120 spans a whole window"
    )
    budget_bytes: int = Field(default=4 * 1024 * 1024, ge=0)
    per_round: int = Field(default=4, ge=1, le=100)
    interval_seconds: int = Field(default=60, ge=1)


class EpochSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True,
        description="run the epoch pipeline in this process "
        "(off: an ingest-only process beside one that runs it)",
    )
    close_grace_seconds: int = Field(
        default=300, ge=0, description="wait after an epoch ends before closing it"
    )
    interval_seconds: int = Field(
        default=30, ge=1, description="how often the pipeline looks for work"
    )


class GenesisSettings(BaseModel):
    """What every validator of one network must configure identically before the first
    epoch: the DAO parameters in force until the DAO votes to change them."""

    model_config = ConfigDict(extra="forbid")

    dao_params: dict[str, int] = Field(
        default_factory=dict,
        description='DAO parameters other than the defaults, e.g. {"gov.voting_period_s" = '
        "600} (docs/contracts/moderation.md lists them with their bounds)",
    )
