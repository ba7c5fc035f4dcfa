"""Carrying out the recorded mint and lock transactions: persist, then submit.

A row's envelope and hash are committed before the envelope is submitted, and the
ledger is asked for that hash before anything is submitted again
(``servicelayer.dao.once``), so a mint is never paid twice, and never lost.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contracts.issuance import IssuedAsset
from servicelayer.issuance.ledger import IssuerAccounts, IssuerOp
from servicelayer.ledger.envelope import SignedTx
from servicelayer.ledger.once import SubmissionFailed, SubmissionPending, submit_once
from servicelayer.storage.db import Database
from servicelayer.storage.issuance_models import IssuanceSubmission

PLANNED = "planned"
SUBMITTED = "submitted"
APPLIED = "applied"


@dataclass(frozen=True, slots=True)
class _Row:
    seq: int
    op: IssuerOp
    sequence: int | None
    tx_hash: str | None
    envelope: str | None


def unfinished_counts(session: Session) -> dict[str, int]:
    """Per asset code, how many recorded transactions the ledger has not applied yet."""
    rows = session.execute(
        select(IssuanceSubmission.code, func.count())
        .where(IssuanceSubmission.status != APPLIED)
        .group_by(IssuanceSubmission.code)
    )
    return {str(code): int(count) for code, count in rows}


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
        stored = None
        if row.tx_hash and row.envelope and row.sequence is not None:
            stored = SignedTx(row.tx_hash, row.envelope, row.sequence)
        try:
            submit_once(
                self.accounts.horizon,
                asset.asset.issuer,
                stored,
                lambda: self.accounts.issuer_tx(asset, row.op, row.seq),
                lambda built: self._persist(row.seq, built),
                f"action #{row.seq}",
            )
        except SubmissionPending as exc:
            self._mark(row.seq, SUBMITTED, exc.detail[:255])
            raise
        except SubmissionFailed as exc:
            self._mark(row.seq, PLANNED, exc.detail[:255], clear=True)
            raise SubmissionFailed(exc.detail, code="issuance_tx_failed") from None
        self._mark(row.seq, APPLIED, "")

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

    def _persist(self, seq: int, built: SignedTx) -> None:
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
