"""State of the rewards contract: cumulative totals per (account, asset).

A payout is always ``earned - paid - in_flight``: nothing is ever "reset", so an
amount below the minimum payout simply waits (carries over) until it crosses it,
and a failed payout becomes payable again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from contracts.core import Asset


@dataclass(frozen=True, slots=True)
class RewardParams:
    """Pool split in basis points of what viewers paid; the remainder goes to the treasury."""

    bandwidth_bps: int = 5000
    creators_bps: int = 3000
    moderators_bps: int = 500
    ads_bps: int = 500


@dataclass(frozen=True, slots=True)
class Balance:
    earned: int = 0  # cumulative credited
    paid: int = 0  # cumulative settled on the ledger
    in_flight: int = 0  # planned, not yet settled or failed

    @property
    def payable(self) -> int:
        return self.earned - self.paid - self.in_flight


@dataclass(frozen=True, slots=True)
class Payout:
    account: str
    asset: Asset
    amount: int
    epoch: int


@dataclass(frozen=True, slots=True)
class AssetTotals:
    """Cumulative per asset: received = credited + treasury, always."""

    received: int = 0  # what viewers paid, over all recorded epochs
    credited: int = 0  # credited to accounts
    treasury: int = 0  # kept by the treasury: split remainder, rounding dust, unclaimed pools


@dataclass(frozen=True, slots=True)
class RewardsState:
    params: RewardParams = field(default_factory=RewardParams)
    balances: dict[tuple[str, Asset], Balance] = field(default_factory=dict)
    totals: dict[Asset, AssetTotals] = field(default_factory=dict)
    recorded: dict[tuple[int, Asset], int] = field(default_factory=dict)  # -> received
    in_flight: dict[str, Payout] = field(default_factory=dict)  # reference -> payout
    next_payout: int = 1


def initial_state(params: RewardParams | None = None) -> RewardsState:
    return RewardsState(params=params or RewardParams())
