"""Every invalid billing action is refused with a stable code and changes nothing."""

from __future__ import annotations

import pytest
from billing_factory import MOVIE, OTHER_PROVIDER, PROVIDER, VIEWER, priced

from contracts.billing import (
    ActionSetRate,
    ActionWithdraw,
    ReceiveContentDelisted,
    ReceiveDeposit,
    ReceiveViewingMinutes,
)
from contracts.canonical import state_hash
from contracts.core import NATIVE, Action, EventRejected

UNPRICED = "ef" * 20


class Unknown(Action):
    __slots__ = ()


def minutes(*idx: int, session: str = "s1", who: str = VIEWER) -> ReceiveViewingMinutes:
    return ReceiveViewingMinutes(who, MOVIE, session, idx)


CASES = [
    (ActionSetRate("nobody", MOVIE, NATIVE, 1), "invalid_account"),
    (ActionSetRate(PROVIDER, "movie", NATIVE, 1), "invalid_content"),
    (ActionSetRate(PROVIDER, MOVIE, NATIVE, 0), "invalid_rate"),
    (ActionSetRate(PROVIDER, MOVIE, NATIVE, 1.5), "invalid_rate"),
    (ActionSetRate(OTHER_PROVIDER, MOVIE, NATIVE, 1), "not_content_owner"),
    (ReceiveDeposit(VIEWER, NATIVE, 5, "tx" + "1".zfill(62)), "duplicate_deposit"),
    (ReceiveDeposit(VIEWER, NATIVE, -5, "new-tx"), "invalid_amount"),
    (ReceiveDeposit(VIEWER, NATIVE, 5, "has space"), "invalid_reference"),
    (minutes(0), "duplicate_minutes"),
    (minutes(), "invalid_minutes"),
    (minutes(-1), "invalid_minutes"),
    (minutes(*range(1441)), "too_many_minutes"),
    (ReceiveViewingMinutes(VIEWER, MOVIE, "s9", span=(60, 60)), "invalid_span"),
    (ReceiveViewingMinutes(VIEWER, MOVIE, "s9", span=(0, 86_401)), "too_many_minutes"),
    (ReceiveViewingMinutes(VIEWER, MOVIE, "s9", (1,), (0, 5)), "invalid_minutes"),
    (ReceiveViewingMinutes(VIEWER, UNPRICED, "s9", (1,)), "content_not_priced"),
    (minutes(5, who=OTHER_PROVIDER), "session_mismatch"),
    (minutes(5, session=""), "invalid_session"),
    (ActionWithdraw(VIEWER, NATIVE, 10**12), "insufficient_balance"),
    (ReceiveContentDelisted(UNPRICED), "unknown_content"),
    (Unknown(), "unknown_action"),
]


@pytest.mark.parametrize(
    ("action", "code"), [pytest.param(a, c, id=f"{i}-{c}") for i, (a, c) in enumerate(CASES)]
)
def test_invalid_action_is_rejected_without_change(action: Action, code: str) -> None:
    s = priced()
    s.deposit(VIEWER, 1000)
    s.watch((0,))
    before = state_hash(s.state)
    events = s.apply(action)
    assert len(events) == 1 and isinstance(events[0], EventRejected)
    assert (events[0].action, events[0].code) == (type(action).__name__, code)
    assert state_hash(s.state) == before
