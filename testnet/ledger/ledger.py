"""``StandaloneLedger``: a one-node Stellar network, the facade of the engine.

Working state lives in memory; each closed ledger is persisted in one database
transaction. ``submit`` blocks until the ledger that includes the transaction closes;
the same envelope submitted again gets the same answer.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import replace
from pathlib import Path

from stellar_sdk import Account as SdkAccount
from stellar_sdk import Keypair, StrKey, TransactionBuilder

from servicelayer.errors import InvalidInput, LedgerUnavailable
from servicelayer.storage.permissions import private_dir, private_file
from testnet.ledger.apply import (
    LedgerContext,
    TxOutcome,
    apply_transaction,
    check_valid,
    queue_rejection,
)
from testnet.ledger.closer import (
    FeeTooLow,
    LedgerCloser,
    PendingTx,
    SubmissionQueue,
    TryAgainLater,
)
from testnet.ledger.closing import closed_rows, genesis_header
from testnet.ledger.frame import TxFrame, network_id, parse_envelope
from testnet.ledger.state import (
    TOTAL_COINS,
    Account,
    ClaimableBalance,
    DataEntry,
    LedgerHeader,
    LedgerState,
    StateView,
    TrustLine,
    account_key,
    balance_key,
)
from testnet.ledger.store import ClosedLedgerRows, LedgerStore
from testnet.ledger.submission import (
    SubmissionResult,
    done_future,
    outcome_result,
    result_from_record,
)

DEFAULT_PASSPHRASE = "Standalone Network ; February 2017"
MAX_TX_SET_OPS = 1_000
"""Operations per ledger, as the public network's classic transaction set."""
FRIENDBOT_AMOUNT = "10000"


class StandaloneLedger:
    def __init__(
        self,
        store: LedgerStore,
        state: LedgerState,
        header: LedgerHeader,
        passphrase: str,
        clock: Callable[[], float],
        max_tx_set_ops: int = MAX_TX_SET_OPS,
    ) -> None:
        if max_tx_set_ops < 1:
            raise InvalidInput("a ledger must hold at least one operation")
        self._store = store
        self._state = state
        self._header = header
        self.network_passphrase = passphrase
        self._network_id = network_id(passphrase)
        self._clock = clock
        self._lock = threading.RLock()
        self._queue: SubmissionQueue[SubmissionResult] = SubmissionQueue(max_tx_set_ops)
        self._closer: LedgerCloser | None = None
        self._closed = False
        self.try_again_later = 0  # submissions the queue did not admit (TRY_AGAIN_LATER)

    # -- life cycle --------------------------------------------------------------------
    @classmethod
    def open(
        cls,
        *,
        data_dir: Path | str | None = None,
        database_url: str | None = None,
        network_passphrase: str = DEFAULT_PASSPHRASE,
        close_interval: float | None = 5.0,
        clock: Callable[[], float] = time.time,
        max_tx_set_ops: int = MAX_TX_SET_OPS,
    ) -> StandaloneLedger:
        """Opens (creating on first use) the ledger; starts the close timer unless None."""
        if database_url is None:
            if data_dir is None:
                raise InvalidInput("give a data directory or a database URL")
            database = private_dir(Path(data_dir)) / "ledger.sqlite3"
            private_file(database)  # 0600 before SQLite creates it: its -wal/-shm take its mode
            database_url = f"sqlite:///{database}"
        store = LedgerStore.open(database_url)
        store.check_passphrase(network_passphrase)
        state, header, _ = store.load()
        ledger = cls(
            store,
            state,
            header or genesis_header(network_passphrase),
            network_passphrase,
            clock,
            max_tx_set_ops,
        )
        if header is None:
            ledger._write_genesis()
        if close_interval is not None:
            ledger.start_closing(close_interval)
        return ledger

    def _write_genesis(self) -> None:
        root = Account(self.root_keypair.public_key, TOTAL_COINS, 0, last_modified_ledger=1)
        self._state.put(root)
        self._store.persist(
            ClosedLedgerRows(self._header, {account_key(root.account_id): root}, [], [], [], [])
        )

    def start_closing(self, interval: float) -> None:
        with self._lock:
            if self._closer is None:
                self._closer = LedgerCloser(self.close_ledger, interval)
                self._closer.start()

    def close(self) -> None:
        """Stops the close timer; pending submissions fail; the database is released."""
        closer = self._closer
        if closer is not None:
            closer.stop()
        with self._lock:
            self._closed = True
            for pending in self._queue.drain():
                if not pending.future.done():
                    pending.future.set_exception(LedgerUnavailable("the ledger was shut down"))
            self._store.close()

    @property
    def closes_on_timer(self) -> bool:
        return self._closer is not None

    @property
    def root_keypair(self) -> Keypair:
        """The account stellar-core derives from the passphrase; it holds all lumens."""
        return Keypair.from_raw_ed25519_seed(self._network_id)

    # -- submission --------------------------------------------------------------------
    def submit_async(self, envelope_xdr: str) -> Future[SubmissionResult]:
        """The transaction's result once a ledger includes it (or at once if it is
        rejected). Raises ``TryAgainLater`` when the queue does not admit it (see
        ``SubmissionQueue``); a queued transaction evicted later by a higher bid fails its
        future with ``TryAgainLater`` too."""
        return self._enqueue(parse_envelope(envelope_xdr, self._network_id))

    def _enqueue(self, frame: TxFrame, *, internal: bool = False) -> Future[SubmissionResult]:
        """``internal``: the ledger's own transaction (friendbot), which may queue behind
        its source's and is not counted against the queue's room."""
        with self._lock:
            if self._closed:
                raise LedgerUnavailable("the ledger is shut down")
            pending = self._queue.get(frame.hash_hex)
            if pending is not None:
                return pending.future
            record = self._store.transaction(frame.hash_hex)
            if record is not None:
                return done_future(result_from_record(record))
            replaced: PendingTx[SubmissionResult] | None = None
            evicted: list[PendingTx[SubmissionResult]] = []
            try:
                if not internal:
                    replaced, evicted = self._queue.admit(frame)
            except FeeTooLow as low:
                return done_future(outcome_result(queue_rejection(frame, low.min_fee), None, None))
            except TryAgainLater:
                self.try_again_later += 1
                raise
            header = self._header
            ctx = LedgerContext(
                header.seq + 1,
                max(int(self._clock()), header.close_time),
                header.base_fee,
                header.base_reserve,
            )
            rejection = check_valid(
                StateView(self._state), frame, ctx, self._queue.last_seq(frame.source, replaced)
            )
            if rejection is not None:
                return done_future(outcome_result(rejection, None, None))
            for gone in [replaced, *evicted]:
                if gone is not None:
                    self._queue.remove(gone)
                    gone.future.set_exception(TryAgainLater("replaced by a higher bid"))
            return self._queue.add(frame, internal=internal).future

    def envelope_hash(self, envelope_xdr: str) -> str:
        """The hash (hex) a transaction is known by: a fee bump's own."""
        return parse_envelope(envelope_xdr, self._network_id).hash_hex

    def submit(self, envelope_xdr: str, timeout: float = 60.0) -> SubmissionResult:
        """Blocks until the including ledger closes (or the transaction is rejected)."""
        future = self.submit_async(envelope_xdr)
        try:
            return future.result(timeout)
        except FutureTimeout as exc:
            raise LedgerUnavailable(
                "the transaction was not included in a ledger in time", code="timeout"
            ) from exc

    # -- closing -----------------------------------------------------------------------
    def close_ledger(self) -> LedgerHeader:
        """Applies every queued transaction in a new ledger and persists it."""
        with self._lock:
            if self._closed:
                raise LedgerUnavailable("the ledger is shut down")
            pending, surge = self._queue.take()
            try:
                header, resolved = self._close(pending, surge)
            except Exception as exc:
                for p in pending:
                    if not p.future.done():
                        p.future.set_exception(
                            LedgerUnavailable(f"closing the ledger failed: {exc}")
                        )
                raise
        for p, result in resolved:
            if not p.future.done():  # a waiter may have cancelled it
                p.future.set_result(result)
        return header

    def _close(
        self, pending: list[PendingTx[SubmissionResult]], surge: bool
    ) -> tuple[LedgerHeader, list[tuple[PendingTx[SubmissionResult], SubmissionResult]]]:
        prev = replace(self._header, max_tx_set_size=self._queue.ledger_ops)
        seq = prev.seq + 1
        close_time = max(int(self._clock()), prev.close_time)
        base_fee = prev.base_fee
        if surge and pending:  # everyone pays the lowest included bid per operation
            base_fee = max(base_fee, min(p.frame.fee_bid // p.ops for p in pending))
        ctx = LedgerContext(seq, close_time, base_fee, prev.base_reserve)
        view = StateView(self._state)
        applied: list[tuple[PendingTx[SubmissionResult], TxOutcome]] = []
        resolved = []
        for p in pending:
            rejection = check_valid(view, p.frame, ctx)
            if rejection is not None:
                resolved.append((p, outcome_result(rejection, None, None)))
                continue
            applied.append((p, apply_transaction(view, p.frame, ctx)))
        rows = closed_rows(prev, ctx, view.changes, [o for _, o in applied])
        for (p, outcome), record in zip(applied, rows.records, strict=True):
            resolved.append((p, outcome_result(outcome, seq, record)))
        self._store.persist(rows)
        self._state.apply(view.changes)
        self._header = rows.header
        return rows.header, resolved

    # -- queries -----------------------------------------------------------------------
    def latest_ledger(self) -> LedgerHeader:
        with self._lock:
            return replace(self._header)

    def pending_count(self) -> int:
        with self._lock:
            return len(self._queue)

    def account(self, account_id: str) -> Account | None:
        with self._lock:
            entry = self._state.get(account_key(account_id))
            return replace(entry) if isinstance(entry, Account) else None

    def account_entries(
        self, account_id: str
    ) -> tuple[Account, list[TrustLine], list[DataEntry]] | None:
        with self._lock:
            account = self._state.get(account_key(account_id))
            if not isinstance(account, Account):
                return None
            owned = self._state.owned(account_id)
            lines = [replace(e) for e in owned if isinstance(e, TrustLine)]
            data = [replace(e) for e in owned if isinstance(e, DataEntry)]
            return replace(account), lines, data

    def trustline(self, account_id: str, asset: str) -> TrustLine | None:
        with self._lock:
            entry = self._state.get(("trustline", account_id, asset))
            return replace(entry) if isinstance(entry, TrustLine) else None

    def claimable_balance(self, balance_id: str) -> ClaimableBalance | None:
        with self._lock:
            entry = self._state.get(balance_key(balance_id))
            return replace(entry) if isinstance(entry, ClaimableBalance) else None

    def accounts(
        self,
        *,
        signer: str | None = None,
        asset: str | None = None,
        after: str = "",
        descending: bool = False,
        limit: int = 10,
    ) -> list[tuple[Account, list[TrustLine], list[DataEntry]]]:
        """Accounts with ``signer`` among their signers or a trust line to ``asset``,
        ordered by account id (Horizon's /accounts)."""
        with self._lock:
            if signer is not None:
                candidates = {
                    e.account_id
                    for e in self._state.entries.values()
                    if isinstance(e, Account) and _signed_by(e, signer)
                }
            else:
                candidates = {
                    key[1]
                    for key in self._state.entries
                    if key[0] == "trustline" and key[2] == asset
                }
            ordered = sorted(candidates, reverse=descending)
            if after:
                ordered = [a for a in ordered if (a < after if descending else a > after)]
        found = [self.account_entries(a) for a in ordered[:limit]]
        return [f for f in found if f is not None]

    def claimable_balances(
        self, *, claimant: str | None = None, sponsor: str | None = None
    ) -> list[ClaimableBalance]:
        with self._lock:
            found = []
            for key in sorted(self._state.balance_keys):
                entry = self._state.entries[key]
                assert isinstance(entry, ClaimableBalance)
                if claimant and all(c.destination != claimant for c in entry.claimants):
                    continue
                if sponsor and entry.sponsor != sponsor:
                    continue
                found.append(replace(entry))
            return found

    @property
    def store(self) -> LedgerStore:
        """Read access to closed ledgers, transactions and operations."""
        return self._store

    def friendbot(
        self, account_id: str, starting_balance: str = FRIENDBOT_AMOUNT, timeout: float = 60.0
    ) -> SubmissionResult:
        """Creates and funds ``account_id`` from the root account (Horizon's friendbot)."""
        if not StrKey.is_valid_ed25519_public_key(account_id):
            raise InvalidInput("addr must be a G... account id", code="bad_request:addr")
        root = self.root_keypair
        with self._lock:
            account = self._state.get(account_key(root.public_key))
            assert isinstance(account, Account)
            last = self._queue.last_seq(root.public_key)
            seq = account.seq_num if last is None else last
            envelope = (
                TransactionBuilder(
                    SdkAccount(root.public_key, seq),
                    self.network_passphrase,
                    base_fee=self._header.base_fee,
                )
                .append_create_account_op(account_id, starting_balance)
                .add_time_bounds(0, 0)
                .build()
            )
            envelope.sign(root)
            future = self._enqueue(
                parse_envelope(envelope.to_xdr(), self._network_id), internal=True
            )
        try:
            return future.result(timeout)
        except FutureTimeout as exc:
            raise LedgerUnavailable("friendbot timed out", code="timeout") from exc


def _signed_by(account: Account, signer: str) -> bool:
    """Horizon lists an account for each of its signers, the master key if it weighs."""
    if account.account_id == signer:
        return account.master_weight > 0
    return any(s.key == signer for s in account.signers)
