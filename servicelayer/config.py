"""Node configuration: defaults < TOML file < environment (ACENODE_*) < command-line flags.

Validated once when the node starts; nothing reads a global settings object, the
composition root (``node``) passes the values where they are needed.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

from servicelayer.errors import ConfigError
from servicelayer.federation.members import FederationSettings
from servicelayer.governance.settings import GovernanceSettings
from servicelayer.http_settings import HttpSettings
from servicelayer.ingest.checks import MAX_BYTES_PER_SECOND
from servicelayer.probe_settings import EpochSettings, GenesisSettings, ProbeSettings
from servicelayer.receipts.model import WINDOW_SECONDS
from servicelayer.stellar_settings import StellarSettings
from servicelayer.throttle.settings import LimitSettings
from servicelayer.watcher.settings import WatcherSettings

CONFIG_FILE = "acenode.toml"
KEY_FILE = "node.key"
DEFAULT_PASSPHRASE = "Standalone Network ; February 2017"
_toml_path: ContextVar[Path | None] = ContextVar("acenode_toml_path", default=None)


def default_data_dir() -> Path:
    env = os.environ.get("ACENODE_DATA_DIR")
    return Path(env) if env else Path.home() / ".local" / "share" / "acenode"


class NodeSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="ACENODE_", extra="forbid", env_nested_delimiter="__"
    )

    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: SecretStr | None = None
    host: str = "127.0.0.1"
    port: int = Field(default=8700, ge=0, le=65535)
    network_passphrase: str = DEFAULT_PASSPHRASE
    epoch_seconds: int = Field(default=3600, ge=WINDOW_SECONDS)
    clock_skew_seconds: int = Field(default=120, ge=0, le=3600)
    # For tests of a federation whose clocks disagree: this node's clock (epochs, cut-offs,
    # rounds, ingestion) runs this many seconds off the system clock. Leave it 0.
    clock_offset_seconds: int = Field(default=0, ge=-3600, le=3600)
    retention_seconds: int = Field(default=7 * 86400, ge=WINDOW_SECONDS)
    max_batch: int = Field(default=1000, ge=1, le=10_000)
    max_body_bytes: int = Field(default=2 * 1024 * 1024, ge=1024)
    max_bytes_per_second: int = Field(default=MAX_BYTES_PER_SECOND, ge=1)
    log_level: str = "info"
    home_domain: str = "localhost"  # SEP-10 home and web-auth domain of the API
    http: HttpSettings = Field(default_factory=HttpSettings)
    probes: ProbeSettings = Field(default_factory=ProbeSettings)
    epochs: EpochSettings = Field(default_factory=EpochSettings)
    stellar: StellarSettings = Field(default_factory=StellarSettings)
    watcher: WatcherSettings = Field(default_factory=WatcherSettings)
    genesis: GenesisSettings = Field(default_factory=GenesisSettings)
    governance: GovernanceSettings = Field(default_factory=GovernanceSettings)
    limits: LimitSettings = Field(default_factory=LimitSettings)
    federation: FederationSettings = Field(default_factory=FederationSettings)

    @field_validator("epoch_seconds")
    @classmethod
    def _epoch_is_whole_windows(cls, v: int) -> int:
        if v % WINDOW_SECONDS:
            raise ValueError(f"must be a multiple of {WINDOW_SECONDS} (the receipt window)")
        return v

    @field_validator("log_level")
    @classmethod
    def _known_level(cls, v: str) -> str:
        if v.lower() not in {"critical", "error", "warning", "info", "debug"}:
            raise ValueError("one of critical, error, warning, info, debug")
        return v.lower()

    @model_validator(mode="after")
    def _members_are_validators(self) -> NodeSettings:
        strangers = [
            m.account for m in self.federation.members if m.account not in self.stellar.validators
        ]
        if strangers:
            raise ValueError(
                f"[federation] member {strangers[0][:8]}... is not one of [stellar] validators "
                "(the validator set is the treasury's signers)"
            )
        members = len(self.federation.members)
        if members and members < self.stellar.threshold - 1:
            raise ValueError(
                f"[federation] names {members} other validator(s): with this node that is "
                f"fewer than the {self.stellar.threshold} signatures a payment needs"
            )
        return self

    @model_validator(mode="after")
    def _retention_covers_an_epoch(self) -> NodeSettings:
        if self.retention_seconds < self.epoch_seconds:
            raise ValueError("retention_seconds must be at least epoch_seconds")
        return self

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        path = _toml_path.get()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if path is not None:
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=path))
        return tuple(sources)

    @property
    def key_file(self) -> Path:
        return self.data_dir / KEY_FILE

    @property
    def config_file(self) -> Path:
        return self.data_dir / CONFIG_FILE

    def resolved_database_url(self) -> str:
        if self.database_url is not None:
            return self.database_url.get_secret_value()
        return f"sqlite:///{(self.data_dir / 'node.sqlite3').resolve()}"


@contextmanager
def _reading(path: Path | None) -> Iterator[None]:
    token = _toml_path.set(path)
    try:
        yield
    finally:
        _toml_path.reset(token)


def load_settings(data_dir: Path | None = None, **flags: Any) -> NodeSettings:
    """Settings for a node whose data directory is ``data_dir``.

    ``flags`` are command-line values; ``None`` means "not given".
    """
    given = {k: v for k, v in flags.items() if v is not None}
    directory = data_dir or Path(os.environ.get("ACENODE_DATA_DIR") or default_data_dir())
    toml = directory / CONFIG_FILE
    try:
        with _reading(toml if toml.is_file() else None):
            return NodeSettings(data_dir=directory, **given)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'config'}: {e['msg']}" for e in exc.errors()
        )
        raise ConfigError(f"invalid configuration ({toml}): {problems}") from None
    except (OSError, ValueError) as exc:  # unreadable or malformed TOML
        raise ConfigError(f"cannot read {toml}: {exc}") from None
