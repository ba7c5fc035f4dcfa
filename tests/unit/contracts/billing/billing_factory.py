"""Small factories for the per-minute billing scenarios."""

from __future__ import annotations

from stellar_sdk import Keypair

from contracts.billing import (
    ActionSetRate,
    BillingState,
    ReceiveDeposit,
    ReceiveViewingMinutes,
    initial_state,
    transition,
)
from contracts.core import NATIVE, Action, Context, Event, EventRejected


def account(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


PROVIDER = account(1)
OTHER_PROVIDER = account(2)
VIEWER = account(10)
T0 = 1_700_000_000
MOVIE = "ab" * 20
SHOW = "cd" * 20
RATE = 100  # stroops per minute


class Scenario:
    def __init__(self) -> None:
        self.state: BillingState = initial_state()
        self.events: tuple[Event, ...] = ()
        self.deposits = 0

    def apply(self, action: Action, at: int = T0, epoch: int = 1) -> tuple[Event, ...]:
        result = transition(self.state, action, Context(epoch=epoch, close_time=at))
        self.state, self.events = result.state, result.events
        return result.events

    def ok(self, action: Action, at: int = T0, epoch: int = 1) -> tuple[Event, ...]:
        events = self.apply(action, at, epoch)
        assert not [e for e in events if isinstance(e, EventRejected)], events
        return events

    def deposit(self, who: str, amount: int, at: int = T0) -> tuple[Event, ...]:
        self.deposits += 1
        return self.ok(ReceiveDeposit(who, NATIVE, amount, f"tx{self.deposits:062d}"), at)

    def watch(
        self, minutes: tuple[int, ...], session: str = "s1", content: str = MOVIE, at: int = T0
    ) -> tuple[Event, ...]:
        return self.ok(ReceiveViewingMinutes(VIEWER, content, session, minutes), at)


def priced() -> Scenario:
    s = Scenario()
    s.ok(ActionSetRate(PROVIDER, MOVIE, NATIVE, RATE))
    return s


def of_type(events: tuple[Event, ...], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]
