"""``[stellar]`` settings: which ledger the node settles on and who signs for the DAO.

Nested in ``NodeSettings.stellar``; environment variables use ``__`` as the delimiter,
e.g. ``ACENODE_STELLAR__HORIZON_URL``. The network passphrase stays
``NodeSettings.network_passphrase``.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from stellar_sdk import StrKey

DEFAULT_HORIZON_URL = "http://127.0.0.1:8701"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class StellarSettings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # Horizon of the ledger to settle on: the embedded ledger (``acenode ledger serve
    # --port 8701``) by default, or the testnet's / mainnet's Horizon.
    horizon_url: str = DEFAULT_HORIZON_URL
    # Run the standalone ledger inside the node, serving Horizon at ``horizon_url``
    # (which must then be on this machine). None: yes when horizon_url is on loopback.
    embedded_ledger: bool | None = None
    # Seconds between ledger closes of the embedded ledger.
    ledger_close_seconds: float = Field(default=5.0, ge=0.01, le=60)
    # Operations the embedded ledger puts in one ledger (the public network's 1,000); more
    # wait in its queue, which holds two ledgers' worth (stellar-core's rules).
    ledger_max_ops: int = Field(default=1000, ge=1, le=100_000)
    # Friendbot that funds new accounts; None: ``<horizon_url>/friendbot`` (embedded).
    friendbot_url: str | None = None
    # A file holding the secret key of an account that funds the DAO accounts instead of
    # friendbot (mainnet).
    funding_key_file: Path | None = None
    # Validators' public keys (G...); empty: this node's own account alone (1 of 1).
    validators: list[str] = Field(default_factory=list)
    # Signatures needed to move treasury funds (M of N validators).
    threshold: int = Field(default=1, ge=1)
    # Validator secret key files this process may sign with; empty: the node key.
    signer_key_files: list[Path] = Field(default_factory=list)
    # Channel accounts: transactions in flight at once.
    channels: int = Field(default=4, ge=1, le=64)
    # Fee bid per operation in stroops.
    base_fee: int = Field(default=100, ge=100)
    # Most stroops per operation this node pays, from its own account (the node key's),
    # to fee-bump a transaction the busy ledger refuses at its fee; 0: never.
    fee_bump_max: int = Field(default=10_000, ge=0, le=10_000_000)
    # Seconds to wait for an answer to a submission before asking the ledger.
    submit_timeout: float = Field(default=30.0, gt=0, le=600)

    @field_validator("horizon_url", "friendbot_url")
    @classmethod
    def _http_url(cls, v: str | None) -> str | None:
        if v is not None and not v.startswith(("http://", "https://")):
            raise ValueError("must be an http:// or https:// URL")
        return v.rstrip("/") if v else v

    @field_validator("validators")
    @classmethod
    def _public_keys(cls, v: list[str]) -> list[str]:
        for key in v:
            if not StrKey.is_valid_ed25519_public_key(key):
                raise ValueError(f"{key[:8]}... is not a Stellar public key (G...)")
        if len(set(v)) != len(v):
            raise ValueError("a validator is listed twice")
        return v

    @model_validator(mode="after")
    def _threshold_reachable(self) -> StellarSettings:
        n = len(self.validators) or 1
        if self.threshold > n:
            raise ValueError(f"threshold {self.threshold} exceeds the {n} validator(s)")
        return self

    @property
    def runs_embedded_ledger(self) -> bool:
        if self.embedded_ledger is not None:
            return self.embedded_ledger
        return urlsplit(self.horizon_url).hostname in LOOPBACK_HOSTS

    def friendbot(self) -> str:
        return self.friendbot_url or f"{self.horizon_url}/friendbot"
