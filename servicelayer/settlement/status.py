"""The two status axes (as django-polaris keeps them apart).

* Business status, what an operator or payee cares about: a payout (and its chunk and
  plan) is pending, paid, paid as a claimable balance, or failed.
* Submission status of one signed envelope: built, signed, submitted, then applied or
  failed (both consumed the sequence number), or dead (its sequence number was used by
  something else, so it can never apply) or superseded (replaced at the same channel and
  sequence number, so at most one of the two can ever apply).
"""

from __future__ import annotations

from enum import StrEnum

from servicelayer.errors import InvariantViolation


class PayoutStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    PAID_AS_CLAIMABLE_BALANCE = "paid_as_claimable_balance"
    FAILED = "failed"


class PlanStatus(StrEnum):
    PENDING = "pending"
    PAID = "paid"
    FAILED = "failed"


class SubmissionStatus(StrEnum):
    BUILT = "built"
    SIGNED = "signed"
    SUBMITTED = "submitted"
    APPLIED = "applied"
    FAILED = "failed"
    DEAD = "dead"
    SUPERSEDED = "superseded"


S = SubmissionStatus
LIVE = frozenset({S.BUILT, S.SIGNED, S.SUBMITTED})
"""An envelope that may still apply: the ledger must be asked before anything else."""
FINAL = frozenset({S.APPLIED, S.FAILED, S.DEAD})

_NEXT: dict[SubmissionStatus, frozenset[SubmissionStatus]] = {
    S.BUILT: frozenset({S.SIGNED, S.SUPERSEDED, S.DEAD}),
    S.SIGNED: frozenset({S.SUBMITTED, S.APPLIED, S.FAILED, S.DEAD, S.SUPERSEDED}),
    S.SUBMITTED: frozenset({S.SUBMITTED, S.APPLIED, S.FAILED, S.DEAD, S.SUPERSEDED}),
    # A superseded envelope shares its slot with its replacement: if the ledger shows it
    # applied after all, that is the truth, and its slot mates are dead.
    S.SUPERSEDED: frozenset({S.APPLIED, S.FAILED, S.DEAD}),
    S.APPLIED: frozenset(),
    S.FAILED: frozenset(),
    S.DEAD: frozenset(),
}


def can_move(old: SubmissionStatus, new: SubmissionStatus) -> bool:
    return new in _NEXT[old]


def predecessors(new: SubmissionStatus) -> list[SubmissionStatus]:
    """The statuses an envelope may be in to move to ``new``."""
    return [old for old, nexts in _NEXT.items() if new in nexts]


def check_move(old: SubmissionStatus, new: SubmissionStatus) -> None:
    """A bug if a transaction's submission status moves backwards or out of a final state."""
    if not can_move(old, new):
        raise InvariantViolation(f"submission status cannot move from {old} to {new}")


def plan_status(counts: dict[PayoutStatus, int]) -> PlanStatus:
    """Pending while any payout is; paid when every payout is paid one way or the other."""
    if counts.get(PayoutStatus.PENDING, 0):
        return PlanStatus.PENDING
    if counts.get(PayoutStatus.FAILED, 0):
        return PlanStatus.FAILED
    return PlanStatus.PAID
