"""Rewards as a state machine: money is conserved, nothing negative, replay equals live."""

from __future__ import annotations

from typing import Any

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from stellar_sdk import Keypair

from contracts.canonical import state_hash
from contracts.common import SendPayout
from contracts.core import NATIVE, Action, Asset, Context, EventRejected
from contracts.rewards import (
    ActionPlanPayouts,
    ReceiveEpochFacts,
    ReceiveParameterChanged,
    ReceivePayoutFailed,
    ReceivePayoutSettled,
    RewardsState,
    initial_state,
    transition,
)

ACCOUNTS = [Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key for n in range(30, 35)]
CONTENTS = [f"{n:040x}" for n in range(1, 4)]
ASSETS = [NATIVE, Asset("USD", ACCOUNTS[0])]
accounts = st.sampled_from(ACCOUNTS)
contents = st.sampled_from(CONTENTS)
amounts = st.integers(min_value=1, max_value=10**12)


def unique_by_key(rows: list[tuple[Any, ...]]) -> tuple[tuple[Any, ...], ...]:
    keyed = {row[:-1]: row for row in rows}
    return tuple(keyed[k] for k in sorted(keyed))


class RewardsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: RewardsState = initial_state()
        self.log: list[tuple[Action, Context]] = []
        self.epoch = 0
        self.paid_in: dict[Asset, int] = {}
        self.settled_out: dict[Asset, int] = {}

    def apply(self, action: Action) -> tuple[Any, ...]:
        ctx = Context(epoch=self.epoch, close_time=1_000 + self.epoch)
        before = self.state
        result = transition(self.state, action, ctx)
        if any(isinstance(e, EventRejected) for e in result.events):
            assert state_hash(result.state) == state_hash(before)
        self.state = result.state
        self.log.append((action, ctx))
        return result.events

    @rule(
        asset=st.sampled_from(ASSETS),
        payments=st.lists(st.tuples(contents, amounts), max_size=3),
        usage=st.lists(st.tuples(accounts, contents, amounts), max_size=6),
        seconds=st.lists(st.tuples(accounts, contents, amounts), max_size=4),
        ads=st.lists(st.tuples(accounts, st.integers(1, 50)), max_size=3),
        mods=st.lists(st.tuples(accounts, st.integers(1, 5)), max_size=3),
        new_epoch=st.booleans(),
    )
    def record_epoch(
        self,
        asset: Asset,
        payments: list[tuple[str, int]],
        usage: list[tuple[str, str, int]],
        seconds: list[tuple[str, str, int]],
        ads: list[tuple[str, int]],
        mods: list[tuple[str, int]],
        new_epoch: bool,
    ) -> None:
        self.epoch += int(new_epoch)
        facts = ReceiveEpochFacts(
            self.epoch,
            asset,
            unique_by_key(payments),
            unique_by_key(usage),
            unique_by_key(seconds),
            unique_by_key(ads),
            unique_by_key(mods),
        )
        fresh = (self.epoch, asset) not in self.state.recorded
        events = self.apply(facts)
        assert fresh == (not any(isinstance(e, EventRejected) for e in events))
        if fresh:
            paid = sum(a for _, a in facts.viewer_payments)
            self.paid_in[asset] = self.paid_in.get(asset, 0) + paid

    @rule(min_payout=st.one_of(st.integers(1, 1_000), st.integers(0, 10**12)))
    def plan(self, min_payout: int) -> None:
        events = self.apply(ActionPlanPayouts(self.epoch, min_payout))
        for payout in (e for e in events if isinstance(e, SendPayout)):
            assert payout.amount >= min_payout > 0

    @precondition(lambda self: bool(self.state.in_flight))
    @rule(data=st.data(), settled=st.booleans())
    def close(self, data: st.DataObject, settled: bool) -> None:
        reference = data.draw(st.sampled_from(sorted(self.state.in_flight)))
        payout = self.state.in_flight[reference]
        if settled:
            self.apply(ReceivePayoutSettled(reference))
            self.settled_out[payout.asset] = self.settled_out.get(payout.asset, 0) + payout.amount
        else:
            self.apply(ReceivePayoutFailed(reference))
        assert reference not in self.state.in_flight

    @rule(
        name=st.sampled_from(["reward.bandwidth_bps", "reward.ads_bps", "gov.freeze_s"]),
        value=st.integers(-1, 10_001),
    )
    def change_parameter(self, name: str, value: int) -> None:
        self.apply(ReceiveParameterChanged(name, value))

    @invariant()
    def no_balance_is_negative(self) -> None:
        for balance in self.state.balances.values():
            assert balance.paid >= 0 and balance.in_flight >= 0
            assert balance.payable >= 0

    @invariant()
    def money_is_conserved(self) -> None:
        for asset in ASSETS:
            totals = self.state.totals.get(asset)
            received = 0 if totals is None else totals.received
            assert received == self.paid_in.get(asset, 0)
            if totals is None:
                continue
            assert totals.received == totals.credited + totals.treasury
            keys = [k for k in self.state.balances if k[1] == asset]
            earned = sum(self.state.balances[k].earned for k in keys)
            paid = sum(self.state.balances[k].paid for k in keys)
            flying = sum(p.amount for p in self.state.in_flight.values() if p.asset == asset)
            owed = sum(self.state.balances[k].payable for k in keys)
            assert earned == totals.credited == paid + flying + owed
            assert paid == self.settled_out.get(asset, 0)

    @invariant()
    def split_stays_within_the_whole(self) -> None:
        p = self.state.params
        assert p.bandwidth_bps + p.creators_bps + p.moderators_bps + p.ads_bps <= 10_000

    def teardown(self) -> None:
        replayed = initial_state()
        for action, ctx in self.log:
            replayed = transition(replayed, action, ctx).state
        assert state_hash(replayed) == state_hash(self.state)


RewardsMachine.TestCase.settings = settings(max_examples=40, stateful_step_count=25, deadline=None)
TestRewardsMachine = RewardsMachine.TestCase
