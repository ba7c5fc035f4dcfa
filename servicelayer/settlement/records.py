"""Value objects the settlement store hands out: envelopes, chunk work, plan summaries."""

from __future__ import annotations

from dataclasses import dataclass

from servicelayer.settlement.chunking import Chunk
from servicelayer.settlement.plan import Payout
from servicelayer.settlement.status import (
    LIVE,
    PayoutStatus,
    PlanStatus,
    SubmissionStatus,
)


@dataclass(frozen=True, slots=True)
class Envelope:
    """A signed transaction of one chunk, bound to one (channel, sequence) slot."""

    hash: str
    plan_id: str
    chunk_index: int
    attempt: int
    channel: str
    sequence: int
    xdr: str
    status: SubmissionStatus
    supersedes: str | None = None
    tx_code: str | None = None
    op_codes: tuple[str, ...] = ()
    ledger: int | None = None

    @property
    def live(self) -> bool:
        return self.status in LIVE


@dataclass(frozen=True, slots=True)
class ChunkWork:
    """An unfinished chunk: its payouts, which of them go as claimable balances, and
    every envelope ever signed for it (oldest first)."""

    chunk: Chunk
    claimable: frozenset[int]  # offsets within the chunk
    envelopes: tuple[Envelope, ...]

    @property
    def plan_id(self) -> str:
        return self.chunk.plan_id

    @property
    def index(self) -> int:
        return self.chunk.index

    @property
    def payouts(self) -> tuple[Payout, ...]:
        return self.chunk.payouts

    @property
    def unresolved(self) -> tuple[Envelope, ...]:
        """Envelopes that might still apply (live, or superseded in a live slot)."""
        return tuple(e for e in self.envelopes if e.live or e.status == SubmissionStatus.SUPERSEDED)

    @property
    def attempts(self) -> int:
        return max((e.attempt for e in self.envelopes), default=0)

    @property
    def latest(self) -> Envelope | None:
        return self.envelopes[-1] if self.envelopes else None


@dataclass(frozen=True, slots=True)
class PlanSummary:
    id: str
    created_at: int
    source: str
    treasury: str
    chunk_size: int
    payout_count: int
    status: PlanStatus
    counts: dict[PayoutStatus, int]
    totals: dict[str, int]
