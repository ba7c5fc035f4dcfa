"""Table of the issuance: every ledger transaction the issuance must carry out.

A row is written in the same database transaction as the contract action that calls for
it (a mint or a lock), before anything is submitted; its envelope and hash are stored
before each submission, so a restart asks the ledger for the hash instead of guessing.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelayer.storage.models import Base


class IssuanceSubmission(Base):
    __tablename__ = "issuance_submissions"

    action_seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)  # journal seq
    code: Mapped[str] = mapped_column(String(12), index=True)
    issuer: Mapped[str] = mapped_column(String(56))
    kind: Mapped[str] = mapped_column(String(8))  # "mint" or "lock"
    destination: Mapped[str] = mapped_column(String(56))
    amount: Mapped[int] = mapped_column(BigInteger)  # stroops; 0 for a lock
    status: Mapped[str] = mapped_column(String(16), index=True)
    sequence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    tx_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    envelope: Mapped[str | None] = mapped_column(Text, nullable=True)
    detail: Mapped[str] = mapped_column(String(255), default="")
