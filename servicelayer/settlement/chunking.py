"""Chunks of a plan (at most 100 operations each) and the memo hash that binds a chunk.

The memo of every transaction of a chunk is SHA-256 over the canonical encoding of
(plan id, chunk index, the chunk's payouts): anyone holding the plan can tell which
payouts a transaction on the ledger settles.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass

from servicelayer.errors import InvalidInput
from servicelayer.settlement.plan import Payout

MAX_OPS = 100
_MEMO_TAG = "ace-payout-chunk-v1"


@dataclass(frozen=True, slots=True)
class Chunk:
    plan_id: str
    index: int
    payouts: tuple[Payout, ...]

    @property
    def memo_hash(self) -> bytes:
        return memo_hash(self.plan_id, self.index, self.payouts)


def memo_hash(plan_id: str, index: int, payouts: Sequence[Payout]) -> bytes:
    """SHA-256 of ``canonical_bytes((tag, plan_id, index, rows))``.

    Rows of strings and integers encode canonically as plain JSON lists, so this writes
    them directly (a unit test checks the bytes equal ``canonical_bytes``'s).
    """
    rows = [p.row() for p in payouts]
    encoded = json.dumps(
        [_MEMO_TAG, plan_id, index, rows], separators=(",", ":"), ensure_ascii=False
    )
    return hashlib.sha256(encoded.encode()).digest()


def check_chunk_size(size: int) -> int:
    if not 1 <= size <= MAX_OPS:
        raise InvalidInput(f"chunk size must be 1..{MAX_OPS}", code="bad_chunk_size")
    return size


def chunk_plan(plan_id: str, payouts: Sequence[Payout], size: int = MAX_OPS) -> list[Chunk]:
    """Consecutive slices of ``size`` payouts, in plan order."""
    check_chunk_size(size)
    return [
        Chunk(plan_id, n, tuple(payouts[start : start + size]))
        for n, start in enumerate(range(0, len(payouts), size))
    ]
