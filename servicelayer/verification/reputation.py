"""Per-account reputation built from probe history, and the weight it earns.

``update_reputation`` is a pure function of (old reputation, this epoch's probe
outcomes). ``reputation_weight`` turns a reputation into the ppm weight that the
account's claims get in windows no probe covered.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from servicelayer.errors import InvalidInput
from servicelayer.verification.codes import ReasonCode
from servicelayer.verification.tolerances import (
    FORGIVEN_FAILS,
    HISTORY_LEN,
    PPM,
    RECENT_FAILS_ZEROING,
    TOLERATED_FAIL_PPM,
    VETTING_PASSES,
    ZERO_WEIGHT_FAIL_PPM,
)


@dataclass(frozen=True, order=True)
class ProbeOutcome:
    """Whether ``account`` passed ``probe_id``; ``code`` says why it failed."""

    account: str
    probe_id: str
    passed: bool
    code: ReasonCode | None = None


@dataclass(frozen=True)
class Reputation:
    """Probe history of one account; ``history`` holds the newest outcomes last."""

    account: str
    first_epoch: int
    last_epoch: int
    passed_total: int = 0
    failed_total: int = 0
    history: tuple[bool, ...] = ()
    recent_failures: int = 0

    def __post_init__(self) -> None:
        if not isinstance(self.account, str) or not self.account:
            raise InvalidInput("Reputation.account must be a non-empty string")
        numbers = (
            self.first_epoch,
            self.last_epoch,
            self.passed_total,
            self.failed_total,
            self.recent_failures,
        )
        if any(isinstance(n, bool) or not isinstance(n, int) or n < 0 for n in numbers):
            raise InvalidInput("Reputation counters must be non-negative integers")
        if self.last_epoch < self.first_epoch or len(self.history) > HISTORY_LEN:
            raise InvalidInput("Reputation epochs or history are inconsistent")


def update_reputation(
    old: Reputation | None, account: str, epoch: int, outcomes: Iterable[ProbeOutcome]
) -> Reputation:
    """The account's reputation after this epoch's probe outcomes (sorted for determinism)."""
    mine = sorted(o for o in outcomes if o.account == account)
    base = old if old is not None else Reputation(account, epoch, epoch)
    results = tuple(o.passed for o in mine)
    passed = sum(1 for r in results if r)
    failed = len(results) - passed
    history = (base.history + results)[-HISTORY_LEN:]
    return Reputation(
        account=account,
        first_epoch=min(base.first_epoch, epoch),
        last_epoch=max(base.last_epoch, epoch),
        passed_total=base.passed_total + passed,
        failed_total=base.failed_total + failed,
        history=history,
        recent_failures=failed,
    )


def update_all(
    old: Iterable[Reputation], epoch: int, outcomes: Iterable[ProbeOutcome]
) -> tuple[Reputation, ...]:
    """Every account's new reputation: those with outcomes updated, the rest carried over."""
    previous = {r.account: r for r in sorted(old, key=lambda r: (r.account, r.last_epoch))}
    grouped: dict[str, list[ProbeOutcome]] = {}
    for outcome in sorted(outcomes):
        grouped.setdefault(outcome.account, []).append(outcome)
    result: list[Reputation] = []
    for account in sorted(set(previous) | set(grouped)):
        mine = grouped.get(account)
        if mine is None:
            result.append(replace(previous[account], recent_failures=0))
        else:
            result.append(update_reputation(previous.get(account), account, epoch, mine))
    return tuple(result)


def is_vetted(rep: Reputation | None) -> bool:
    """Has the account passed enough probes for its unsampled claims to be trusted?"""
    return rep is not None and rep.passed_total >= VETTING_PASSES


def reputation_weight(rep: Reputation | None) -> int:
    """ppm weight that the account's probe failures leave to its unsampled claims.

    Full weight while failures beyond FORGIVEN_FAILS stay within TOLERATED_FAIL_PPM of
    the history (probe misses happen to honest peers), zero from ZERO_WEIGHT_FAIL_PPM on or after
    RECENT_FAILS_ZEROING failures in the latest epoch, linear in between. An account
    without history has weight 1; whether it is vetted is a separate question.
    """
    if rep is None:
        return PPM
    if rep.recent_failures >= RECENT_FAILS_ZEROING:
        return 0
    if not rep.history:
        return PPM
    fails = max(0, sum(1 for r in rep.history if not r) - FORGIVEN_FAILS)
    fail_ppm = fails * PPM // len(rep.history)
    if fail_ppm <= TOLERATED_FAIL_PPM:
        return PPM
    if fail_ppm >= ZERO_WEIGHT_FAIL_PPM:
        return 0
    span = ZERO_WEIGHT_FAIL_PPM - TOLERATED_FAIL_PPM
    return PPM * (ZERO_WEIGHT_FAIL_PPM - fail_ppm) // span
