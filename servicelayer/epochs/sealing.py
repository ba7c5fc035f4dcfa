"""Sealing an epoch at its close: the stream rules, applied over the set of its receipts.

Ingestion only puts each receipt in its (stream, window) slot, where the slot rule (the
highest total; on a tie the higher ``seq``, then the lower id) keeps the same receipt
whatever order they arrive in. When the epoch closes, each stream's slots in the epoch
are walked in window order, from the stream's latest counted receipt of the earlier
(already sealed) epochs, and each slot is judged against the last counted one before it:

    session_mismatch   started_at differs from the counted receipt's
    stale_sequence     seq not above the counted receipt's
    counter_regressed  total below the counted receipt's
    implausible_rate   growth above the rate allowed from the start of the counted
                       receipt's window to the end of this one

A slot that passes is counted: its ``base`` is the counted receipt's total (0 for the
stream's first) and it becomes the counted receipt. A slot that fails keeps the rule's
code as its ``stream_outcome``, adds nothing (``base = amount``) and gets a ``rejected``
verdict with that reason when the epoch is verified. Everything here is a function of
the stored slots, so two nodes holding the same receipts seal the same epoch alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from sqlalchemy.orm import Session

from servicelayer.epochs.clock import epoch_bounds
from servicelayer.ingest.checks import MAX_BYTES_PER_SECOND, check_growth
from servicelayer.receipts.model import WINDOW_SECONDS, Kind, ReceiptError
from servicelayer.storage import receipts_repo
from servicelayer.storage.receipts_repo import SealRow, StreamHead


@dataclass(frozen=True, slots=True)
class Judged:
    base: int
    outcome: str | None  # None: counted; else the stream rule's reason code


def judge_stream(
    head: StreamHead | None, slots: Iterable[SealRow], max_bytes_per_second: int
) -> list[Judged]:
    """The outcome of each of one stream's slots, given in window order."""
    out: list[Judged] = []
    for slot in slots:
        try:
            if head is not None:
                _check(head, slot, max_bytes_per_second)
        except ReceiptError as err:
            out.append(Judged(slot.amount, err.reason))
            continue
        out.append(Judged(0 if head is None else head.amount, None))
        head = StreamHead(slot.started_at, slot.seq, slot.amount, slot.window_start)
    return out


def _check(head: StreamHead, slot: SealRow, max_bytes_per_second: int) -> None:
    if slot.started_at != head.started_at:
        raise ReceiptError("session_mismatch", "started_at differs from the session's")
    if slot.seq <= head.seq:
        raise ReceiptError("stale_sequence", f"sequence {slot.seq} <= {head.seq} already used")
    if slot.amount < head.amount:
        raise ReceiptError("counter_regressed", f"total {slot.amount} < {head.amount}")
    elapsed = slot.window_start + WINDOW_SECONDS - head.window_start
    check_growth(Kind(slot.kind), slot.amount - head.amount, elapsed, max_bytes_per_second)


def seal_epoch(
    session: Session,
    number: int,
    epoch_seconds: int,
    max_bytes_per_second: int = MAX_BYTES_PER_SECOND,
) -> int:
    """Judge every slot of epoch ``number`` and store the outcomes; returns how many were
    refused. Earlier epochs must be sealed already (epochs close in order)."""
    start, end = epoch_bounds(number, epoch_seconds)
    rows, heads = receipts_repo.slots_to_seal(session, start, end)
    changes: list[tuple[int, str | None, bytes, int]] = []
    refused = 0
    for key, group in groupby(rows, key=lambda r: r.stream_key):
        stream: Sequence[SealRow] = list(group)
        for row, judged in zip(
            stream, judge_stream(heads.get(key), stream, max_bytes_per_second), strict=True
        ):
            refused += judged.outcome is not None
            if (row.base, row.stream_outcome) != (judged.base, judged.outcome):
                changes.append((judged.base, judged.outcome, key, row.window_start))
    receipts_repo.save_sealed(session, changes)
    return refused
