"""Settings of the node's swarm probes and epoch pipeline (TOML tables [probes], [epochs])."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

SERVICE_CHECK_SECONDS_MAX = 40
"""A window's service checks must end before the same probe session's next window (two
windows later) begins: 120 s - 10 s lead - 60 s window - 10 s overlap = 40 s."""


class ProbeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    listen: str = Field(
        default="",
        description="libtorrent listen interfaces of the probe sessions; empty: none, the "
        "probes connect out only (a peer that connects in shows under a port its "
        "registration does not name); the DHT needs one",
    )
    dht: bool = Field(
        default=False,
        description="find peers through the DHT (contacts the public DHT routers, needs "
        "listen); peers found so are not registered ones, so they are not evidence about accounts",
    )
    seconds: int = Field(
        default=120,
        ge=5,
        le=3600,
        description="longest a probe watches a swarm; a probe also ends at its window's end",
    )
    budget_bytes: int = Field(
        default=4 * 1024 * 1024, ge=0, description="payload one probe may download"
    )
    max_concurrent: int = Field(
        default=8, ge=1, le=64, description="probes running at once (threads over one session)"
    )
    window_bytes: int = Field(
        default=64 * 1024 * 1024,
        ge=0,
        description="payload all probes of one window may download together; with "
        "budget_bytes it bounds how many swarms a window probes",
    )
    connections_per_probe: int = Field(
        default=30, ge=2, le=500, description="peer connections one probe may hold"
    )
    active_windows: int = Field(
        default=3,
        ge=1,
        le=60,
        description="a swarm is active while it has bandwidth receipts in this many recent windows",
    )
    service_checks: int = Field(
        default=2,
        ge=0,
        le=8,
        description="named peers per probe that advertised pieces but served nothing and "
        "are asked for one piece alone afterwards (origins first)",
    )
    service_seconds: int = Field(
        default=15, ge=2, le=60, description="how long one such service check may take"
    )
    interval_seconds: int = Field(
        default=5, ge=1, le=30, description="how often the node looks for a window to plan"
    )

    @model_validator(mode="after")
    def _checks_fit(self) -> ProbeSettings:
        if self.dht and not self.listen:
            raise ValueError("dht = true needs listen (the DHT runs on a listening UDP socket)")
        if self.service_checks * self.service_seconds > SERVICE_CHECK_SECONDS_MAX:
            raise ValueError(
                f"service_checks * service_seconds must be at most {SERVICE_CHECK_SECONDS_MAX}"
            )
        return self


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


class GenesisToken(BaseModel):
    """The DAO's governance token as issued on the ledger before the first epoch."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(pattern=r"^[A-Za-z0-9]{1,12}$", description="asset code")
    issuer: str = Field(pattern=r"^G[A-Z2-7]{55}$", description="the DAO's issuer account")
    distribution: str = Field(
        pattern=r"^G[A-Z2-7]{55}$", description="the DAO's distribution account"
    )
    cap: int = Field(gt=0, description="supply cap, stroops")
    issued: int = Field(ge=0, description="stroops issued to the distribution account")


class GenesisSettings(BaseModel):
    """What every validator of one network must configure identically before the first
    epoch: the DAO parameters in force until the DAO votes to change them, and the
    governance token if it was issued before (a federation's must be: see
    docs/federation.md, "Governance")."""

    model_config = ConfigDict(extra="forbid")

    governance: GenesisToken | None = Field(
        default=None,
        description='e.g. {code = "GOV", issuer = "G...", distribution = "G...", '
        "cap = 10000000000, issued = 10000000000}",
    )

    dao_params: dict[str, int] = Field(
        default_factory=dict,
        description='DAO parameters other than the defaults, e.g. {"gov.voting_period_s" = '
        "600} (docs/contracts/moderation.md lists them with their bounds)",
    )
