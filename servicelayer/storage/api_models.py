"""Tables of the REST API: stored idempotent responses and the members' signatures."""

from __future__ import annotations

from sqlalchemy import BigInteger, SmallInteger, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelayer.storage.models import Base


class IdempotentRequest(Base):
    """The response to one mutation, replayed when the same key comes again.

    Written in the same transaction as the contract actions the request applied, so a
    stored response always means "applied", and "applied" always has a stored response.
    """

    __tablename__ = "api_idempotency"

    account: Mapped[str] = mapped_column(String(56), primary_key=True)
    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))  # SHA-256 of method, path, body
    status: Mapped[int] = mapped_column(SmallInteger)
    body: Mapped[str] = mapped_column(Text)  # the JSON response body
    created_at: Mapped[int] = mapped_column(BigInteger)


class SignedMessage(Base):
    """A member's SEP-53 signature on a vote or delegation message, kept so anyone can
    check later that the member really cast what the contract counted."""

    __tablename__ = "api_signed_messages"

    kind: Mapped[str] = mapped_column(String(16), primary_key=True)  # vote | delegation
    subject: Mapped[str] = mapped_column(String(64), primary_key=True)  # proposal id or ""
    account: Mapped[str] = mapped_column(String(56), primary_key=True)
    nonce: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message: Mapped[str] = mapped_column(Text)  # the exact UTF-8 message signed
    signature: Mapped[str] = mapped_column(String(128))  # base64 of the 64-byte signature
    signed_at: Mapped[int] = mapped_column(BigInteger)


class UsedChallenge(Base):
    """A SEP-10 challenge already exchanged for a token, kept until its time bounds end
    so it cannot be exchanged again (its nonce is the primary key)."""

    __tablename__ = "api_used_challenges"

    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)  # base64 of 48 bytes
    account: Mapped[str] = mapped_column(String(56))
    expires_at: Mapped[int] = mapped_column(BigInteger, index=True)  # the challenge's max time
