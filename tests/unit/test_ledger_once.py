"""Exactly once: what became of an envelope is read in an order that cannot lie."""

from __future__ import annotations

from servicelayer.ledger.horizon import LedgerTx
from servicelayer.ledger.once import Verdict, fate


class RacingLedger:
    """The envelope (slot 6 of a source at sequence 5) applies right after the first
    question reaches the ledger: a lost submission answer, then the lookup."""

    def __init__(self) -> None:
        self.questions = 0

    def _applied(self) -> bool:
        self.questions += 1
        return self.questions > 1

    def sequence(self, account: str) -> int:
        return 6 if self._applied() else 5

    def transaction(self, tx_hash: str) -> LedgerTx | None:
        return LedgerTx(tx_hash, True, 9, ("op_success",)) if self._applied() else None


def test_an_envelope_applied_between_the_two_lookups_is_not_taken_for_dead() -> None:
    known = fate(RacingLedger(), "GSOURCE", 6, ["ab"])  # type: ignore[arg-type]
    # hash first, it would read "not found", then "sequence 6 >= slot 6": dead, and the
    # caller would build a new envelope that pays a second time
    assert (known.verdict, known.index) == (Verdict.APPLIED, 0)
