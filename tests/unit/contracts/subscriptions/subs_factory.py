"""Small factories for the subscriptions scenarios."""

from __future__ import annotations

from stellar_sdk import Keypair

from contracts.core import NATIVE, Action, Context, Event, EventRejected, TransitionResult
from contracts.subscriptions import (
    ActionCreatePlan,
    ActionRegisterChannel,
    ActionRegisterContent,
    ReceivePayment,
    SubscriptionsState,
    initial_state,
    transition,
)


def account(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


PROVIDER_A = account(1)
PROVIDER_B = account(2)
PROVIDER_C = account(3)
VIEWER = account(10)
VIEWER_2 = account(11)
DAY = 86_400
T0 = 1_700_000_000
MONTH = 30 * DAY
GRACE = 3 * DAY
PAST_DUE = 7 * DAY


def infohash(n: int) -> str:
    return f"{n:040x}"


def ctx(at: int, epoch: int = 1) -> Context:
    return Context(epoch=epoch, close_time=at)


class Scenario:
    """Applies actions one after another and remembers the last events."""

    def __init__(self, state: SubscriptionsState | None = None) -> None:
        self.state = state or initial_state(grace_period=GRACE, past_due_period=PAST_DUE)
        self.events: tuple[Event, ...] = ()
        self.payments = 0

    def apply(self, action: Action, at: int = T0) -> tuple[Event, ...]:
        result: TransitionResult[SubscriptionsState] = transition(self.state, action, ctx(at))
        self.state = result.state
        self.events = result.events
        return result.events

    def ok(self, action: Action, at: int = T0) -> tuple[Event, ...]:
        events = self.apply(action, at)
        bad = [e for e in events if isinstance(e, EventRejected)]
        assert not bad, bad
        return events

    def pay(self, who: str, amount: int, at: int = T0) -> tuple[Event, ...]:
        self.payments += 1
        return self.ok(ReceivePayment(who, NATIVE, amount, f"pay-{self.payments}"), at)

    def provider_with_content(
        self, provider: str, channel: str, content: int, price: int = 1000, plan: str = ""
    ) -> str:
        """A provider with one channel holding one content, and (optionally) a plan."""
        self.ok(ActionRegisterChannel(provider, channel))
        self.ok(ActionRegisterContent(provider, infohash(content), channel))
        if plan:
            self.ok(ActionCreatePlan(provider, plan, price, MONTH, NATIVE))
        return infohash(content)


def of_type(events: tuple[Event, ...], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]
