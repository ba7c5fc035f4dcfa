"""Tables of the settlement: plans, their payouts and chunks, and every signed envelope."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelayer.storage.models import Base


class SettlementPlan(Base):
    __tablename__ = "settlement_plans"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    source: Mapped[str] = mapped_column(String(255))
    treasury: Mapped[str] = mapped_column(String(56))
    chunk_size: Mapped[int] = mapped_column(Integer)
    payout_count: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), index=True)


class SettlementPayout(Base):
    """One row of a plan; ``claimable`` once a payment to it failed for lack of a trustline."""

    __tablename__ = "settlement_payouts"
    __table_args__ = (Index("ix_settlement_payouts_chunk", "plan_id", "chunk_index"),)

    plan_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("settlement_plans.id"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)
    chunk_index: Mapped[int] = mapped_column(Integer)
    account: Mapped[str] = mapped_column(String(56), index=True)
    asset: Mapped[str] = mapped_column(String(69))
    amount: Mapped[int] = mapped_column(BigInteger)
    reference: Mapped[str] = mapped_column(String(64))
    claimable: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(32))
    paid_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    source: Mapped[str | None] = mapped_column(String(56), nullable=True)  # None: the treasury


class SettlementChunk(Base):
    __tablename__ = "settlement_chunks"

    plan_id: Mapped[str] = mapped_column(
        String(64), ForeignKey("settlement_plans.id"), primary_key=True
    )
    chunk_index: Mapped[int] = mapped_column(Integer, primary_key=True)
    memo_hash: Mapped[bytes] = mapped_column(LargeBinary(32))
    status: Mapped[str] = mapped_column(String(16))
    detail: Mapped[str | None] = mapped_column(String(255), nullable=True)


class SettlementTransaction(Base):
    """A signed envelope, persisted before it is ever submitted."""

    __tablename__ = "settlement_transactions"
    __table_args__ = (
        Index("ix_settlement_transactions_chunk", "plan_id", "chunk_index"),
        Index("ix_settlement_transactions_slot", "channel", "sequence"),
    )

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    plan_id: Mapped[str] = mapped_column(String(64), ForeignKey("settlement_plans.id"))
    chunk_index: Mapped[int] = mapped_column(Integer)
    attempt: Mapped[int] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(56))
    sequence: Mapped[int] = mapped_column(BigInteger)
    envelope_xdr: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), index=True)
    supersedes: Mapped[str | None] = mapped_column(String(64), nullable=True)
    tx_code: Mapped[str | None] = mapped_column(String(64), nullable=True)
    op_codes: Mapped[str | None] = mapped_column(Text, nullable=True)
    ledger: Mapped[int | None] = mapped_column(Integer, nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
