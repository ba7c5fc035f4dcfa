"""The transaction queue and the background thread that closes ledgers on a timer."""

from __future__ import annotations

import logging
import math
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Generic, TypeVar

from servicelayer.errors import LedgerUnavailable
from testnet.ledger.frame import TxFrame

log = logging.getLogger(__name__)
R = TypeVar("R")


@dataclass
class PendingTx(Generic[R]):
    frame: TxFrame
    future: Future[R] = field(default_factory=Future)
    internal: bool = False  # the ledger's own (friendbot): may queue behind its source's

    @property
    def ops(self) -> int:
        return max(1, self.frame.charged_op_count)


QUEUE_LEDGERS = 2
"""How many ledgers' worth of operations the queue holds (stellar-core's
TRANSACTION_QUEUE_SIZE_MULTIPLIER)."""

FEE_MULTIPLIER = 10
"""A fee bump replaces a queued transaction of the same sequence number only when it bids
at least this many times its fee rate (stellar-core's ``canReplaceByFee``)."""


class TryAgainLater(LedgerUnavailable):
    """stellar-core did not admit the transaction into its queue (TRY_AGAIN_LATER): its
    source already has one queued, or the queue is full of bids it cannot outbid."""

    code = "try_again_later"


class FeeTooLow(LedgerUnavailable):
    """The queue is full: a bid of ``min_fee`` would have evicted enough to make room
    (stellar-core answers ``txINSUFFICIENT_FEE`` with that fee as the fee charged)."""

    code = "tx_insufficient_fee"

    def __init__(self, min_fee: int) -> None:
        super().__init__(f"the transaction queue is full: bid at least {min_fee} stroops")
        self.min_fee = min_fee


def _rate(p: PendingTx[R]) -> Fraction:
    return Fraction(p.frame.fee_bid, p.ops)


class SubmissionQueue(Generic[R]):
    """Transactions waiting for a ledger, in arrival order, one per hash; as stellar-core's
    transaction queue: one per source account, at most ``QUEUE_LEDGERS`` ledgers of
    operations. A full queue admits a transaction that bids a higher fee per operation
    than the lowest queued by evicting the lowest (``evicted``: the caller fails their
    waiters, whom Horizon would leave to time out); one that cannot make room is refused
    (``FeeTooLow`` with the fee that would have made room, ``TryAgainLater`` when no
    fee would).
    """

    def __init__(self, ledger_ops: int) -> None:
        self.ledger_ops = ledger_ops
        self._items: list[PendingTx[R]] = []
        self._by_hash: dict[str, PendingTx[R]] = {}

    def __len__(self) -> int:
        return len(self._items)

    @property
    def ops(self) -> int:
        return sum(p.ops for p in self._items)

    def get(self, tx_hash: str) -> PendingTx[R] | None:
        return self._by_hash.get(tx_hash)

    def last_seq(self, source: str, excluding: PendingTx[R] | None = None) -> int | None:
        """The highest sequence number of ``source``'s queued transactions (the ledger's
        own may queue several), ``excluding`` one about to be replaced."""
        seqs = [
            p.frame.seq_num for p in self._items if p.frame.source == source and p is not excluding
        ]
        return max(seqs) if seqs else None

    def queued_of(self, source: str) -> PendingTx[R] | None:
        """The transaction of ``source`` waiting in the queue (not the ledger's own)."""
        return next((p for p in self._items if p.frame.source == source and not p.internal), None)

    def admit(self, frame: TxFrame) -> tuple[PendingTx[R] | None, list[PendingTx[R]]]:
        """Room for ``frame`` under stellar-core's queue rules: the queued transaction of
        the same source it replaces by fee (a fee bump of the same sequence number that
        bids ``FEE_MULTIPLIER`` times its rate), and the lowest bids it evicts. Raises
        ``TryAgainLater`` or ``FeeTooLow`` when it may not enter."""
        need = max(1, frame.charged_op_count)
        rate = Fraction(frame.fee_bid, need)
        replaced = self.queued_of(frame.source)
        if replaced is not None:
            if frame.fee_bump is None or frame.seq_num != replaced.frame.seq_num:
                raise TryAgainLater(f"{frame.source} already has a transaction queued")
            if rate < _rate(replaced) * FEE_MULTIPLIER:
                raise FeeTooLow(math.floor(_rate(replaced) * FEE_MULTIPLIER * need))
        room = self.ledger_ops * QUEUE_LEDGERS - self.ops + (replaced.ops if replaced else 0)
        evicted: list[PendingTx[R]] = []
        candidates = [
            (_rate(p), -i, p)
            for i, p in enumerate(self._items)
            if p is not replaced and not p.internal
        ]
        candidates.sort(key=lambda c: c[:2])  # the lowest bids first, the latest among equals
        for _, _, low in candidates:
            if room >= need:
                break
            evicted.append(low)
            room += low.ops
        if room < need:
            raise TryAgainLater("the transaction queue is full")
        highest = max((_rate(p) for p in evicted), default=None)
        if highest is not None and rate <= highest:
            raise FeeTooLow(math.floor(highest * need) + 1)
        return replaced, evicted

    def add(self, frame: TxFrame, *, internal: bool = False) -> PendingTx[R]:
        pending: PendingTx[R] = PendingTx(frame, internal=internal)
        self._items.append(pending)
        self._by_hash[frame.hash_hex] = pending
        return pending

    def remove(self, pending: PendingTx[R]) -> None:
        self._items.remove(pending)
        del self._by_hash[pending.frame.hash_hex]

    def take(self) -> tuple[list[PendingTx[R]], bool]:
        """The transactions of the next ledger, at most ``ledger_ops`` operations; the rest
        wait for the one after. Over capacity (surge pricing) the highest bids per
        operation go first, arrival order among equal bids, and a source's later
        transactions never before its earlier ones. Returns them in the order they apply
        (arrival), and whether the ledger was in surge."""
        if self.ops <= self.ledger_ops:
            chosen = list(self._items)
            surge = False
        else:
            surge = True
            order = sorted(range(len(self._items)), key=lambda i: (-_rate(self._items[i]), i))
            room, skipped, picked = self.ledger_ops, set(), set()
            for i in order:
                p = self._items[i]
                if p.frame.source in skipped or p.ops > room:
                    skipped.add(p.frame.source)
                    continue
                picked.add(i)
                room -= p.ops
            chosen = [p for i, p in enumerate(self._items) if i in picked]
        for p in chosen:
            self.remove(p)
        return chosen, surge

    def drain(self) -> list[PendingTx[R]]:
        items = self._items
        self._items, self._by_hash = [], {}
        return items


class LedgerCloser:
    """Calls ``close`` every ``interval`` seconds on a daemon thread until stopped."""

    def __init__(self, close: Callable[[], object], interval: float) -> None:
        if interval <= 0:
            raise ValueError("the close interval must be positive")
        self._close = close
        self.interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="ledger-closer", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self._close()
            except Exception:  # keep closing; the failed ledger's futures carry the error
                log.exception("closing a ledger failed")

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout)
