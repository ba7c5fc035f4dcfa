"""Peer registrations, probe evidence, verdicts and reputations."""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
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


class RegistrationRecord(Base):
    """Every registration the node accepted, kept: an epoch is judged with the ones in
    force during it (``registrations_repo.in_force``), whenever it is verified or
    replayed, not with the account's latest one."""

    __tablename__ = "registration_history"
    __table_args__ = (Index("ix_registration_history_received", "received_at"),)

    account: Mapped[str] = mapped_column(String(56), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    valid_until: Mapped[int] = mapped_column(BigInteger)
    signed: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[int] = mapped_column(BigInteger)


class StoredEvidence(Base):
    """What one probe of one swarm saw (servicelayer.probes.evidence). ``epoch`` is the
    epoch that planned the probe; verification reads evidence by when it was observed,
    ``[started_at, ended_at]``, whichever epoch planned it."""

    __tablename__ = "probe_evidence"
    __table_args__ = (
        Index("ix_probe_evidence_epoch", "epoch", "infohash"),
        Index("ix_probe_evidence_observed", "started_at", "ended_at"),
        UniqueConstraint("source", name="uq_probe_evidence_source"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    epoch: Mapped[int] = mapped_column(BigInteger)
    infohash: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[int] = mapped_column(BigInteger)
    ended_at: Mapped[int] = mapped_column(BigInteger)
    cost_bytes: Mapped[int] = mapped_column(BigInteger)
    evidence: Mapped[str] = mapped_column(Text)  # evidence_dumps(...)
    # on a federation, its name on every validator: the sealing batch's digest (16 hex
    # digits) and its place there ("<digest>.<i>"); None on a node alone
    source: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ProbeSeed(Base):
    """The epoch's sampling seed and the node signature it is derived from (auditable)."""

    __tablename__ = "probe_seeds"

    epoch: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    signer: Mapped[str] = mapped_column(String(56))
    signature: Mapped[str] = mapped_column(String(128))
    seed: Mapped[str] = mapped_column(String(64))


class StoredVerdict(Base):
    """What verification decided about one stored receipt, and why."""

    __tablename__ = "verdicts"
    __table_args__ = (
        Index("ix_verdicts_epoch", "epoch"),
        Index("ix_verdicts_verdict_epoch", "verdict", "epoch"),
    )

    receipt_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger)
    verdict: Mapped[str] = mapped_column(String(16))  # accepted, rejected, down_weighted, deferred
    weight_ppm: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text)  # space-separated reason codes
    evidence: Mapped[str] = mapped_column(Text)  # space-separated evidence references
    held_ppm: Mapped[int] = mapped_column(Integer, server_default="0")  # of a deferred verdict


class StoredResolution(Base):
    """How a later epoch resolved a deferred verdict (rules/deferred.py). The receipt id is
    the key: a receipt is resolved, and so paid, at most once."""

    __tablename__ = "verdict_resolutions"
    __table_args__ = (Index("ix_verdict_resolutions_epoch", "epoch"),)

    receipt_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger)  # the resolving epoch (counted there)
    deferred_epoch: Mapped[int] = mapped_column(BigInteger)
    verdict: Mapped[str] = mapped_column(String(16))  # accepted, down_weighted, rejected
    weight_ppm: Mapped[int] = mapped_column(Integer)
    reasons: Mapped[str] = mapped_column(Text)
    evidence: Mapped[str] = mapped_column(Text)


class StoredReputation(Base):
    """An account's probe history (servicelayer.verification.reputation.Reputation)."""

    __tablename__ = "reputations"

    account: Mapped[str] = mapped_column(String(56), primary_key=True)
    epoch: Mapped[int] = mapped_column(BigInteger)  # the epoch that last updated it
    state: Mapped[str] = mapped_column(Text)  # JSON of the Reputation fields


class ProbeRun(Base):
    """One probe the node planned for one window of one swarm, and how it went.

    ``status``: planned -> running -> done, or timed_out (not started within its window,
    or still running past ``deadline``, e.g. a node that stopped mid-probe). The epoch
    pipeline verifies an epoch only once every run planned for its windows is done or
    timed out (servicelayer.probes.runs)."""

    __tablename__ = "probe_runs"
    __table_args__ = (
        UniqueConstraint("window", "infohash", name="uq_probe_runs_window_infohash"),
        Index("ix_probe_runs_epoch", "epoch", "status"),
    )

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    window: Mapped[int] = mapped_column(BigInteger)  # window start, unix seconds
    epoch: Mapped[int] = mapped_column(BigInteger)
    infohash: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    origin: Mapped[bool] = mapped_column(Boolean, default=False)  # owner-registered origins
    planned_at: Mapped[int] = mapped_column(BigInteger)
    deadline: Mapped[int] = mapped_column(BigInteger)  # past it, a run counts as timed out
    started_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    ended_at: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    evidence_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
