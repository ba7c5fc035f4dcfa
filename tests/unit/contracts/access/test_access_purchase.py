"""Pay-per-view: a provider prices a content, a viewer buys expiring access."""

from __future__ import annotations

import pytest
from stellar_sdk import Keypair

from contracts.access import (
    TOKEN_AMOUNT,
    ActionSetAccessPrice,
    ActionStopSales,
    EventPaymentRefunded,
    ReceiveAccessPayment,
    ReceiveContentDelisted,
    SendAccessToken,
    entitlement,
    initial_state,
    transition,
)
from contracts.canonical import state_hash
from contracts.common import SendProviderRevenue, SendRefund
from contracts.core import NATIVE, Action, Asset, Context, Event, EventRejected


def account(n: int) -> str:
    return Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key


PROVIDER, OTHER, VIEWER = account(1), account(2), account(10)
USD = Asset("USD", account(3))
FILM = "ab" * 20
T0 = 1_700_000_000
DAY = 86_400


class Scenario:
    def __init__(self, token: str = "") -> None:
        self.state = initial_state()
        self.n = 0
        self.ok(ActionSetAccessPrice(PROVIDER, FILM, 500, NATIVE, 2 * DAY, token))

    def apply(self, action: Action, at: int = T0) -> tuple[Event, ...]:
        result = transition(self.state, action, Context(epoch=1, close_time=at))
        self.state = result.state
        return result.events

    def ok(self, action: Action, at: int = T0) -> tuple[Event, ...]:
        events = self.apply(action, at)
        assert not [e for e in events if isinstance(e, EventRejected)], events
        return events

    def buy(self, amount: int = 500, at: int = T0, asset: Asset = NATIVE) -> tuple[Event, ...]:
        self.n += 1
        return self.ok(ReceiveAccessPayment(VIEWER, FILM, asset, amount, f"pay-{self.n}"), at)


def kinds(events: tuple[Event, ...], kind: type) -> list:  # type: ignore[type-arg]
    return [e for e in events if isinstance(e, kind)]


def test_a_purchase_grants_access_until_it_expires_and_pays_the_provider() -> None:
    s = Scenario()
    assert entitlement(s.state, VIEWER, FILM, T0).reason == "no_access"
    events = s.buy()
    revenue = kinds(events, SendProviderRevenue)
    assert [(r.provider, r.amount) for r in revenue] == [(PROVIDER, 500)]
    answer = entitlement(s.state, VIEWER, FILM, T0 + 2 * DAY - 1)
    assert (answer.allowed, answer.reason, answer.until) == (True, "access_granted", T0 + 2 * DAY)
    answer = entitlement(s.state, VIEWER, FILM, T0 + 2 * DAY)
    assert (answer.allowed, answer.reason) == (False, "access_expired")
    assert not entitlement(s.state, OTHER, FILM, T0).allowed


def test_buying_again_before_expiry_extends_from_the_current_end() -> None:
    s = Scenario()
    s.buy(at=T0)
    s.buy(at=T0 + DAY)
    assert entitlement(s.state, VIEWER, FILM, T0 + 4 * DAY - 1).until == T0 + 4 * DAY


def test_buying_after_expiry_starts_from_the_purchase() -> None:
    s = Scenario()
    s.buy(at=T0)
    s.buy(at=T0 + 10 * DAY)
    assert entitlement(s.state, VIEWER, FILM, T0 + 10 * DAY).until == T0 + 12 * DAY


def test_overpayment_is_returned() -> None:
    s = Scenario()
    events = s.buy(amount=800)
    assert [r.amount for r in kinds(events, SendRefund)] == [300]
    assert [r.amount for r in kinds(events, SendProviderRevenue)] == [500]


@pytest.mark.parametrize(
    ("setup", "amount", "asset", "reason"),
    [
        pytest.param(None, 499, NATIVE, "underpaid", id="underpaid"),
        pytest.param(None, 500, USD, "wrong_asset", id="wrong-asset"),
        pytest.param(ActionStopSales(PROVIDER, FILM), 500, NATIVE, "not_on_sale", id="stopped"),
        pytest.param(ReceiveContentDelisted(FILM), 500, NATIVE, "content_delisted", id="delisted"),
    ],
)
def test_a_payment_that_buys_nothing_is_refunded_in_full(
    setup: Action | None, amount: int, asset: Asset, reason: str
) -> None:
    s = Scenario()
    if setup is not None:
        s.ok(setup)
    events = s.buy(amount=amount, asset=asset)
    assert [(e.reason, e.amount) for e in kinds(events, EventPaymentRefunded)] == [(reason, amount)]
    assert [(r.account, r.amount) for r in kinds(events, SendRefund)] == [(VIEWER, amount)]
    assert not kinds(events, SendProviderRevenue)
    assert not entitlement(s.state, VIEWER, FILM, T0).allowed


def test_the_access_token_is_requested_when_the_offer_has_one() -> None:
    plain = Scenario().buy()
    assert not kinds(plain, SendAccessToken)
    events = Scenario(token="FILMPASS").buy()
    token = kinds(events, SendAccessToken)[0]
    assert (token.account, token.asset_code, token.amount) == (VIEWER, "FILMPASS", TOKEN_AMOUNT)


def test_delisting_ends_access_already_bought() -> None:
    s = Scenario()
    s.buy()
    s.ok(ReceiveContentDelisted(FILM))
    assert entitlement(s.state, VIEWER, FILM, T0 + 1).reason == "content_delisted"


def test_stopping_sales_keeps_grants_already_sold() -> None:
    s = Scenario()
    s.buy()
    s.ok(ActionStopSales(PROVIDER, FILM))
    assert entitlement(s.state, VIEWER, FILM, T0 + 1).allowed


class Unknown(Action):
    __slots__ = ()


CASES = [
    (ActionSetAccessPrice("x", FILM, 1, NATIVE, DAY), "invalid_account"),
    (ActionSetAccessPrice(PROVIDER, "film", 1, NATIVE, DAY), "invalid_content"),
    (ActionSetAccessPrice(PROVIDER, FILM, 0, NATIVE, DAY), "invalid_price"),
    (ActionSetAccessPrice(PROVIDER, FILM, 1, Asset("USD"), DAY), "invalid_asset"),
    (ActionSetAccessPrice(PROVIDER, FILM, 1, NATIVE, 59), "invalid_duration"),
    (ActionSetAccessPrice(PROVIDER, FILM, 1, NATIVE, DAY, "BAD CODE"), "invalid_token_code"),
    (ActionSetAccessPrice(OTHER, FILM, 1, NATIVE, DAY), "not_content_owner"),
    (ActionStopSales(OTHER, FILM), "not_content_owner"),
    (ActionStopSales(PROVIDER, "cd" * 20), "unknown_content"),
    (ReceiveAccessPayment(VIEWER, FILM, NATIVE, 500, "pay-1"), "duplicate_payment"),
    (ReceiveAccessPayment(VIEWER, FILM, NATIVE, 0, "pay-9"), "invalid_amount"),
    (ReceiveAccessPayment("viewer", FILM, NATIVE, 5, "pay-9"), "invalid_account"),
    (ReceiveAccessPayment(VIEWER, FILM, NATIVE, 5, ""), "invalid_reference"),
    (ReceiveContentDelisted("cd" * 20), "unknown_content"),
    (Unknown(), "unknown_action"),
]


@pytest.mark.parametrize(
    ("action", "code"), [pytest.param(a, c, id=f"{i}-{c}") for i, (a, c) in enumerate(CASES)]
)
def test_invalid_action_is_rejected_without_change(action: Action, code: str) -> None:
    s = Scenario()
    s.buy()
    before = state_hash(s.state)
    events = s.apply(action)
    assert len(events) == 1 and isinstance(events[0], EventRejected)
    assert (events[0].action, events[0].code) == (type(action).__name__, code)
    assert state_hash(s.state) == before
