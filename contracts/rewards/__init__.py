"""Rewards: per-epoch pools from what viewers paid, cumulative totals, payouts."""

from contracts.rewards.actions import (
    ActionPlanPayouts,
    ReceiveEpochFacts,
    ReceiveParameterChanged,
    ReceivePayoutFailed,
    ReceivePayoutSettled,
)
from contracts.rewards.bridge import rewards_action_for
from contracts.rewards.events import (
    EventEpochRewarded,
    EventPayoutReturned,
    EventPayoutSettled,
    EventRewardCredited,
    EventRewardParameterChanged,
)
from contracts.rewards.split import Allocation, allocate
from contracts.rewards.state import (
    AssetTotals,
    Balance,
    Payout,
    RewardParams,
    RewardsState,
    initial_state,
)
from contracts.rewards.transition import transition

__all__ = [
    "ActionPlanPayouts",
    "Allocation",
    "AssetTotals",
    "Balance",
    "EventEpochRewarded",
    "EventPayoutReturned",
    "EventPayoutSettled",
    "EventRewardCredited",
    "EventRewardParameterChanged",
    "Payout",
    "ReceiveEpochFacts",
    "ReceiveParameterChanged",
    "ReceivePayoutFailed",
    "ReceivePayoutSettled",
    "RewardParams",
    "RewardsState",
    "allocate",
    "initial_state",
    "rewards_action_for",
    "transition",
]
