"""Submission statuses only move forward; a plan's status follows its payouts."""

from __future__ import annotations

import pytest

from servicelayer.errors import InvariantViolation
from servicelayer.settlement.resolution import fallback_offsets
from servicelayer.settlement.status import (
    PayoutStatus,
    PlanStatus,
    SubmissionStatus,
    can_move,
    check_move,
    plan_status,
)

S = SubmissionStatus


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.SIGNED, S.SUBMITTED),
        (S.SUBMITTED, S.APPLIED),
        (S.SUBMITTED, S.FAILED),
        (S.SUBMITTED, S.DEAD),
        (S.SUBMITTED, S.SUPERSEDED),
        (S.SIGNED, S.DEAD),
        (S.SUPERSEDED, S.APPLIED),
        (S.SUPERSEDED, S.DEAD),
    ],
)
def test_allowed_moves(old: SubmissionStatus, new: SubmissionStatus) -> None:
    assert can_move(old, new)
    check_move(old, new)


@pytest.mark.parametrize(
    ("old", "new"),
    [
        (S.APPLIED, S.SUBMITTED),
        (S.APPLIED, S.DEAD),
        (S.DEAD, S.APPLIED),
        (S.FAILED, S.APPLIED),
        (S.SUBMITTED, S.SIGNED),
        (S.SUPERSEDED, S.SUBMITTED),
    ],
)
def test_final_and_backward_moves_are_bugs(old: SubmissionStatus, new: SubmissionStatus) -> None:
    assert not can_move(old, new)
    with pytest.raises(InvariantViolation):
        check_move(old, new)


def test_plan_status_follows_the_payouts() -> None:
    P = PayoutStatus
    assert plan_status({P.PAID: 3, P.PENDING: 1}) == PlanStatus.PENDING
    assert plan_status({P.PAID: 3, P.PAID_AS_CLAIMABLE_BALANCE: 2}) == PlanStatus.PAID
    assert plan_status({P.PAID: 3, P.FAILED: 1}) == PlanStatus.FAILED


def test_only_payees_unable_to_hold_the_asset_fall_back_to_claimable_balances() -> None:
    assert fallback_offsets(["op_success", "op_no_trust", "op_no_destination"]) == {1, 2}
    assert fallback_offsets(["op_not_authorized", "op_line_full"]) == {0, 1}
    assert fallback_offsets(["op_success", "op_underfunded"]) is None
    assert fallback_offsets(["op_no_trust", "op_underfunded"]) is None
    assert fallback_offsets(["op_success"]) is None
