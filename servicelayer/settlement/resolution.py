"""What became of a slot's envelopes (``servicelayer.ledger.once.fate``), as the
settlement's lanes read it, and which refused payments a claimable balance can redo."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from servicelayer.ledger.horizon import Horizon, LedgerTx
from servicelayer.ledger.once import Verdict, fate
from servicelayer.settlement.records import Envelope

__all__ = ["FALLBACK_CODES", "Resolution", "Verdict", "fallback_offsets", "resolve"]

FALLBACK_CODES = frozenset(
    {"op_no_trust", "op_no_destination", "op_not_authorized", "op_line_full"}
)
"""Payment failures a claimable balance avoids: the payee can claim once able to hold it."""


@dataclass(frozen=True, slots=True)
class Resolution:
    verdict: Verdict
    channel_sequence: int
    envelope: Envelope | None = None
    found: LedgerTx | None = None


def resolve(horizon: Horizon, envelopes: Sequence[Envelope]) -> Resolution:
    """The fate of envelopes sharing one (channel, sequence) slot."""
    known = fate(horizon, envelopes[0].channel, envelopes[0].sequence, [e.hash for e in envelopes])
    envelope = None if known.index is None else envelopes[known.index]
    return Resolution(known.verdict, known.source_sequence, envelope, known.found)


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
