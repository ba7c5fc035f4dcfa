"""The contract journal: every action with its events and resulting state hash; snapshots."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelayer.storage.models import Base


class JournalEntry(Base):
    """One action applied to one contract, in order (``seq`` counts per contract from 1)."""

    __tablename__ = "contract_journal"
    __table_args__ = (Index("ix_contract_journal_epoch", "epoch", "contract", "seq"),)

    contract: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger)
    close_time: Mapped[int] = mapped_column(BigInteger)
    seed: Mapped[bytes] = mapped_column(LargeBinary(64))
    action: Mapped[str] = mapped_column(Text)  # canonical JSON (contracts.canonical)
    events: Mapped[str] = mapped_column(Text)  # canonical JSON of the events tuple
    state_hash: Mapped[str] = mapped_column(String(64))


class Snapshot(Base):
    """A contract's state after journal entry ``seq`` (seq 0: the initial state)."""

    __tablename__ = "contract_snapshots"

    contract: Mapped[str] = mapped_column(String(32), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    state: Mapped[str] = mapped_column(Text)
    state_hash: Mapped[str] = mapped_column(String(64))
