"""The federation's tables: as leader, each member's answer to each request to sign
(``federation_votes``: signed, refused with the member's code and reason, or unreachable;
``GET /v1/federation`` shows them); the sealed batches of receipts
(``federation_batches``) and the input sets proposed for each epoch
(``federation_inputs``)."""

from __future__ import annotations

from sqlalchemy import BigInteger, Boolean, Index, Integer, String, Text
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


class Batch(Base):
    """A sealed batch of receipts (``servicelayer.federation.batches``): this validator's
    own, sealed as its API accepted them, or another validator's, relayed. ``wire`` is
    the signed message as its sealer made it; ``applied`` once an agreed input set
    included it and its receipts went into the receipts table."""

    __tablename__ = "federation_batches"
    __table_args__ = (Index("ix_federation_batches_unapplied", "applied", "sealed_at"),)

    sealer: Mapped[str] = mapped_column(String(56), primary_key=True)
    number: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    digest: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    wire: Mapped[str] = mapped_column(Text)
    applied: Mapped[bool] = mapped_column(Boolean, default=False)


class InputSet(Base):
    """An input set proposed for an epoch (by this validator as leader, or one it was
    asked to sign), by its hash; the epoch's agreed one is the one whose hash the ledger
    holds in the anchor account's ``ace.inputs`` entry."""

    __tablename__ = "federation_inputs"

    hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger, index=True)
    body: Mapped[str] = mapped_column(Text)  # canonical JSON of the sets
    snapshot: Mapped[str | None] = mapped_column(Text, nullable=True)  # JSON; None: none
    tx_hash: Mapped[str | None] = mapped_column(String(64), nullable=True)
    envelope: Mapped[str | None] = mapped_column(Text, nullable=True)
    sequence: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
