"""The federation's table: as leader, each member's answer to each request to sign
(``federation_votes``): signed, refused (with the member's code and reason) or
unreachable. ``GET /v1/federation`` shows them."""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelayer.storage.models import Base


class Vote(Base):
    __tablename__ = "federation_votes"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    epoch: Mapped[int] = mapped_column(BigInteger, index=True)
    round: Mapped[int] = mapped_column(Integer)
    what: Mapped[str] = mapped_column(String(160))  # the key of what was to be signed
    tx_hash: Mapped[str] = mapped_column(String(64))
    member: Mapped[str] = mapped_column(String(56))
    outcome: Mapped[str] = mapped_column(String(16))  # signed | refused | unreachable
    code: Mapped[str] = mapped_column(String(40), default="")
    detail: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[int] = mapped_column(BigInteger)
