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
    """One cumulative counter: (kind, signer, counterparty, content, session). Its
    receipts carry their own ``started_at``, and the stream rules are applied when an
    epoch closes, from the stored rows (migration 0012)."""

    __tablename__ = "receipt_streams"

    key: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    kind: Mapped[int] = mapped_column(SmallInteger)
    signer: Mapped[str] = mapped_column(String(56), index=True)
    counterparty: Mapped[str | None] = mapped_column(String(56), index=True)
    content: Mapped[str] = mapped_column(String(64), index=True)
    session: Mapped[str] = mapped_column(String(32))


class StoredReceipt(Base):
    """The receipt that holds a stream's slot in one canonical window.

    The slot holds the receipt with the highest ``amount`` (on a tie, the higher ``seq``,
    then the lower id), whatever order they arrived in. ``amount`` is the session's
    cumulative total; ``base`` is the total of the stream's previous counted window, so
    ``amount - base`` is what the window adds: provisional while the epoch is open, final
    once its close has applied the stream rules. ``stream_outcome`` is NULL for a counted
    receipt (or one not yet judged) and the reason code of the stream rule that refused
    it at close (then ``base = amount``: it adds nothing).
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
    started_at: Mapped[int] = mapped_column(BigInteger)
    stream_outcome: Mapped[str | None] = mapped_column(String(32))
