"""Stateful property test of the per-minute billing contract.

Deposits in = balances held + revenue accrued + paid out; balances never negative (no
debt); every (session, minute) is charged at most once; the statement's running
balance matches the balance; replaying the journal reproduces the live state hash.
"""

from __future__ import annotations

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule
from stellar_sdk import Keypair

from contracts.billing import (
    ActionPayProviders,
    ActionSetRate,
    ActionWithdraw,
    BillingState,
    EventDeposited,
    EventMinutesBilled,
    ReceiveContentDelisted,
    ReceiveDeposit,
    ReceiveViewingMinutes,
    balance_of,
    initial_state,
    statement,
    status_of,
    transition,
)
from contracts.canonical import state_hash
from contracts.common import SendProviderRevenue, SendRefund
from contracts.core import NATIVE, Action, Context, Event, EventRejected


def _account(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


PROVIDERS = [_account(1), _account(2)]
VIEWERS = [_account(10), _account(11)]
CONTENTS = [f"{n:040x}" for n in range(1, 4)]
SESSIONS = [0, 0, 0, 1, 1, 1, 2]  # 2 = a session id shared by everyone: mismatches
T0 = 1_700_000_000


def _session(viewer: str, content: str, k: int) -> str:
    return "shared" if k == 2 else f"{viewer[:6]}-{content[-2:]}-{k}"


class BillingMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: BillingState = initial_state()
        self.now = T0
        self.journal: list[tuple[Action, Context]] = []
        self.outputs: list[tuple[Event, ...]] = []
        self.deposited = 0
        self.paid_out = 0
        self.references: set[str] = set()
        self.charged: set[tuple[str, int]] = set()
        self.txs = 0
        for i, content in enumerate(CONTENTS):
            self._apply(ActionSetRate(PROVIDERS[i % 2], content, NATIVE, 10 * (i + 1)))

    def _apply(self, action: Action) -> None:
        self.now += 7
        ctx = Context(epoch=self.now // 600, close_time=self.now)
        before = self.state
        result = transition(self.state, action, ctx)
        self.journal.append((action, ctx))
        self.outputs.append(result.events)
        if any(isinstance(e, EventRejected) for e in result.events):
            assert len(result.events) == 1
            assert state_hash(result.state) == state_hash(before)
        for event in result.events:
            if isinstance(event, EventDeposited):
                self.deposited += event.amount
            if isinstance(event, SendProviderRevenue | SendRefund):
                assert event.amount > 0
                assert event.reference not in self.references  # a payout is never repeated
                self.references.add(event.reference)
                self.paid_out += event.amount
            if isinstance(event, EventMinutesBilled):
                rate = before.rates[event.content].per_minute
                assert event.amount == rate * len(event.charged)
                for minute in event.charged:
                    assert (event.session, minute) not in self.charged
                    self.charged.add((event.session, minute))
                if event.unbilled:  # a minute goes unbilled only when it cannot be paid
                    assert event.balance < rate
        self.state = result.state

    @rule(viewer=st.sampled_from(VIEWERS), amount=st.integers(1, 500), replay=st.integers(0, 4))
    def deposit(self, viewer: str, amount: int, replay: int) -> None:
        if replay or self.txs == 0:  # replay == 0: the same transaction observed again
            self.txs += 1
        self._apply(ReceiveDeposit(viewer, NATIVE, amount, f"tx-{self.txs}"))

    @rule(
        viewer=st.sampled_from(VIEWERS),
        content=st.sampled_from(CONTENTS),
        session=st.sampled_from(SESSIONS),
        minutes=st.lists(st.integers(0, 30), min_size=1, max_size=12),
    )
    def watch_minutes(self, viewer: str, content: str, session: int, minutes: list[int]) -> None:
        name = _session(viewer, content, session)
        self._apply(ReceiveViewingMinutes(viewer, content, name, tuple(minutes)))

    @rule(
        viewer=st.sampled_from(VIEWERS),
        content=st.sampled_from(CONTENTS),
        session=st.sampled_from(SESSIONS),
        start=st.integers(0, 1800),
        length=st.integers(1, 900),
    )
    def watch_span(self, viewer: str, content: str, session: int, start: int, length: int) -> None:
        name = _session(viewer, content, session)
        action = ReceiveViewingMinutes(viewer, content, name, span=(start, start + length))
        self._apply(action)

    @rule(viewer=st.sampled_from(VIEWERS), amount=st.integers(1, 300))
    def withdraw(self, viewer: str, amount: int) -> None:
        self._apply(ActionWithdraw(viewer, NATIVE, amount))

    @rule()
    def pay_providers(self) -> None:
        self._apply(ActionPayProviders())

    @rule(index=st.integers(0, 2), rate=st.integers(1, 50))
    def reprice(self, index: int, rate: int) -> None:
        self._apply(ActionSetRate(PROVIDERS[index % 2], CONTENTS[index], NATIVE, rate))

    @rule(index=st.integers(0, 2), dice=st.integers(0, 9))
    def delist(self, index: int, dice: int) -> None:
        if dice == 0:
            self._apply(ReceiveContentDelisted(CONTENTS[index]))

    @invariant()
    def money_is_conserved_and_there_is_no_debt(self) -> None:
        balances = list(self.state.balances.values())
        accrued = list(self.state.accrued.values())
        assert all(b > 0 for b in balances) and all(a > 0 for a in accrued)
        assert self.deposited == sum(balances) + sum(accrued) + self.paid_out

    @invariant()
    def statements_end_at_the_balance(self) -> None:
        for viewer in VIEWERS:
            lines = statement(self.state, viewer)
            last = lines[-1].balance if lines else 0
            assert last == balance_of(self.state, viewer, NATIVE)
            if status_of(self.state, viewer, NATIVE) != "stopped":
                assert balance_of(self.state, viewer, NATIVE) > 0

    def teardown(self) -> None:
        state = initial_state()
        for (action, ctx), expected in zip(self.journal, self.outputs, strict=True):
            result = transition(state, action, ctx)
            assert result.events == expected
            state = result.state
        assert state_hash(state) == state_hash(self.state)


BillingMachine.TestCase.settings = settings(max_examples=60, stateful_step_count=50, deadline=None)
TestBillingMachine = BillingMachine.TestCase
