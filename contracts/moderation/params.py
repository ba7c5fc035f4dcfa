"""DAO parameters: a whitelist of named integers, each with bounds.

A ``param`` proposal may change exactly one of these. Besides its own bounds, the
whole set must stay coherent (``check_params``): the reward split may not exceed
100 %, the freeze must be shorter than the voting period, and an appeal must need a
higher quorum than the delisting it appeals.
"""

from __future__ import annotations

from dataclasses import dataclass

from contracts.common import BPS

DAY = 86_400


@dataclass(frozen=True, slots=True)
class ParamSpec:
    default: int
    low: int
    high: int


PARAMS: dict[str, ParamSpec] = {
    # reward pool split, basis points of what viewers paid; the remainder is the treasury's
    "reward.bandwidth_bps": ParamSpec(5000, 0, BPS),
    "reward.creators_bps": ParamSpec(3000, 0, BPS),
    "reward.moderators_bps": ParamSpec(500, 0, BPS),
    "reward.ads_bps": ParamSpec(500, 0, BPS),
    "reward.min_payout": ParamSpec(10_000_000, 1, 10**13),  # stroops
    # the share of every provider revenue line that funds the reward pools
    "network.fee_bps": ParamSpec(2000, 0, BPS),
    # quorum: bps of the snapshotted supply that must vote (yes + no + abstain)
    "gov.quorum_bps.delist": ParamSpec(1000, 1, BPS),
    "gov.quorum_bps.ban": ParamSpec(2000, 1, BPS),
    "gov.quorum_bps.param": ParamSpec(2000, 1, BPS),
    "gov.quorum_bps.mint": ParamSpec(3000, 1, BPS),
    "gov.quorum_bps.appeal": ParamSpec(2500, 1, BPS),
    # support: yes must exceed this share (bps) of yes + no
    "gov.support_bps.delist": ParamSpec(5000, 0, BPS - 1),
    "gov.support_bps.ban": ParamSpec(6000, 0, BPS - 1),
    "gov.support_bps.param": ParamSpec(5000, 0, BPS - 1),
    "gov.support_bps.mint": ParamSpec(6666, 0, BPS - 1),
    "gov.support_bps.appeal": ParamSpec(5000, 0, BPS - 1),
    # times, seconds
    "gov.voting_period_s": ParamSpec(3 * DAY, 10, 30 * DAY),
    "gov.freeze_s": ParamSpec(3600, 0, DAY),
    "gov.timelock_s": ParamSpec(DAY, 0, 30 * DAY),
    "gov.appeal_window_s": ParamSpec(7 * DAY, 0, 30 * DAY),
    "gov.appeal_bond": ParamSpec(1_000_000_000, 1, 10**15),  # stroops of the bond asset
    # weight (stroops of the governance token, own + delegated) a proposer needs
    "gov.proposal_threshold": ParamSpec(1, 1, 10**15),
}

REWARD_SPLIT = (
    "reward.bandwidth_bps",
    "reward.creators_bps",
    "reward.moderators_bps",
    "reward.ads_bps",
)


def default_params() -> dict[str, int]:
    return {name: PARAMS[name].default for name in sorted(PARAMS)}


def in_bounds(name: str, value: object) -> bool:
    spec = PARAMS.get(name)
    return spec is not None and type(value) is int and spec.low <= value <= spec.high


def check_params(params: dict[str, int]) -> str | None:
    """None if the set is coherent, else a stable rejection code."""
    if sum(params[name] for name in REWARD_SPLIT) > BPS:
        return "reward_split_exceeds_total"
    if params["gov.freeze_s"] >= params["gov.voting_period_s"]:
        return "freeze_not_shorter_than_voting"
    if params["gov.quorum_bps.appeal"] <= params["gov.quorum_bps.delist"]:
        return "appeal_quorum_not_higher"
    return None
