"""The submission queue and the background thread that closes ledgers on a timer."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from servicelayer.ledger.standalone.frame import TxFrame

log = logging.getLogger(__name__)
R = TypeVar("R")


@dataclass
class PendingTx(Generic[R]):
    frame: TxFrame
    future: Future[R] = field(default_factory=Future)


class SubmissionQueue(Generic[R]):
    """Transactions waiting for the next close, in arrival order, one per hash.

    Remembers the last queued sequence number of each source account so that a client
    may queue several transactions of one account within a ledger, as stellar-core's
    transaction queue allows.
    """

    def __init__(self) -> None:
        self._items: list[PendingTx[R]] = []
        self._by_hash: dict[str, PendingTx[R]] = {}
        self._last_seq: dict[str, int] = {}

    def __len__(self) -> int:
        return len(self._items)

    def get(self, tx_hash: str) -> PendingTx[R] | None:
        return self._by_hash.get(tx_hash)

    def last_seq(self, source: str) -> int | None:
        return self._last_seq.get(source)

    def add(self, frame: TxFrame) -> PendingTx[R]:
        pending: PendingTx[R] = PendingTx(frame)
        self._items.append(pending)
        self._by_hash[frame.hash_hex] = pending
        self._last_seq[frame.source] = frame.seq_num
        return pending

    def drain(self) -> list[PendingTx[R]]:
        items = self._items
        self._items, self._by_hash, self._last_seq = [], {}, {}
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
