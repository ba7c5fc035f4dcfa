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
    leased_by: Mapped[str | None] = mapped_column(String(64))
    lease_until: Mapped[int | None] = mapped_column(BigInteger)
    error: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[int] = mapped_column(BigInteger)
