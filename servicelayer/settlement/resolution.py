"""What became of a slot's envelopes: ask the ledger, in an order that cannot lie.

The channel's sequence number is read FIRST, then each hash is looked up. If none of
the envelopes is on the ledger and the sequence has already passed their slot, none of
them can ever apply (a sequence number never goes back): the slot is dead. If the slot
is still ahead, the same envelope may be submitted again: it can apply at most once.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from servicelayer.settlement.records import Envelope
from servicelayer.settlement.submitter import Horizon, LedgerTx

FALLBACK_CODES = frozenset(
    {"op_no_trust", "op_no_destination", "op_not_authorized", "op_line_full"}
)
"""Payment failures a claimable balance avoids: the payee can claim once able to hold it."""


class Verdict(StrEnum):
    APPLIED = "applied"
    FAILED = "failed"
    DEAD = "dead"
    PENDING = "pending"  # not on the ledger, slot still ahead: may be submitted again


@dataclass(frozen=True, slots=True)
class Resolution:
    verdict: Verdict
    channel_sequence: int
    envelope: Envelope | None = None
    found: LedgerTx | None = None


def resolve(horizon: Horizon, envelopes: Sequence[Envelope]) -> Resolution:
    """The fate of envelopes sharing one (channel, sequence) slot."""
    channel = envelopes[0].channel
    slot = envelopes[0].sequence
    current = horizon.sequence(channel)  # first: what the ledger has consumed so far
    if current is None:
        current = 0
    for envelope in envelopes:
        found = horizon.transaction(envelope.hash)
        if found is not None:
            verdict = Verdict.APPLIED if found.successful else Verdict.FAILED
            return Resolution(verdict, current, envelope, found)
    if current >= slot:
        return Resolution(Verdict.DEAD, current)
    return Resolution(Verdict.PENDING, current)


def fallback_offsets(op_codes: Sequence[str]) -> frozenset[int] | None:
    """Offsets of operations to redo as claimable balances, or None if some other
    operation failure makes the chunk fail (e.g. the treasury is underfunded)."""
    offsets = set()
    for offset, code in enumerate(op_codes):
        if code in FALLBACK_CODES:
            offsets.add(offset)
        elif code != "op_success":
            return None
    return frozenset(offsets) or None
