"""Prepaid per-minute billing: started minutes, dedupe, low and stopped, no debt."""

from __future__ import annotations

import pytest
from billing_factory import (
    MOVIE,
    OTHER_PROVIDER,
    PROVIDER,
    RATE,
    SHOW,
    T0,
    VIEWER,
    of_type,
    priced,
)

from contracts.billing import (
    LOW_MINUTES,
    ActionPayProviders,
    ActionSetRate,
    ActionWithdraw,
    EventBalanceStatus,
    EventMinutesBilled,
    ReceiveContentDelisted,
    ReceiveViewingMinutes,
    balance_of,
    entitlement,
    statement,
    status_of,
)
from contracts.common import SendProviderRevenue, SendRefund
from contracts.core import NATIVE


@pytest.mark.parametrize(
    ("span", "minutes"),
    [
        pytest.param((0, 1), 1, id="one-second-is-a-started-minute"),
        pytest.param((0, 60), 1, id="exactly-one-minute"),
        pytest.param((0, 61), 2, id="one-second-into-the-second-minute"),
        pytest.param((59, 121), 3, id="straddles-three-minutes"),
    ],
)
def test_each_started_minute_is_charged_once(span: tuple[int, int], minutes: int) -> None:
    s = priced()
    s.deposit(VIEWER, 100 * RATE)
    s.ok(ReceiveViewingMinutes(VIEWER, MOVIE, "s1", span=span))
    assert balance_of(s.state, VIEWER, NATIVE) == (100 - minutes) * RATE


def test_a_minute_reported_twice_is_charged_once() -> None:
    s = priced()
    s.deposit(VIEWER, 100 * RATE)
    s.watch((0, 1, 2))
    events = s.watch((2, 3))
    billed = of_type(events, EventMinutesBilled)[0]
    assert (billed.charged, billed.duplicates) == ((3,), 1)
    assert balance_of(s.state, VIEWER, NATIVE) == 96 * RATE
    before = s.state
    assert s.apply(ReceiveViewingMinutes(VIEWER, MOVIE, "s1", (1, 3)))[0].code == (
        "duplicate_minutes"
    )
    assert s.state == before


def test_the_same_minute_in_another_session_is_another_minute() -> None:
    s = priced()
    s.deposit(VIEWER, 100 * RATE)
    s.watch((0,), session="s1")
    s.watch((0,), session="s2")
    assert balance_of(s.state, VIEWER, NATIVE) == 98 * RATE


def test_balance_goes_low_then_stopped_and_never_below_zero() -> None:
    s = priced()
    s.deposit(VIEWER, (LOW_MINUTES + 2) * RATE + RATE // 2)
    assert status_of(s.state, VIEWER, NATIVE) == "solvent"
    events = s.watch((0, 1, 2))
    assert [e.status for e in of_type(events, EventBalanceStatus)] == ["low"]
    assert entitlement(s.state, VIEWER, MOVIE, T0).reason == "prepaid_balance_low"
    events = s.watch(tuple(range(3, 20)))
    billed = of_type(events, EventMinutesBilled)[0]
    assert billed.charged == tuple(range(3, 12))  # 9 whole minutes were still paid
    assert billed.unbilled == tuple(range(12, 20))
    assert balance_of(s.state, VIEWER, NATIVE) == RATE // 2  # never negative, no debt
    assert status_of(s.state, VIEWER, NATIVE) == "stopped"
    answer = entitlement(s.state, VIEWER, MOVIE, T0)
    assert (answer.allowed, answer.reason) == (False, "insufficient_balance")


def test_unbilled_minutes_are_never_charged_later() -> None:
    s = priced()
    s.deposit(VIEWER, RATE)
    s.watch((0, 1))
    s.deposit(VIEWER, 10 * RATE)
    assert s.apply(ReceiveViewingMinutes(VIEWER, MOVIE, "s1", (1,)))[0].code == (
        "duplicate_minutes"
    )
    assert balance_of(s.state, VIEWER, NATIVE) == 10 * RATE


def test_a_deposit_restores_a_stopped_account() -> None:
    s = priced()
    s.deposit(VIEWER, RATE)
    s.watch((0,))
    assert status_of(s.state, VIEWER, NATIVE) == "stopped"
    events = s.deposit(VIEWER, 50 * RATE)
    assert [e.status for e in of_type(events, EventBalanceStatus)] == ["solvent"]
    assert entitlement(s.state, VIEWER, MOVIE, T0).allowed


def test_charges_accrue_to_each_content_provider_and_are_paid_out_once() -> None:
    s = priced()
    s.ok(ActionSetRate(OTHER_PROVIDER, SHOW, NATIVE, 7))
    s.deposit(VIEWER, 10_000)
    s.watch((0, 1))
    s.watch((0, 1, 2), session="s2", content=SHOW)
    events = s.ok(ActionPayProviders(), epoch=5)
    paid = {e.provider: e.amount for e in of_type(events, SendProviderRevenue)}
    assert paid == {PROVIDER: 2 * RATE, OTHER_PROVIDER: 21}
    assert s.ok(ActionPayProviders(), epoch=6) == ()


def test_a_rate_change_applies_to_later_minutes_only() -> None:
    s = priced()
    s.deposit(VIEWER, 10_000)
    s.watch((0,))
    s.ok(ActionSetRate(PROVIDER, MOVIE, NATIVE, 3 * RATE))
    s.watch((1,))
    assert balance_of(s.state, VIEWER, NATIVE) == 10_000 - RATE - 3 * RATE


def test_statement_lists_credits_and_charges_with_running_balance() -> None:
    s = priced()
    s.deposit(VIEWER, 1000, at=T0)
    s.watch((0, 1, 2), at=T0 + 200)
    s.ok(ActionWithdraw(VIEWER, NATIVE, 200), at=T0 + 300)
    lines = statement(s.state, VIEWER)
    assert [(x.kind, x.amount, x.balance, x.time) for x in lines] == [
        ("credit", 1000, 1000, T0),
        ("charge", 3 * RATE, 1000 - 3 * RATE, T0 + 200),
        ("withdrawal", 200, 1000 - 3 * RATE - 200, T0 + 300),
    ]
    assert lines[1].minutes == 3 and lines[1].content == MOVIE
    assert of_type(s.events, SendRefund)[0].amount == 200


def test_delisted_content_is_not_served_or_charged() -> None:
    s = priced()
    s.deposit(VIEWER, 1000)
    s.ok(ReceiveContentDelisted(MOVIE))
    assert entitlement(s.state, VIEWER, MOVIE, T0).reason == "content_delisted"
    assert s.apply(ReceiveViewingMinutes(VIEWER, MOVIE, "s1", (0,)))[0].code == "content_delisted"
    assert balance_of(s.state, VIEWER, NATIVE) == 1000
