"""Channel accounts: each is the source (fee and sequence number) of one transaction in
flight at a time, so K channels keep K transactions in flight for one treasury. They are
DAO accounts with the validators as signers, like the treasury: the treasury's M
signatures authorise a settlement transaction's source too.

A lane owns one channel: it knows the last sequence number the ledger consumed for it
and hands out the next one only after the previous envelope's slot was consumed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from servicelayer.errors import ConfigError
from servicelayer.ledger.horizon import Horizon


@dataclass
class Lane:
    account: str
    sequence: int  # the channel's sequence number as last seen consumed on the ledger

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


def open_lanes(horizon: Horizon, channels: Sequence[str]) -> list[Lane]:
    if not channels:
        raise ConfigError("no channel accounts; run `acenode dao bootstrap`")
    return [Lane(account, load_sequence(horizon, account)) for account in channels]
