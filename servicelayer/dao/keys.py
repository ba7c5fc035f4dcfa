"""Keys of the DAO accounts, generated into ``<data dir>/dao/`` (mode 0600) on first use.

treasury (pays payouts), issuer and distribution (asset issuance), anchor (epoch Merkle
roots) and channel-0..K-1 (fee and sequence sources of the settlement). Once bootstrapped
every one of them has master weight 0 and the validators as signers, so these files only
name the accounts: no single key moves DAO funds or uses a DAO account's sequence.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stellar_sdk import Keypair

from servicelayer.errors import ConfigError
from servicelayer.keys import ensure_key_file, load_key_file

ROLES = ("treasury", "issuer", "distribution", "anchor")


@dataclass(frozen=True, slots=True)
class DaoKey:
    role: str
    keypair: Keypair
    created: bool

    @property
    def account(self) -> str:
        return self.keypair.public_key


class DaoKeys:
    def __init__(self, data_dir: Path) -> None:
        self.directory = data_dir / "dao"

    def path(self, role: str) -> Path:
        return self.directory / f"{role}.key"

    def ensure(self, role: str) -> DaoKey:
        keypair, created = ensure_key_file(self.path(role))
        return DaoKey(role, keypair, created)

    def load(self, role: str) -> Keypair:
        return load_key_file(self.path(role))

    def public(self, role: str) -> str:
        return self.load(role).public_key

    @staticmethod
    def channel_role(index: int) -> str:
        return f"channel-{index}"

    def channels(self, count: int) -> list[str]:
        """The channel accounts 0..count-1."""
        missing = [i for i in range(count) if not self.path(self.channel_role(i)).exists()]
        if missing:
            raise ConfigError(
                f"no key for channel {missing[0]} in {self.directory}; run `acenode dao bootstrap`"
            )
        return [self.public(self.channel_role(i)) for i in range(count)]
