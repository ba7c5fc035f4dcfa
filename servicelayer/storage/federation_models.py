"""Tables of the federation: what this validator signed, and what the others answered.

- ``federation_signed``: every DAO transaction this validator signed for a leader, under
  the key of what it settles (``anchor:<epoch>``, ``chunk:<plan>:<index>``), with the
  (source, sequence) slot it uses. A second transaction for the same key is signed only
  once the ledger says no earlier one can apply (docs/federation.md, exactly once).
- ``federation_votes``: as leader, each member's answer to each request: signed,
  refused (with the member's code and reason) or unreachable.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelayer.storage.models import Base


class SignedByUs(Base):
    __tablename__ = "federation_signed"

    key: Mapped[str] = mapped_column(String(160), primary_key=True)
    tx_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger, index=True)
    leader: Mapped[str] = mapped_column(String(56))
    source: Mapped[str] = mapped_column(String(56))
    sequence: Mapped[int] = mapped_column(BigInteger)
    max_ledger: Mapped[int | None] = mapped_column(BigInteger)  # its ledger bound, if any
    signed_at: Mapped[int] = mapped_column(BigInteger)


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
