"""Verdicts, reason codes and the rule findings they are composed from."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from servicelayer.verification.codes import ReasonCode, Verdict
from servicelayer.verification.model import ClaimKind
from servicelayer.verification.reputation import ProbeOutcome, Reputation
from servicelayer.verification.tolerances import PPM


@dataclass(frozen=True, order=True)
class Finding:
    """One rule's judgement of one receipt: the weight it allows and why."""

    receipt_id: str
    code: ReasonCode
    weight_ppm: int
    evidence: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReceiptVerdict:
    """``weight_ppm`` is what counts in this epoch; a ``deferred`` verdict counts nothing
    now and holds ``held_ppm``, the most it can get when a later epoch releases it."""

    receipt_id: str
    kind: ClaimKind
    verdict: Verdict
    weight_ppm: int
    reasons: tuple[ReasonCode, ...]
    evidence: tuple[str, ...]
    held_ppm: int = 0


@dataclass(frozen=True)
class Resolution:
    """A later epoch's judgement of a claim deferred in ``deferred_epoch`` (rules/deferred.py):
    released (``accepted`` or ``down_weighted``, counted in the resolving epoch) or
    ``rejected``. ``reasons`` are the resolution's own; the deferral's stay on its verdict."""

    receipt_id: str
    deferred_epoch: int
    verdict: Verdict
    weight_ppm: int
    reasons: tuple[ReasonCode, ...]
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class EpochVerification:
    """The epoch's verdicts (sorted by receipt id), probe outcomes and new reputations."""

    epoch: int
    verdicts: tuple[ReceiptVerdict, ...]
    outcomes: tuple[ProbeOutcome, ...]
    reputations: tuple[Reputation, ...]
    resolutions: tuple[Resolution, ...] = ()  # of earlier epochs' deferred claims

    def weights(self) -> dict[str, int]:
        return {v.receipt_id: v.weight_ppm for v in self.verdicts}

    def by_id(self) -> dict[str, ReceiptVerdict]:
        return {v.receipt_id: v for v in self.verdicts}


REPUTATION_CODES = frozenset({ReasonCode.UNVETTED_ACCOUNT, ReasonCode.LOW_REPUTATION})
"""Findings that only the uploader's reputation decides: a later epoch re-judges them."""


def compose(receipt_id: str, kind: ClaimKind, findings: Sequence[Finding]) -> ReceiptVerdict:
    """The verdict is the strictest finding: weight = min over the rules, reasons sorted.

    A claim held for its uploader's vetting (``unvetted_account``) that no other rule rejects is
    ``deferred``: weight 0 now, ``held_ppm`` = the least weight of the rules that do not
    depend on reputation (a later epoch applies the reputation it has then)."""
    if not findings:
        return ReceiptVerdict(receipt_id, kind, Verdict.ACCEPTED, PPM, (), ())
    ordered = sorted(f for f in findings if f.weight_ppm < PPM)
    weight = min((f.weight_ppm for f in ordered), default=PPM)
    weight = max(0, min(PPM, weight))
    others = [f.weight_ppm for f in ordered if f.code != ReasonCode.UNVETTED_ACCOUNT]
    if len(others) < len(ordered) and min(others, default=PPM) > 0:
        held = min((f.weight_ppm for f in ordered if f.code not in REPUTATION_CODES), default=PPM)
        reasons = tuple(sorted({f.code for f in ordered}))
        evidence = tuple(sorted({ref for f in ordered for ref in f.evidence}))
        return ReceiptVerdict(receipt_id, kind, Verdict.DEFERRED, 0, reasons, evidence, held)
    if not ordered:
        verdict = Verdict.ACCEPTED
    elif weight == 0:
        verdict = Verdict.REJECTED
    else:
        verdict = Verdict.DOWN_WEIGHTED
    reasons = tuple(sorted({f.code for f in ordered}))
    evidence = tuple(sorted({ref for f in ordered for ref in f.evidence}))
    return ReceiptVerdict(receipt_id, kind, verdict, weight, reasons, evidence)


def ratio_ppm(numerator: int, denominator: int) -> int:
    """``numerator / denominator`` in ppm, floored and clamped to 0..PPM."""
    if denominator <= 0:
        return PPM
    return max(0, min(PPM, numerator * PPM // denominator))


def water_fill(amounts: Iterable[tuple[str, int]], budget: int) -> dict[str, int]:
    """Weights that cut the largest claims first so they sum to at most ``budget``.

    Claims at or below the fill level keep full weight; larger ones are cut to the
    level. Honest small claims of a downloader that inflated one big claim survive.
    Returns ppm weights only for the claims that are cut.
    """
    items = sorted(amounts, key=lambda item: (item[1], item[0]))
    remaining = max(0, budget)
    level: int | None = None
    for index, (_, amount) in enumerate(items):
        left = len(items) - index
        if amount * left <= remaining:
            remaining -= amount
            continue
        level = remaining // left
        break
    if level is None:
        return {}
    return {rid: ratio_ppm(level, amount) for rid, amount in items if amount > level}
