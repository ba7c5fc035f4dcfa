"""Rewards: pools from viewer payments, exact splits, carry-over, payouts in flight."""

from __future__ import annotations

from stellar_sdk import Keypair

from contracts.canonical import state_hash
from contracts.common import SendPayout
from contracts.core import NATIVE, Action, Asset, Context, Event, EventRejected
from contracts.moderation import (
    ActionPropose,
    ActionTick,
    ActionVote,
    EventParameterChanged,
    ProposalKind,
    ReceiveBalanceSnapshot,
    VoteChoice,
    participation,
)
from contracts.moderation import initial_state as new_dao
from contracts.moderation import transition as dao_transition
from contracts.rewards import (
    ActionPlanPayouts,
    EventEpochRewarded,
    ReceiveEpochFacts,
    ReceiveParameterChanged,
    ReceivePayoutFailed,
    ReceivePayoutSettled,
    RewardsState,
    initial_state,
    rewards_action_for,
    transition,
)


def acct(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


U1, U2, CREATOR, M1, M2, VIEWER = (acct(i) for i in range(10, 16))
X, Y = "1" * 40, "2" * 40
CTX = Context(epoch=99, close_time=1_000)


def step(state: RewardsState, action: Action) -> tuple[RewardsState, tuple[Event, ...]]:
    result = transition(state, action, CTX)
    assert not any(isinstance(e, EventRejected) for e in result.events), result.events
    return result.state, result.events


def refused(state: RewardsState, action: Action) -> str:
    result = transition(state, action, CTX)
    assert state_hash(result.state) == state_hash(state)
    (event,) = result.events
    assert isinstance(event, EventRejected)
    return event.code


def earned(state: RewardsState, account: str, asset: Asset = NATIVE) -> int:
    balance = state.balances.get((account, asset))
    return 0 if balance is None else balance.earned


def payouts(events: tuple[Event, ...]) -> list[SendPayout]:
    return [e for e in events if isinstance(e, SendPayout)]


def test_one_epoch_splits_the_viewer_payments_exactly() -> None:
    facts = ReceiveEpochFacts(
        epoch=1,
        asset=NATIVE,
        viewer_payments=((X, 10_000),),
        verified_bytes=((U1, X, 3_000), (U2, X, 1_000)),
        verified_seconds=((CREATOR, X, 600),),
        ad_views=((VIEWER, 4),),
        moderator_participation=((M1, 1), (M2, 2)),
    )
    state, events = step(initial_state(), facts)
    # bandwidth 50 % = 5000 by bytes 3:1; creators 30 % = 3000; moderators 5 % = 500 by
    # votes 1:2 (166.67 / 333.33: the spare unit goes to the larger remainder, M1); ads 5 %
    assert (earned(state, U1), earned(state, U2)) == (3_750, 1_250)
    assert earned(state, CREATOR) == 3_000
    assert (earned(state, M1), earned(state, M2)) == (167, 333)
    assert earned(state, VIEWER) == 500
    assert EventEpochRewarded(1, NATIVE, 10_000, 9_000, 1_000) in events
    assert state.totals[NATIVE].treasury == 1_000


def test_bytes_on_content_nobody_paid_for_earn_nothing() -> None:
    facts = ReceiveEpochFacts(1, NATIVE, viewer_payments=(), verified_bytes=((U1, Y, 10**12),))
    state, events = step(initial_state(), facts)
    assert earned(state, U1) == 0
    assert EventEpochRewarded(1, NATIVE, 0, 0, 0) in events


def test_self_dealing_earns_less_than_it_pays() -> None:
    # U1 pays 1000 to watch its own content Y and serves all of it to itself
    facts = ReceiveEpochFacts(
        1,
        NATIVE,
        viewer_payments=((Y, 1_000),),
        verified_bytes=((U1, Y, 10**12),),
        verified_seconds=((U1, Y, 3_600),),
    )
    state, _ = step(initial_state(), facts)
    assert earned(state, U1) == 800  # bandwidth 50 % + creator 30 % of its own 1000
    assert earned(state, U1) < 1_000


def test_pools_nobody_qualified_for_and_rounding_dust_go_to_the_treasury() -> None:
    facts = ReceiveEpochFacts(1, NATIVE, viewer_payments=((X, 999),), verified_bytes=((U1, X, 1),))
    state, events = step(initial_state(), facts)
    assert earned(state, U1) == 499  # floor(999 * 5000 / 10000)
    assert EventEpochRewarded(1, NATIVE, 999, 499, 500) in events


def test_equal_weights_give_the_spare_units_to_the_smallest_account_ids() -> None:
    accounts = sorted((U1, U2, CREATOR))
    facts = ReceiveEpochFacts(
        1,
        NATIVE,
        viewer_payments=((X, 200),),
        verified_bytes=tuple((a, X, 7) for a in accounts),
    )
    state, _ = step(initial_state(), facts)
    assert [earned(state, a) for a in accounts] == [34, 33, 33]


def test_amount_below_minimum_carries_over_and_is_paid_once_it_crosses() -> None:
    state = initial_state()
    small = ((X, 1_200),)  # 50 % -> 600 for U1 per epoch
    state, _ = step(state, ReceiveEpochFacts(1, NATIVE, small, ((U1, X, 1),)))
    state, events = step(state, ActionPlanPayouts(1, min_payout=1_000))
    assert payouts(events) == []
    state, _ = step(state, ReceiveEpochFacts(2, NATIVE, small, ((U1, X, 1),)))
    state, events = step(state, ActionPlanPayouts(2, min_payout=1_000))
    assert [(p.account, p.amount) for p in payouts(events)] == [(U1, 1_200)]


def test_failed_payout_becomes_payable_again_and_settled_is_never_repaid() -> None:
    state = initial_state()
    state, _ = step(state, ReceiveEpochFacts(1, NATIVE, ((X, 4_000),), ((U1, X, 1),)))
    state, events = step(state, ActionPlanPayouts(1, 1))
    (first,) = payouts(events)
    assert (first.account, first.amount) == (U1, 2_000)
    state, events = step(state, ActionPlanPayouts(1, 1))
    assert payouts(events) == []  # in flight: not planned twice
    state, _ = step(state, ReceivePayoutFailed(first.reference))
    state, events = step(state, ActionPlanPayouts(1, 1))
    (second,) = payouts(events)
    assert second.amount == 2_000 and second.reference != first.reference
    state, _ = step(state, ReceivePayoutSettled(second.reference))
    assert refused(state, ReceivePayoutSettled(second.reference)) == "unknown_reference"
    assert refused(state, ReceivePayoutFailed(first.reference)) == "unknown_reference"
    state, events = step(state, ActionPlanPayouts(2, 1))
    assert payouts(events) == []
    assert state.balances[(U1, NATIVE)].paid == 2_000


def test_each_asset_has_its_own_totals() -> None:
    usd = Asset("USD", acct(40))
    state = initial_state()
    state, _ = step(state, ReceiveEpochFacts(1, NATIVE, ((X, 100),), ((U1, X, 1),)))
    state, _ = step(state, ReceiveEpochFacts(1, usd, ((X, 300),), ((U1, X, 1),)))
    assert (earned(state, U1), earned(state, U1, usd)) == (50, 150)
    state, events = step(state, ActionPlanPayouts(1, 1))
    assert sorted((str(p.asset), p.amount) for p in payouts(events)) == sorted(
        ((str(NATIVE), 50), (str(usd), 150))
    )


def test_dao_parameter_change_moves_the_split() -> None:
    state = initial_state()
    action = rewards_action_for(EventParameterChanged("reward.bandwidth_bps", 6000, 7))
    assert action == ReceiveParameterChanged("reward.bandwidth_bps", 6000)
    assert rewards_action_for(EventParameterChanged("gov.freeze_s", 60, 8)) is None
    state, _ = step(state, action)
    state, _ = step(state, ReceiveEpochFacts(1, NATIVE, ((X, 100),), ((U1, X, 1),)))
    assert earned(state, U1) == 60


def test_invalid_inputs_are_refused_with_stable_codes() -> None:
    state, _ = step(initial_state(), ReceiveEpochFacts(1, NATIVE, ((X, 100),)))
    cases = {
        "epoch_already_recorded": ReceiveEpochFacts(1, NATIVE, ((X, 100),)),
        "invalid_epoch": ReceiveEpochFacts(100, NATIVE, ()),
        "invalid_asset": ReceiveEpochFacts(2, Asset("TOOLONGASSETCODE", U1), ()),
        "invalid_viewer_payments": ReceiveEpochFacts(2, NATIVE, ((X, 1), (X, 2))),
        "invalid_verified_usage": ReceiveEpochFacts(2, NATIVE, (), ((U1, "XYZ", 1),)),
        "invalid_participation": ReceiveEpochFacts(2, NATIVE, (), ad_views=((U1, 0),)),
        "invalid_min_payout": ActionPlanPayouts(2, 0),
        "unknown_reference": ReceivePayoutSettled("rewards-1-1"),
        "unknown_parameter": ReceiveParameterChanged("gov.freeze_s", 1),
        "reward_split_exceeds_total": ReceiveParameterChanged("reward.ads_bps", 2000),
        "parameter_out_of_bounds": ReceiveParameterChanged("reward.ads_bps", -1),
    }
    for code, action in cases.items():
        assert refused(state, action) == code, code


def test_moderators_are_paid_for_votes_on_proposals_closed_in_the_epoch() -> None:
    dao = new_dao()
    steps: list[tuple[Action, int]] = [
        (ActionPropose(M1, ProposalKind.BAN, 5, U2), 0),
        (ReceiveBalanceSnapshot(1, 5, ((M1, 60), (M2, 40))), 0),
        (ActionVote(1, M1, VoteChoice.YES, "", "aa" * 32), 10),
        (ActionVote(1, M2, VoteChoice.NO, "", "bb" * 32), 10),
        (ActionTick(), 3 * 86_400),  # the proposal closes inside epoch [0, 4 days)
    ]
    for action, t in steps:
        dao = dao_transition(dao, action, Context(epoch=1, close_time=t)).state
    votes = participation(dao, 0, 4 * 86_400)
    assert votes == tuple(sorted(((M1, 1), (M2, 1))))
    facts = ReceiveEpochFacts(1, NATIVE, ((X, 10_000),), moderator_participation=votes)
    state, _ = step(initial_state(), facts)
    assert (earned(state, M1), earned(state, M2)) == (250, 250)  # 5 % shared equally
