"""Submitting one DAO transaction exactly once: persist, then submit; ask the ledger first.

The caller persists the signed envelope (``persist``) before it is submitted. On a later
call with that envelope (``stored``) the ledger is asked for its hash first: applied ->
done; unknown and still applicable (the source's sequence has not passed it) -> the same
envelope again; unknown and no longer applicable, or failed -> a new envelope. So the
transaction applies at most once, and is never lost.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from servicelayer.errors import Conflict, LedgerUnavailable
from servicelayer.ledger.envelope import SignedTx
from servicelayer.settlement.submitter import Horizon


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
    """Apply the transaction; returns the ledger that applied it.

    Raises ``SubmissionPending`` (ask again later) or ``SubmissionFailed`` (the caller
    forgets the envelope: the next call builds a new one)."""
    if stored is not None:
        found = horizon.transaction(stored.hash)
        if found is not None and found.successful:
            return found.ledger
        current = horizon.sequence(source)
        if found is not None or current is None or current >= stored.sequence:
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
    codes = ", ".join([outcome.tx_code or "", *outcome.op_codes]).strip(", ")
    raise SubmissionFailed(f"the ledger refused {what}: {codes}", code=outcome.tx_code or "")
