"""Channel accounts: each is the source (fee and sequence number) of one transaction in
flight at a time, so K channels keep K transactions in flight for one treasury.

A lane owns one channel: it knows the last sequence number the ledger consumed for it
and hands out the next one only after the previous envelope's slot was consumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from stellar_sdk import Keypair

from servicelayer.errors import ConfigError
from servicelayer.ledger.horizon import Horizon


@dataclass
class Lane:
    keypair: Keypair
    sequence: int  # the channel's sequence number as last seen consumed on the ledger

    @property
    def account(self) -> str:
        return self.keypair.public_key

    def next_sequence(self) -> int:
        return self.sequence + 1

    def consumed(self, sequence: int) -> None:
        self.sequence = max(self.sequence, sequence)

    def resync(self, horizon: Horizon) -> int:
        self.sequence = load_sequence(horizon, self.account)
        return self.sequence


def load_sequence(horizon: Horizon, account: str) -> int:
    sequence = horizon.sequence(account)
    if sequence is None:
        raise ConfigError(
            f"channel account {account} does not exist on the ledger; run `acenode dao bootstrap`"
        )
    return sequence


def open_lanes(horizon: Horizon, channels: Sequence[Keypair]) -> list[Lane]:
    if not channels:
        raise ConfigError("no channel accounts; run `acenode dao bootstrap`")
    return [Lane(kp, load_sequence(horizon, kp.public_key)) for kp in channels]
