"""Peer registrations, probe evidence, verdicts and reputations."""

from __future__ import annotations

from sqlalchemy import BigInteger, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from servicelayer.storage.models import Base


class StoredRegistration(Base):
    """An account's latest signed registration of its swarm endpoints."""

    __tablename__ = "registrations"

    account: Mapped[str] = mapped_column(String(56), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger)
    valid_until: Mapped[int] = mapped_column(BigInteger)
    endpoints: Mapped[str] = mapped_column(Text)  # space-separated "ip:port", for reading
    signed: Mapped[bytes] = mapped_column(LargeBinary)  # body || signature (docs/registration.md)
    received_at: Mapped[int] = mapped_column(BigInteger)
