"""Stateful property test of the subscriptions contract.

Money is conserved (payments in = credits held + bundle pools held + paid out), no
balance is ever negative, bundle splits add up exactly, rejected actions change
nothing, and replaying the journal of actions reproduces the live state hash.
"""

from __future__ import annotations

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from stellar_sdk import Keypair

from contracts.canonical import state_hash
from contracts.common import ReceiveContentDelisted, SendProviderRevenue, SendRefund
from contracts.core import NATIVE, Action, Context, Event, EventRejected
from contracts.subscriptions import (
    ActionCancel,
    ActionCreateBundle,
    ActionCreatePlan,
    ActionRegisterChannel,
    ActionRegisterContent,
    ActionRetireOffering,
    ActionSubscribe,
    ActionUpdateTerms,
    ActionWithdrawCredit,
    EventBundleSplit,
    EventCredited,
    ReceiveLedgerClose,
    ReceivePayment,
    ReceiveVerifiedViewing,
    SubscriptionsState,
    initial_state,
    transition,
)

DAY = 86_400
T0 = 1_700_000_000


def _account(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


PROVIDERS = [_account(n) for n in (1, 2, 3)]
VIEWERS = [_account(n) for n in (10, 11, 12)]
CONTENTS = [f"{n:040x}" for n in range(1, 4)]
OFFERINGS = ["plan-0", "plan-1", "plan-2", "bundle", "bundle", "bundle", "missing"]
GRACE, PAST_DUE = 2 * DAY, 3 * DAY


def _setup_actions() -> list[Action]:
    actions: list[Action] = []
    for i, provider in enumerate(PROVIDERS):
        actions += [
            ActionRegisterChannel(provider, f"ch-{i}"),
            ActionRegisterContent(provider, CONTENTS[i], f"ch-{i}"),
            ActionCreatePlan(provider, f"plan-{i}", 100 * (i + 1), 5 * DAY + i * 3600, NATIVE),
        ]
    plans = ("plan-0", "plan-1", "plan-2")
    actions.append(ActionCreateBundle(PROVIDERS[0], "bundle", plans, 301, 4 * DAY, NATIVE, DAY))
    return actions


class SubscriptionsMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.initial = initial_state(grace_period=GRACE, past_due_period=PAST_DUE)
        self.state: SubscriptionsState = self.initial
        self.now = T0
        self.journal: list[tuple[Action, Context]] = []
        self.outputs: list[tuple[Event, ...]] = []
        self.paid_in = 0
        self.paid_out = 0
        self.references: set[str] = set()
        self.payments = 0
        for action in _setup_actions():
            self._apply(action)

    def _apply(self, action: Action) -> tuple[Event, ...]:
        ctx = Context(epoch=self.now // DAY, close_time=self.now)
        before = self.state
        result = transition(self.state, action, ctx)
        self.journal.append((action, ctx))
        self.outputs.append(result.events)
        if any(isinstance(e, EventRejected) for e in result.events):
            assert result.events == (result.events[0],)
            assert state_hash(result.state) == state_hash(before)
        for event in result.events:
            if isinstance(event, EventCredited):
                self.paid_in += event.amount
            if isinstance(event, SendProviderRevenue | SendRefund):
                assert event.amount > 0
                assert event.reference not in self.references  # a payout is never repeated
                self.references.add(event.reference)
                self.paid_out += event.amount
            if isinstance(event, EventBundleSplit):
                assert sum(amount for _, _, amount in event.shares) == event.amount
                assert all(secs <= DAY for _, secs, _ in event.shares)
        self.state = result.state
        return result.events

    @rule(viewer=st.sampled_from(VIEWERS), amount=st.integers(1, 1500))
    def pay(self, viewer: str, amount: int) -> None:
        self.payments += 1
        self._apply(ReceivePayment(viewer, NATIVE, amount, f"p{self.payments}"))

    @rule(viewer=st.sampled_from(VIEWERS), offering=st.sampled_from(OFFERINGS))
    def subscribe(self, viewer: str, offering: str) -> None:
        self._apply(ActionSubscribe(viewer, offering))

    @rule(
        viewer=st.sampled_from(VIEWERS),
        offering=st.sampled_from(OFFERINGS),
        amount=st.integers(300, 900),
    )
    def pay_and_subscribe(self, viewer: str, offering: str, amount: int) -> None:
        self.pay(viewer, amount)
        self._apply(ActionSubscribe(viewer, offering))

    @rule(viewer=st.sampled_from(VIEWERS), offering=st.sampled_from(OFFERINGS))
    def cancel(self, viewer: str, offering: str) -> None:
        self._apply(ActionCancel(viewer, offering))

    @rule(viewer=st.sampled_from(VIEWERS), amount=st.integers(1, 400))
    def withdraw(self, viewer: str, amount: int) -> None:
        self._apply(ActionWithdrawCredit(viewer, NATIVE, amount))

    @rule(
        viewer=st.sampled_from(VIEWERS),
        content=st.sampled_from(CONTENTS),
        seconds=st.integers(1, 5 * DAY),
    )
    def view(self, viewer: str, content: str, seconds: int) -> None:
        self._apply(ReceiveVerifiedViewing(self.now // 3600, viewer, content, seconds))

    @rule(seconds=st.integers(0, 6 * DAY))
    def time_passes(self, seconds: int) -> None:
        self.now += seconds
        self._apply(ReceiveLedgerClose())

    @rule(offering=st.sampled_from(OFFERINGS), price=st.integers(1, 600))
    def reprice(self, offering: str, price: int) -> None:
        owner = PROVIDERS[int(offering[-1])] if offering.startswith("plan") else PROVIDERS[0]
        self._apply(ActionUpdateTerms(owner, offering, price, 3 * DAY))

    @rule(offering=st.sampled_from(OFFERINGS), dice=st.integers(0, 9))
    def retire(self, offering: str, dice: int) -> None:
        if dice:  # rare: a retired offering ends every subscription to it
            return
        owner = PROVIDERS[int(offering[-1])] if offering.startswith("plan") else PROVIDERS[0]
        self._apply(ActionRetireOffering(owner, offering))

    @rule(content=st.sampled_from(CONTENTS), dice=st.integers(0, 9))
    def delist(self, content: str, dice: int) -> None:
        if dice:  # rare, as above
            return
        self._apply(ReceiveContentDelisted(content))

    @invariant()
    def money_is_conserved_and_never_negative(self) -> None:
        credits = list(self.state.credits.values())
        pools = [
            sub.pool.amount
            for mine in self.state.subscriptions.values()
            for sub in mine.values()
            if sub.pool is not None
        ]
        assert all(c > 0 for c in credits) and all(p > 0 for p in pools)
        assert self.paid_in == sum(credits) + sum(pools) + self.paid_out

    def teardown(self) -> None:
        state = self.initial
        for (action, ctx), expected in zip(self.journal, self.outputs, strict=True):
            result = transition(state, action, ctx)
            assert result.events == expected
            state = result.state
        assert state_hash(state) == state_hash(self.state)


SubscriptionsMachine.TestCase.settings = settings(
    max_examples=60,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
TestSubscriptionsMachine = SubscriptionsMachine.TestCase
