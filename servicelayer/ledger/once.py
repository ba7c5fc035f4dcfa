"""Submitting a transaction exactly once: persist, then submit; ask the ledger first.

Every transaction the node signs (a settlement chunk, an epoch's anchor, a DAO or
issuance transaction) is persisted before it is submitted. When its fate is unknown (no
answer, a crash between signing and the answer) the ledger is asked, in an order that
cannot lie (``fate``): the source account's sequence number FIRST, then each envelope's
hash. If none of the envelopes is on the ledger and the sequence has already passed
their slot, none of them can ever apply (a sequence number never goes back): the slot is
dead and a new transaction may be built. If the slot is still ahead, the same envelope
may be submitted again: it can apply at most once. (Read the other way round, a
transaction that applies between the two reads looks dead, and a second one would pay
again.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from enum import StrEnum

from servicelayer.errors import Conflict, LedgerUnavailable
from servicelayer.ledger.envelope import SignedTx
from servicelayer.ledger.horizon import Horizon, LedgerTx


class Verdict(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"
    DEAD = "dead"
    PENDING = "pending"  # not on the ledger, slot still ahead: may be submitted again


@dataclass(frozen=True, slots=True)
class Fate:
    """What became of the envelopes that share one (source, sequence) slot."""

    verdict: Verdict
    source_sequence: int  # the source's sequence number, read before the lookups
    index: int | None = None  # which of the envelopes the ledger applied (or failed)
    found: LedgerTx | None = None


def fate(horizon: Horizon, source: str, slot: int, hashes: Sequence[str]) -> Fate:
    """The fate of the envelopes ``hashes``, all using sequence number ``slot`` of
    ``source``."""
    current = horizon.sequence(source) or 0  # first: what the ledger has consumed so far
    for index, tx_hash in enumerate(hashes):
        found = horizon.transaction(tx_hash)
        if found is not None:
            verdict = Verdict.APPLIED if found.successful else Verdict.FAILED
            return Fate(verdict, current, index, found)
    return Fate(Verdict.DEAD if current >= slot else Verdict.PENDING, current)


class SubmissionPending(LedgerUnavailable):
    """The ledger's answer was lost; whether the transaction applied is not known yet."""

    code = "submission_pending"


class SubmissionFailed(Conflict):
    """The ledger refused the transaction (nothing was applied)."""

    code = "tx_failed"


def submit_once(
    horizon: Horizon,
    source: str,
    stored: SignedTx | None,
    build: Callable[[], SignedTx],
    persist: Callable[[SignedTx], None],
    what: str,
) -> int:
    """Apply one transaction of ``source``; returns the ledger that applied it.

    ``stored`` is the envelope persisted by an earlier call, if any: applied -> done;
    still applicable -> submitted again; failed or dead -> ``build`` a new one, which is
    ``persist``-ed before it is submitted. Raises ``SubmissionPending`` (ask again later)
    or ``SubmissionFailed`` (the caller forgets the envelope: the next call builds a new
    one)."""
    if stored is not None:
        known = fate(horizon, source, stored.sequence, [stored.hash])
        if known.verdict == Verdict.APPLIED and known.found is not None:
            return known.found.ledger
        if known.verdict != Verdict.PENDING:
            stored = None  # failed, or its sequence slot is gone: it can never apply
    built = stored
    if built is None:
        built = build()
        persist(built)
    outcome = horizon.submit(built.xdr)
    if outcome.ok is False:  # e.g. tx_bad_seq because this very envelope applied
        found = horizon.transaction(built.hash)
        if found is not None and found.successful:
            outcome = replace(outcome, ok=True, ledger=found.ledger)
    if outcome.ok:
        if outcome.ledger is None:
            found = horizon.transaction(built.hash)
            return found.ledger if found is not None else 0
        return outcome.ledger
    if outcome.ok is None:
        raise SubmissionPending(
            f"no answer from the ledger for {what} ({outcome.detail}); run the command again: "
            "it asks the ledger for the transaction's hash before submitting anything"
        )
    raise SubmissionFailed(
        f"the ledger refused {what}: {outcome.codes}", code=outcome.tx_code or ""
    )
