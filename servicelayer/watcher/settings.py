"""``[watcher]`` settings: following the ledger (treasury payments, governance balances)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WatcherSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = Field(
        default=True,
        description="follow the ledger in this process (off: a process beside one that does)",
    )
    interval_seconds: float = Field(
        default=5.0, ge=0.05, le=3600, description="how often the watcher reads the ledger"
    )
    max_pages: int = Field(
        default=10, ge=1, le=1000, description="pages of 200 treasury payments read per tick"
    )
