"""Stateful property test of the one-time access contract.

Every payment in is paid out (provider revenue or refund) exactly; a purchase always
entitles the buyer right after; replaying the journal reproduces the live state hash.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from stellar_sdk import Keypair

from contracts.access import (
    AccessState,
    ActionSetAccessPrice,
    ActionStopSales,
    EventAccessGranted,
    ReceiveAccessPayment,
    ReceiveContentDelisted,
    ReceiveContentRelisted,
    entitlement,
    initial_state,
    transition,
)
from contracts.canonical import state_hash
from contracts.common import SendProviderRevenue, SendRefund
from contracts.core import NATIVE, Action, Asset, Context, Event, EventRejected


def _account(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


PROVIDERS = [_account(1), _account(2)]
VIEWERS = [_account(10), _account(11)]
CONTENTS = [f"{n:040x}" for n in range(1, 4)]
USD = Asset("USD", _account(3))
T0 = 1_700_000_000


class AccessMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: AccessState = initial_state()
        self.now = T0
        self.journal: list[tuple[Action, Context]] = []
        self.outputs: list[tuple[Event, ...]] = []
        self.paid_in = 0
        self.paid_out = 0
        self.references: set[str] = set()
        self.payments = 0
        for i, content in enumerate(CONTENTS):
            self._apply(ActionSetAccessPrice(PROVIDERS[i % 2], content, 100 * (i + 1), NATIVE, 600))

    def _apply(self, action: Action) -> tuple[Event, ...]:
        ctx = Context(epoch=self.now // 3600, close_time=self.now)
        before = self.state
        result = transition(self.state, action, ctx)
        self.journal.append((action, ctx))
        self.outputs.append(result.events)
        rejected = any(isinstance(e, EventRejected) for e in result.events)
        if rejected:
            assert state_hash(result.state) == state_hash(before)
        elif isinstance(action, ReceiveAccessPayment):
            self.paid_in += action.amount
        for event in result.events:
            if isinstance(event, SendProviderRevenue | SendRefund):
                assert event.amount > 0
                assert event.reference not in self.references  # a payout is never repeated
                self.references.add(event.reference)
                self.paid_out += event.amount
            if isinstance(event, EventAccessGranted):
                answer = entitlement(result.state, event.account, event.content, self.now)
                assert answer.allowed and answer.until == event.expires_at
        self.state = result.state
        return result.events

    @rule(
        index=st.integers(0, 2),
        owner=st.integers(0, 1),
        price=st.integers(1, 1000),
        duration=st.integers(60, 10_000),
        token=st.sampled_from(["", "PASS"]),
    )
    def set_price(self, index: int, owner: int, price: int, duration: int, token: str) -> None:
        offer = ActionSetAccessPrice(
            PROVIDERS[owner], CONTENTS[index], price, NATIVE, duration, token
        )
        self._apply(offer)

    @rule(
        viewer=st.sampled_from(VIEWERS),
        index=st.integers(0, 2),
        amount=st.integers(1, 1500),
        asset=st.sampled_from([NATIVE, NATIVE, USD]),
        replay=st.integers(0, 4),
    )
    def pay(self, viewer: str, index: int, amount: int, asset: Asset, replay: int) -> None:
        if replay or self.payments == 0:  # replay == 0: the same payment observed again
            self.payments += 1
        self._apply(
            ReceiveAccessPayment(viewer, CONTENTS[index], asset, amount, f"p{self.payments}")
        )

    @rule(index=st.integers(0, 2), owner=st.integers(0, 1))
    def stop_sales(self, index: int, owner: int) -> None:
        self._apply(ActionStopSales(PROVIDERS[owner], CONTENTS[index]))

    @rule(index=st.integers(0, 2), dice=st.integers(0, 5))
    def delist(self, index: int, dice: int) -> None:
        if dice == 0:
            self._apply(ReceiveContentDelisted(CONTENTS[index]))

    @rule(index=st.integers(0, 2), dice=st.integers(0, 5))
    def relist(self, index: int, dice: int) -> None:  # a won appeal
        if dice == 0:
            self._apply(ReceiveContentRelisted(CONTENTS[index]))

    @rule(seconds=st.integers(0, 20_000))
    def time_passes(self, seconds: int) -> None:
        self.now += seconds

    @invariant()
    def every_payment_is_paid_on_exactly(self) -> None:
        assert self.paid_in == self.paid_out

    def teardown(self) -> None:
        state = initial_state()
        for (action, ctx), expected in zip(self.journal, self.outputs, strict=True):
            result = transition(state, action, ctx)
            assert result.events == expected
            state = result.state
        assert state_hash(state) == state_hash(self.state)


AccessMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=40, deadline=None)
TestAccessMachine = AccessMachine.TestCase
