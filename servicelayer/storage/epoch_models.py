"""Epoch records: how far each epoch has got through the pipeline."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelayer.storage.models import Base


class EpochRecord(Base):
    __tablename__ = "epochs"

    number: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # the last step completed
    receipts: Mapped[int] = mapped_column(Integer, default=0)
    root: Mapped[str | None] = mapped_column(String(64))  # hex Merkle root
    anchor_tx: Mapped[str | None] = mapped_column(String(64))
    settlement_plan: Mapped[str | None] = mapped_column(String(64))
    payouts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    anchor_sequence: Mapped[int | None] = mapped_column(BigInteger)
    anchor_envelope: Mapped[str | None] = mapped_column(Text)  # persisted before submission
    anchor_ledger: Mapped[int | None] = mapped_column(BigInteger)
    leased_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class EpochPayout(Base):
    """One payout an epoch's contracts computed; the epoch's settlement plan pays them,
    as ``epoch-<epoch>-<position>``. ``reference`` is the contract's own."""

    __tablename__ = "epoch_payouts"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # reward, revenue, refund, mint
    reference: Mapped[str] = mapped_column(Text)
    account: Mapped[str] = mapped_column(String(56), index=True)
    asset: Mapped[str] = mapped_column(String(69))  # "native" or "CODE:ISSUER"
    amount: Mapped[int] = mapped_column(BigInteger)  # stroops
    source: Mapped[str | None] = mapped_column(String(56), nullable=True)  # None: the treasury


class EpochMark(Base):
    """The last journal entry of each contract whose effects an epoch's accounting took."""

    __tablename__ = "epoch_marks"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    contract: Mapped[str] = mapped_column(String(32), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger)
