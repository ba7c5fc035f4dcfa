"""Carrying out the recorded mint and lock transactions: persist, then submit.

A row's envelope and hash are committed before the envelope is submitted. A row with a
hash is first looked up on the ledger: applied -> done; unknown and still applicable
(the issuer's sequence has not passed it) -> the same envelope again; unknown and no
longer applicable -> a new envelope. So a mint is never paid twice, and never lost.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from sqlalchemy import select

from contracts.issuance import IssuedAsset
from servicelayer.errors import Conflict, LedgerUnavailable
from servicelayer.issuance.ledger import Built, IssuerAccounts, IssuerOp
from servicelayer.storage.db import Database
from servicelayer.storage.issuance_models import IssuanceSubmission

PLANNED = "planned"
SUBMITTED = "submitted"
APPLIED = "applied"


class SubmissionPending(LedgerUnavailable):
    """The ledger's answer was lost; whether the transaction applied is not known yet."""

    code = "submission_pending"


class SubmissionFailed(Conflict):
    """The ledger refused the transaction (nothing was applied)."""

    code = "issuance_tx_failed"


@dataclass(frozen=True, slots=True)
class _Row:
    seq: int
    op: IssuerOp
    sequence: int | None
    tx_hash: str | None
    envelope: str | None


class Submissions:
    def __init__(self, db: Database, accounts: IssuerAccounts) -> None:
        self.db = db
        self.accounts = accounts

    def carry_out(self, asset: IssuedAsset) -> list[int]:
        """Every unfinished transaction of ``asset``, in journal order; returns the seqs
        applied now. Raises on the first that does not apply (later ones wait)."""
        done = []
        for row in self._unfinished(asset.asset.code):
            self._one(asset, row)
            done.append(row.seq)
        return done

    def _one(self, asset: IssuedAsset, row: _Row) -> None:
        if row.tx_hash is not None:
            found = self.accounts.horizon.transaction(row.tx_hash)
            if found is not None and found.successful:
                self._mark(row.seq, APPLIED, "")
                return
            if found is None and row.envelope is not None and self._applicable(asset, row):
                self._submit(row.seq, row.envelope, row.tx_hash)
                return
        built = self.accounts.issuer_tx(asset, row.op, row.seq)
        self._persist(row.seq, built)
        self._submit(row.seq, built.xdr, built.hash)

    def _applicable(self, asset: IssuedAsset, row: _Row) -> bool:
        current = self.accounts.horizon.sequence(asset.asset.issuer)
        return current is not None and row.sequence is not None and current < row.sequence

    def _submit(self, seq: int, envelope: str, tx_hash: str) -> None:
        outcome = self.accounts.horizon.submit(envelope)
        if outcome.ok is False:  # e.g. tx_bad_seq because this very envelope applied
            found = self.accounts.horizon.transaction(tx_hash)
            if found is not None and found.successful:
                outcome = replace(outcome, ok=True)
        if outcome.ok:
            self._mark(seq, APPLIED, "")
            return
        if outcome.ok is None:
            self._mark(seq, SUBMITTED, outcome.detail[:255])
            raise SubmissionPending(
                f"no answer from the ledger for action #{seq} ({outcome.detail}); "
                "run the command again: it asks the ledger before resubmitting"
            )
        codes = ", ".join([outcome.tx_code or "", *outcome.op_codes]).strip(", ")
        self._mark(seq, PLANNED, codes[:255], clear=True)
        raise SubmissionFailed(f"the ledger refused action #{seq}: {codes}")

    def _unfinished(self, code: str) -> list[_Row]:
        with self.db.session() as s:
            rows = s.scalars(
                select(IssuanceSubmission)
                .where(IssuanceSubmission.code == code, IssuanceSubmission.status != APPLIED)
                .order_by(IssuanceSubmission.action_seq)
            )
            return [
                _Row(
                    r.action_seq,
                    IssuerOp(r.kind, r.destination, r.amount),
                    r.sequence,
                    r.tx_hash,
                    r.envelope,
                )
                for r in rows
            ]

    def _persist(self, seq: int, built: Built) -> None:
        with self.db.session(write=True) as s:
            row = s.get(IssuanceSubmission, seq)
            assert row is not None
            row.tx_hash, row.envelope, row.sequence = built.hash, built.xdr, built.sequence
            row.status = SUBMITTED

    def _mark(self, seq: int, status: str, detail: str, *, clear: bool = False) -> None:
        with self.db.session(write=True) as s:
            row = s.get(IssuanceSubmission, seq)
            assert row is not None
            row.status, row.detail = status, detail
            if clear:
                row.tx_hash = row.envelope = row.sequence = None
