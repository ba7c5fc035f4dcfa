"""Every invalid action is refused with a stable code and leaves the state untouched."""

from __future__ import annotations

import pytest
from subs_factory import MONTH, PROVIDER_A, PROVIDER_B, T0, VIEWER, Scenario, infohash

from contracts.canonical import state_hash
from contracts.common import ReceiveContentDelisted
from contracts.core import NATIVE, Action, Asset, EventRejected
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
    ReceivePayment,
    ReceiveVerifiedViewing,
)

CONTENT = infohash(1)
BAD_ISSUER = Asset("USD", "GNOTANACCOUNT")


def market() -> Scenario:
    s = Scenario()
    s.provider_with_content(PROVIDER_A, "news", 1, plan="basic")
    s.provider_with_content(PROVIDER_B, "sport", 2, plan="b-plan")
    s.ok(ActionRegisterContent(PROVIDER_A, infohash(3)))
    s.ok(ReceiveContentDelisted(infohash(3)))
    s.pay(VIEWER, 5000)
    s.ok(ActionSubscribe(VIEWER, "basic"))
    return s


class Unknown(Action):
    __slots__ = ()


CASES = [
    (ActionRegisterChannel("GABC", "x"), "invalid_account"),
    (ActionRegisterChannel(PROVIDER_A, "bad channel"), "invalid_channel"),
    (ActionRegisterChannel(PROVIDER_B, "news"), "channel_exists"),
    (ActionRegisterContent(PROVIDER_A, "XYZ", ""), "invalid_content"),
    (ActionRegisterContent(PROVIDER_A, "AB" * 20, ""), "invalid_content"),
    (ActionRegisterContent(PROVIDER_A, CONTENT, ""), "content_exists"),
    (ActionRegisterContent(PROVIDER_A, infohash(9), "nope"), "unknown_channel"),
    (ActionRegisterContent(PROVIDER_A, infohash(9), "sport"), "not_channel_owner"),
    (ActionCreatePlan(PROVIDER_A, "basic", 10, MONTH, NATIVE), "offering_exists"),
    (ActionCreatePlan(PROVIDER_A, "p", 0, MONTH, NATIVE), "invalid_price"),
    (ActionCreatePlan(PROVIDER_A, "p", 2**63, MONTH, NATIVE), "invalid_price"),
    (ActionCreatePlan(PROVIDER_A, "p", True, MONTH, NATIVE), "invalid_price"),
    (ActionCreatePlan(PROVIDER_A, "p", 10, 59, NATIVE), "invalid_period"),
    (ActionCreatePlan(PROVIDER_A, "p", 10, MONTH, BAD_ISSUER), "invalid_asset"),
    (ActionCreatePlan(PROVIDER_A, "p", 10, MONTH, NATIVE, ("sport",)), "not_channel_owner"),
    (ActionCreatePlan(PROVIDER_A, "p", 10, MONTH, NATIVE, ("news", "news")), "invalid_channels"),
    (ActionCreatePlan(PROVIDER_A, "", 10, MONTH, NATIVE), "invalid_offering_id"),
    (
        ActionCreateBundle(PROVIDER_A, "bb", ("basic", "b-plan"), 10, MONTH, NATIVE, MONTH + 1),
        "invalid_engagement_cap",
    ),
    (ActionUpdateTerms(PROVIDER_B, "basic", 10, MONTH), "not_offering_owner"),
    (ActionUpdateTerms(PROVIDER_A, "nope", 10, MONTH), "unknown_offering"),
    (ActionUpdateTerms(PROVIDER_A, "basic", -5, MONTH), "invalid_price"),
    (ActionRetireOffering(PROVIDER_B, "basic"), "not_offering_owner"),
    (ReceiveContentDelisted("f" * 40), "unknown_content"),
    (ReceiveContentDelisted(infohash(3)), "already_delisted"),
    (ReceivePayment(VIEWER, NATIVE, 10, "pay-1"), "duplicate_payment"),
    (ReceivePayment(VIEWER, NATIVE, 0, "new"), "invalid_amount"),
    (ReceivePayment(VIEWER, NATIVE, 10, ""), "invalid_reference"),
    (ReceivePayment("nobody", NATIVE, 10, "new"), "invalid_account"),
    (ReceivePayment(VIEWER, "XLM", 10, "new"), "invalid_asset"),  # type: ignore[arg-type]
    (ActionSubscribe(VIEWER, "basic"), "already_subscribed"),
    (ActionSubscribe(VIEWER, "nope"), "unknown_offering"),
    (ActionSubscribe(PROVIDER_B, "b-plan"), "insufficient_credit"),
    (ActionCancel(VIEWER, "b-plan"), "not_subscribed"),
    (ActionWithdrawCredit(VIEWER, NATIVE, 10**9), "insufficient_credit"),
    (ActionWithdrawCredit(VIEWER, NATIVE, -1), "invalid_amount"),
    (ReceiveVerifiedViewing(-1, VIEWER, CONTENT, 10), "invalid_epoch"),
    (ReceiveVerifiedViewing(1, VIEWER, CONTENT, 0), "invalid_seconds"),
    (ReceiveVerifiedViewing(1, VIEWER, "f" * 40, 10), "unknown_content"),
    (ReceiveVerifiedViewing(1, VIEWER, infohash(3), 10), "content_delisted"),
    (ReceiveVerifiedViewing(1, "G" * 56, CONTENT, 10), "invalid_account"),
    (Unknown(), "unknown_action"),
]


@pytest.mark.parametrize(
    ("action", "code"), [pytest.param(a, c, id=f"{i}-{c}") for i, (a, c) in enumerate(CASES)]
)
def test_invalid_action_is_rejected_without_change(action: Action, code: str) -> None:
    s = market()
    before = state_hash(s.state)
    events = s.apply(action, at=T0 + 100)
    assert len(events) == 1
    assert isinstance(events[0], EventRejected)
    assert (events[0].action, events[0].code) == (type(action).__name__, code)
    assert state_hash(s.state) == before
