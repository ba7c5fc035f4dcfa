"""Bundles across providers: one subscription, many channels, revenue split by viewing."""

from __future__ import annotations

import pytest
from subs_factory import (
    MONTH,
    PROVIDER_A,
    PROVIDER_B,
    PROVIDER_C,
    T0,
    VIEWER,
    VIEWER_2,
    Scenario,
    of_type,
)

from contracts.common import SendProviderRevenue
from contracts.core import NATIVE
from contracts.subscriptions import (
    ActionCreateBundle,
    ActionCreatePlan,
    ActionSubscribe,
    ActionUpdateTerms,
    EventBundleSplit,
    EventRenewed,
    EventViewingRecorded,
    ReceiveLedgerClose,
    ReceiveVerifiedViewing,
    entitlement,
)

HOUR = 3600
DAY = 24 * HOUR


def bundle_market(cap: int = 0, price: int = 1000) -> tuple[Scenario, dict[str, str]]:
    """Three providers with a plan each, and bundle "trio" over all three plans."""
    s = Scenario()
    contents = {
        PROVIDER_A: s.provider_with_content(PROVIDER_A, "a-news", 1, plan="a-plan"),
        PROVIDER_B: s.provider_with_content(PROVIDER_B, "b-sport", 2, plan="b-plan"),
        PROVIDER_C: s.provider_with_content(PROVIDER_C, "c-film", 3, plan="c-plan"),
    }
    plans = ("a-plan", "b-plan", "c-plan")
    s.ok(ActionCreateBundle(PROVIDER_A, "trio", plans, price, MONTH, NATIVE, cap))
    return s, contents


def payouts(events: tuple[object, ...]) -> dict[str, int]:
    return {e.provider: e.amount for e in of_type(events, SendProviderRevenue)}


def test_one_bundle_subscription_opens_every_providers_channels() -> None:
    s, contents = bundle_market()
    s.pay(VIEWER, 1000)
    events = s.ok(ActionSubscribe(VIEWER, "trio"))
    assert not of_type(events, SendProviderRevenue)  # held until the period ends
    for content in contents.values():
        assert entitlement(s.state, VIEWER, content, T0 + 1).reason == "active_subscription"


def test_revenue_is_split_by_the_subscribers_viewing_time() -> None:
    s, contents = bundle_market()
    s.pay(VIEWER, 1000)
    s.ok(ActionSubscribe(VIEWER, "trio"))
    s.ok(ReceiveVerifiedViewing(1, VIEWER, contents[PROVIDER_A], 3000), at=T0 + 10)
    s.ok(ReceiveVerifiedViewing(2, VIEWER, contents[PROVIDER_B], 1000), at=T0 + 20)
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert payouts(events) == {PROVIDER_A: 750, PROVIDER_B: 250}
    split = of_type(events, EventBundleSplit)[0]
    assert sum(amount for _, _, amount in split.shares) == 1000


def test_inflated_views_earn_at_most_the_engagement_cap() -> None:
    s, contents = bundle_market(cap=HOUR)
    s.pay(VIEWER, 1000)
    s.ok(ActionSubscribe(VIEWER, "trio"))
    s.ok(ReceiveVerifiedViewing(1, VIEWER, contents[PROVIDER_A], HOUR), at=T0 + 10)
    for epoch in range(1, 6):  # provider B farms fake views
        fake = ReceiveVerifiedViewing(epoch, VIEWER, contents[PROVIDER_B], 25 * 24 * HOUR)
        s.ok(fake, at=T0 + 10 + epoch)
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert payouts(events) == {PROVIDER_A: 500, PROVIDER_B: 500}
    shares = of_type(events, EventBundleSplit)[0].shares
    assert [(p, secs) for p, secs, _ in shares] == [
        (p, secs) for p, secs in sorted({PROVIDER_A: HOUR, PROVIDER_B: HOUR, PROVIDER_C: 0}.items())
    ]


def test_without_viewing_the_split_is_equal_and_sums_exactly() -> None:
    s, _ = bundle_market(price=1001)
    s.pay(VIEWER, 1001)
    s.ok(ActionSubscribe(VIEWER, "trio"))
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    got = payouts(events)
    assert sum(got.values()) == 1001
    first, second, third = sorted(got)  # the two leftover stroops go to the lowest accounts
    assert (got[first], got[second], got[third]) == (334, 334, 333)


def test_each_subscriber_is_split_by_their_own_viewing() -> None:
    s, contents = bundle_market()
    for viewer, provider in ((VIEWER, PROVIDER_A), (VIEWER_2, PROVIDER_C)):
        s.pay(viewer, 1000)
        s.ok(ActionSubscribe(viewer, "trio"))
        s.ok(ReceiveVerifiedViewing(1, viewer, contents[provider], 600), at=T0 + 5)
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert payouts(events) == {PROVIDER_A: 1000, PROVIDER_C: 1000}
    # two payouts per subscriber period would repeat the provider: check references differ
    refs = [e.reference for e in of_type(events, SendProviderRevenue)]
    assert len(set(refs)) == len(refs)


def test_viewing_is_counted_once_per_epoch_and_content() -> None:
    s, contents = bundle_market()
    s.pay(VIEWER, 1000)
    s.ok(ActionSubscribe(VIEWER, "trio"))
    viewing = ReceiveVerifiedViewing(4, VIEWER, contents[PROVIDER_A], 100)
    s.ok(viewing, at=T0 + 10)
    before = s.state
    assert s.apply(viewing, at=T0 + 11)[0].code == "duplicate_viewing"
    assert s.state == before


def test_viewing_outside_any_bundle_is_recorded_but_counts_nowhere() -> None:
    s, contents = bundle_market()
    events = s.ok(ReceiveVerifiedViewing(1, VIEWER, contents[PROVIDER_A], 100))
    assert of_type(events, EventViewingRecorded)[0].bundles == ()


def test_bundle_renewal_opens_a_new_pool_for_the_next_period() -> None:
    s, contents = bundle_market()
    s.pay(VIEWER, 2000)
    s.ok(ActionSubscribe(VIEWER, "trio"))
    s.ok(ReceiveVerifiedViewing(1, VIEWER, contents[PROVIDER_A], 100), at=T0 + 5)
    first = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert payouts(first) == {PROVIDER_A: 1000}
    s.ok(ReceiveVerifiedViewing(9, VIEWER, contents[PROVIDER_B], 100), at=T0 + MONTH + 5)
    second = s.ok(ReceiveLedgerClose(), at=T0 + 2 * MONTH)
    assert payouts(second) == {PROVIDER_B: 1000}


@pytest.mark.parametrize(
    ("plans", "curator", "code"),
    [
        pytest.param(("a-plan",), PROVIDER_A, "invalid_plans", id="single-plan"),
        pytest.param(("a-plan", "a-plan"), PROVIDER_A, "invalid_plans", id="repeated"),
        pytest.param(("a-plan", "zzz"), PROVIDER_A, "unknown_offering", id="unknown-plan"),
        pytest.param(("a-plan", "b-plan"), PROVIDER_C, "not_bundle_member", id="outsider"),
        pytest.param(("a-plan", "solo"), PROVIDER_A, "plan_not_bundleable", id="opted-out"),
    ],
)
def test_bundle_creation_rules(plans: tuple[str, ...], curator: str, code: str) -> None:
    s, _ = bundle_market()
    s.ok(ActionCreatePlan(PROVIDER_B, "solo", 10, MONTH, NATIVE, (), False))
    before = s.state
    events = s.apply(ActionCreateBundle(curator, "new", plans, 10, MONTH, NATIVE))
    assert events[0].code == code
    assert s.state == before


def test_a_paid_plan_outranks_a_bundle_in_grace_for_the_same_content() -> None:
    s, contents = bundle_market()
    s.pay(VIEWER, 1000)
    s.ok(ActionSubscribe(VIEWER, "trio"))
    s.pay(VIEWER, 1000, at=T0 + MONTH - DAY)
    s.ok(ActionSubscribe(VIEWER, "a-plan"), at=T0 + MONTH - DAY)
    s.ok(ReceiveLedgerClose(), at=T0 + MONTH)  # the bundle renewal is unpaid: grace
    on_a = entitlement(s.state, VIEWER, contents[PROVIDER_A], T0 + MONTH + 1)
    assert (on_a.reason, on_a.until) == ("active_subscription", T0 + 2 * MONTH - DAY)
    on_b = entitlement(s.state, VIEWER, contents[PROVIDER_B], T0 + MONTH + 1)
    assert on_b.reason == "in_grace_period"  # only the bundle covers provider B


def test_bundle_renewal_takes_a_price_cut_but_not_a_rise() -> None:
    s, _ = bundle_market()
    s.pay(VIEWER, 5000)
    s.ok(ActionSubscribe(VIEWER, "trio"))
    s.ok(ActionUpdateTerms(PROVIDER_A, "trio", 4000, MONTH))
    first = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert of_type(first, EventRenewed)[0].amount == 1000
    s.ok(ActionUpdateTerms(PROVIDER_A, "trio", 600, MONTH))
    second = s.ok(ReceiveLedgerClose(), at=T0 + 2 * MONTH)
    assert of_type(second, EventRenewed)[0].amount == 600
    assert sum(payouts(second).values()) == 1000  # the pool of the period paid at 1000


def test_viewing_reported_before_the_closing_ledger_counts_for_the_ending_period() -> None:
    s, contents = bundle_market()
    s.pay(VIEWER, 1000)
    s.ok(ActionSubscribe(VIEWER, "trio"))
    # the last epoch's viewing arrives with the close time that also ends the period
    s.ok(ReceiveVerifiedViewing(7, VIEWER, contents[PROVIDER_C], 60), at=T0 + MONTH)
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert payouts(events) == {PROVIDER_C: 1000}
