"""Settings of the governance job (TOML table [governance])."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class GovernanceSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True,
        description="count ended votes and carry out due decisions in this process",
    )
    interval_seconds: int = Field(
        default=60, ge=1, le=86_400, description="how often the governance job looks for work"
    )
