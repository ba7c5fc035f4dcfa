"""A provider sells a plan; a viewer subscribes, renews, falls into dunning, cancels."""

from __future__ import annotations

from subs_factory import (
    DAY,
    GRACE,
    MONTH,
    PAST_DUE,
    PROVIDER_A,
    PROVIDER_B,
    T0,
    VIEWER,
    Scenario,
    infohash,
    of_type,
)

from contracts.common import SendProviderRevenue, SendRefund
from contracts.core import NATIVE, EventRejected
from contracts.subscriptions import (
    ActionCancel,
    ActionCreatePlan,
    ActionRegisterChannel,
    ActionRegisterContent,
    ActionRetireOffering,
    ActionSubscribe,
    ActionUpdateTerms,
    ActionWithdrawCredit,
    EventStatusChanged,
    ReceiveContentDelisted,
    ReceiveLedgerClose,
    SendChargeRequest,
    SubStatus,
    credit_of,
    entitlement,
    subscription_of,
)


def subscribed(price: int = 1000, credit: int = 1000) -> tuple[Scenario, str]:
    s = Scenario()
    content = s.provider_with_content(PROVIDER_A, "news", 1, price=price, plan="basic")
    s.pay(VIEWER, credit)
    s.ok(ActionSubscribe(VIEWER, "basic"))
    return s, content


def test_subscribing_pays_the_provider_and_entitles_the_viewer_for_one_period() -> None:
    s = Scenario()
    content = s.provider_with_content(PROVIDER_A, "news", 1, price=1000, plan="basic")
    assert entitlement(s.state, VIEWER, content, T0).reason == "no_subscription"
    s.pay(VIEWER, 1500)
    events = s.ok(ActionSubscribe(VIEWER, "basic"))
    assert of_type(events, SendProviderRevenue)[0].amount == 1000
    assert of_type(events, SendProviderRevenue)[0].provider == PROVIDER_A
    assert credit_of(s.state, VIEWER, NATIVE) == 500
    answer = entitlement(s.state, VIEWER, content, T0 + 10)
    assert (answer.allowed, answer.reason, answer.until) == (
        True,
        "active_subscription",
        T0 + MONTH,
    )
    assert entitlement(s.state, VIEWER, "news", T0 + 10).allowed  # the channel itself


def test_subscribing_without_enough_credit_is_rejected_and_changes_nothing() -> None:
    s = Scenario()
    s.provider_with_content(PROVIDER_A, "news", 1, price=1000, plan="basic")
    s.pay(VIEWER, 999)
    before = s.state
    events = s.apply(ActionSubscribe(VIEWER, "basic"))
    assert events == (EventRejected("ActionSubscribe", "insufficient_credit", ""),)
    assert s.state == before


def test_renewal_is_taken_from_credit_back_to_back_at_period_end() -> None:
    s, content = subscribed(credit=2000)
    s.ok(ReceiveLedgerClose(), at=T0 + MONTH - 1)
    assert subscription_of(s.state, VIEWER, "basic").period_index == 1  # not yet due
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH + 5)
    assert of_type(events, SendProviderRevenue)[0].amount == 1000
    sub = subscription_of(s.state, VIEWER, "basic")
    assert (sub.status, sub.paid_until, sub.period_index) == ("active", T0 + 2 * MONTH, 2)
    assert credit_of(s.state, VIEWER, NATIVE) == 0
    assert entitlement(s.state, VIEWER, content, T0 + 2 * MONTH - 1).allowed


def test_unpaid_renewal_goes_grace_then_past_due_then_canceled() -> None:
    s, content = subscribed()
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    charge = of_type(events, SendChargeRequest)[0]
    assert (charge.account, charge.amount, charge.due_by) == (VIEWER, 1000, T0 + MONTH + GRACE)
    answer = entitlement(s.state, VIEWER, content, T0 + MONTH + 1)
    assert (answer.allowed, answer.reason, answer.until) == (True, "in_grace_period", charge.due_by)

    s.ok(ReceiveLedgerClose(), at=T0 + MONTH + GRACE)
    assert subscription_of(s.state, VIEWER, "basic").status == SubStatus.PAST_DUE
    answer = entitlement(s.state, VIEWER, content, T0 + MONTH + GRACE)
    assert (answer.allowed, answer.reason) == (False, "past_due")

    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH + GRACE + PAST_DUE)
    assert [e.status for e in of_type(events, EventStatusChanged)] == ["canceled"]
    assert entitlement(s.state, VIEWER, content, T0 + MONTH + GRACE + PAST_DUE).reason == "canceled"


def test_entitlement_is_right_even_before_the_next_ledger_close_is_processed() -> None:
    s, content = subscribed()
    assert entitlement(s.state, VIEWER, content, T0 + MONTH + 1).reason == "in_grace_period"
    assert entitlement(s.state, VIEWER, content, T0 + MONTH + GRACE).reason == "past_due"
    later = T0 + MONTH + GRACE + PAST_DUE
    assert entitlement(s.state, VIEWER, content, later).reason == "canceled"


def test_paying_during_grace_keeps_the_periods_back_to_back() -> None:
    s, content = subscribed()
    s.ok(ReceiveLedgerClose(), at=T0 + MONTH + 10)
    events = s.pay(VIEWER, 1000, at=T0 + MONTH + DAY)
    assert of_type(events, SendProviderRevenue)[0].amount == 1000
    sub = subscription_of(s.state, VIEWER, "basic")
    assert (sub.status, sub.paid_until) == ("active", T0 + 2 * MONTH)
    assert entitlement(s.state, VIEWER, content, T0 + MONTH + DAY).reason == ("active_subscription")


def test_paying_when_past_due_restarts_the_period_at_payment_time() -> None:
    s, _content = subscribed()
    s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    late = T0 + MONTH + GRACE + 100
    s.ok(ReceiveLedgerClose(), at=late)
    s.pay(VIEWER, 1000, at=late + 50)
    sub = subscription_of(s.state, VIEWER, "basic")
    assert (sub.status, sub.paid_until) == ("active", late + 50 + MONTH)


def test_renewal_keeps_the_bought_price_when_the_plan_gets_dearer() -> None:
    s, _ = subscribed(credit=5000)
    s.ok(ActionUpdateTerms(PROVIDER_A, "basic", 3000, 2 * MONTH))
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert of_type(events, SendProviderRevenue)[0].amount == 1000
    assert subscription_of(s.state, VIEWER, "basic").paid_until == T0 + 2 * MONTH  # own period


def test_renewal_charges_the_new_price_when_the_plan_gets_cheaper() -> None:
    s, _ = subscribed(credit=5000)
    s.ok(ActionUpdateTerms(PROVIDER_A, "basic", 400, MONTH))
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert of_type(events, SendProviderRevenue)[0].amount == 400
    assert credit_of(s.state, VIEWER, NATIVE) == 5000 - 1000 - 400


def test_cancel_takes_effect_at_period_end_without_refund() -> None:
    s, content = subscribed(credit=3000)
    events = s.ok(ActionCancel(VIEWER, "basic"), at=T0 + DAY)
    assert not of_type(events, SendRefund)
    assert entitlement(s.state, VIEWER, content, T0 + MONTH - 1).allowed
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert not of_type(events, SendProviderRevenue)  # no renewal
    assert credit_of(s.state, VIEWER, NATIVE) == 2000
    assert entitlement(s.state, VIEWER, content, T0 + MONTH).reason == "canceled"
    again = s.apply(ActionCancel(VIEWER, "basic"), at=T0 + MONTH)
    assert again == (EventRejected("ActionCancel", "already_canceled", ""),)


def test_cancel_during_grace_ends_at_once_and_drops_the_charge() -> None:
    s, content = subscribed()
    s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    s.ok(ActionCancel(VIEWER, "basic"), at=T0 + MONTH + 1)
    assert entitlement(s.state, VIEWER, content, T0 + MONTH + 2).reason == "canceled"
    s.pay(VIEWER, 1000, at=T0 + MONTH + 3)
    assert credit_of(s.state, VIEWER, NATIVE) == 1000  # kept as credit, not charged


def test_a_canceled_subscriber_can_subscribe_again_at_current_terms() -> None:
    s, _content = subscribed()
    s.ok(ActionCancel(VIEWER, "basic"))
    s.ok(ActionUpdateTerms(PROVIDER_A, "basic", 700, MONTH))
    s.pay(VIEWER, 700, at=T0 + MONTH + 1)
    s.ok(ActionSubscribe(VIEWER, "basic"), at=T0 + MONTH + 1)
    sub = subscription_of(s.state, VIEWER, "basic")
    assert (sub.terms.price, sub.paid_until) == (700, T0 + 2 * MONTH + 1)


def test_retired_plan_sells_no_more_and_ends_at_period_end() -> None:
    s, content = subscribed(credit=2000)
    s.ok(ActionRetireOffering(PROVIDER_A, "basic"))
    assert s.apply(ActionSubscribe(VIEWER, "basic"))[0].code == "offering_retired"
    events = s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    assert [e.reason for e in of_type(events, EventStatusChanged)] == ["offering_retired"]
    assert not entitlement(s.state, VIEWER, content, T0 + MONTH).allowed


def test_delisted_content_or_channel_is_not_entitled() -> None:
    s, content = subscribed()
    s.ok(ActionRegisterContent(PROVIDER_A, infohash(2), "news"))
    s.ok(ReceiveContentDelisted(content))
    assert entitlement(s.state, VIEWER, content, T0 + 1).reason == "content_delisted"
    assert entitlement(s.state, VIEWER, infohash(2), T0 + 1).allowed
    s.ok(ReceiveContentDelisted("news"))
    assert entitlement(s.state, VIEWER, infohash(2), T0 + 1).reason == "content_delisted"


def test_plan_covers_only_its_channels_and_its_provider() -> None:
    s = Scenario()
    s.ok(ActionRegisterChannel(PROVIDER_A, "sports"))
    s.ok(ActionRegisterChannel(PROVIDER_A, "movies"))
    s.ok(ActionRegisterContent(PROVIDER_A, infohash(1), "sports"))
    s.ok(ActionRegisterContent(PROVIDER_A, infohash(2), "movies"))
    s.ok(ActionRegisterContent(PROVIDER_A, infohash(3)))
    other = s.provider_with_content(PROVIDER_B, "b-news", 4)
    s.ok(ActionCreatePlan(PROVIDER_A, "sports-only", 100, MONTH, NATIVE, ("sports",)))
    s.pay(VIEWER, 100)
    s.ok(ActionSubscribe(VIEWER, "sports-only"))
    allowed = {c: entitlement(s.state, VIEWER, infohash(c), T0).allowed for c in (1, 2, 3)}
    assert allowed == {1: True, 2: False, 3: False}
    assert entitlement(s.state, VIEWER, other, T0).reason == "no_subscription"
    assert entitlement(s.state, VIEWER, "f" * 40, T0).reason == "unknown_content"


def test_unused_credit_can_be_withdrawn_but_not_overdrawn() -> None:
    s = Scenario()
    s.pay(VIEWER, 800)
    events = s.ok(ActionWithdrawCredit(VIEWER, NATIVE, 300))
    assert of_type(events, SendRefund)[0].amount == 300
    assert credit_of(s.state, VIEWER, NATIVE) == 500
    assert s.apply(ActionWithdrawCredit(VIEWER, NATIVE, 501))[0].code == "insufficient_credit"


def test_a_gap_within_grace_renews_each_missed_period_back_to_back() -> None:
    s = Scenario()
    s.provider_with_content(PROVIDER_A, "news", 1)
    s.ok(ActionCreatePlan(PROVIDER_A, "daily", 100, DAY, NATIVE))
    s.pay(VIEWER, 1000)
    s.ok(ActionSubscribe(VIEWER, "daily"))
    events = s.ok(ReceiveLedgerClose(), at=T0 + 2 * DAY + DAY // 2)
    assert [e.amount for e in of_type(events, SendProviderRevenue)] == [100, 100]
    assert subscription_of(s.state, VIEWER, "daily").paid_until == T0 + 3 * DAY


def test_a_gap_longer_than_grace_charges_once_and_restarts_at_that_time() -> None:
    s, _ = subscribed(credit=10_000)
    late = T0 + 3 * MONTH + 1
    events = s.ok(ReceiveLedgerClose(), at=late)
    assert len(of_type(events, SendProviderRevenue)) == 1
    assert subscription_of(s.state, VIEWER, "basic").paid_until == late + MONTH
    assert credit_of(s.state, VIEWER, NATIVE) == 8000


def test_payout_references_stay_unique_when_a_viewer_subscribes_again() -> None:
    s, _ = subscribed()
    first = of_type(s.events, SendProviderRevenue)[0].reference
    s.ok(ActionCancel(VIEWER, "basic"))
    s.pay(VIEWER, 1000, at=T0 + MONTH)
    s.ok(ReceiveLedgerClose(), at=T0 + MONTH)
    events = s.ok(ActionSubscribe(VIEWER, "basic"), at=T0 + MONTH)
    assert of_type(events, SendProviderRevenue)[0].reference != first
