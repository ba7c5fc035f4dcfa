"""SQLAlchemy 2 typed models of the node's database. Alembic (migrations/) owns the schema."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey, Index, LargeBinary, MetaData, SmallInteger, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class ReceiptStream(Base):
    """One cumulative counter: (kind, signer, counterparty, content, session).

    The head is the latest accepted receipt; it is the lock point for ingestion, so two
    ingest processes can never interleave updates of one stream.
    """

    __tablename__ = "receipt_streams"

    key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger)
    signer: Mapped[str] = mapped_column(String(56), index=True)
    counterparty: Mapped[str | None] = mapped_column(String(56), index=True)
    content: Mapped[str] = mapped_column(String(64), index=True)
    session: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[int] = mapped_column(BigInteger)
    head_seq: Mapped[int] = mapped_column(BigInteger)
    head_amount: Mapped[int] = mapped_column(BigInteger)
    head_base: Mapped[int] = mapped_column(BigInteger)
    head_window_start: Mapped[int] = mapped_column(BigInteger)


class StoredReceipt(Base):
    """The latest receipt of a stream in one canonical window.

    ``amount`` is the session's cumulative total; ``base`` is the total at the end of the
    previous window, so ``amount - base`` is what the window adds.
    """

    __tablename__ = "receipts"
    __table_args__ = (Index("ix_receipts_window_start", "window_start"),)

    stream_key: Mapped[bytes] = mapped_column(
        LargeBinary(32), ForeignKey("receipt_streams.key"), primary_key=True
    )
    window_start: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    receipt_id: Mapped[str] = mapped_column(String(64), unique=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    amount: Mapped[int] = mapped_column(BigInteger)
    base: Mapped[int] = mapped_column(BigInteger)
    signature: Mapped[bytes] = mapped_column(LargeBinary(64))
    received_at: Mapped[int] = mapped_column(BigInteger)
