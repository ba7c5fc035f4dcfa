"""Paying an epoch in the slots its anchor committed (``servicelayer.federation.slots``).

Every validator runs this for every anchored epoch. Each chunk has one possible
transaction (one hash), so the ledger alone says where a chunk stands: applied, failed,
or not yet. The validator that leads the epoch's current round signs (with M - 1 others)
and submits what is missing, channel by channel in sequence order; the others record
what the ledger shows and wait. Whoever leads next finds the same hashes and goes on from
where the ledger is: nothing is paid twice, since a chunk's only transaction uses one
sequence number of one channel.

A chunk whose transaction applied but failed because payees cannot hold the asset is
redone, those payments as claimable balances, in a slot every validator derives from the
ledger the same way (``servicelayer.federation.slots.rounds``); any other failure is
final (``acenode payouts status`` shows it).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from servicelayer.errors import LedgerUnavailable, ServiceLayerError
from servicelayer.federation.slots import Assignment, Attempt, Outcome, rounds
from servicelayer.ledger.codes import op_codes_of
from servicelayer.ledger.horizon import Horizon
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.chunking import MAX_OPS, chunk_plan
from servicelayer.settlement.plan import Plan
from servicelayer.settlement.records import Envelope, PlanSummary
from servicelayer.settlement.status import SubmissionStatus
from servicelayer.settlement.store import SettlementStore

S = SubmissionStatus
MAX_ROUNDS = 50  # answers awaited for one transaction in one run before giving up


class SlotTaken(ServiceLayerError):
    """A committed slot was used by another transaction: M validators signed outside the
    protocol. Nothing more is paid on that channel; operators must look."""

    code = "slot_taken"


class Ledger:
    """The ledger's records of an epoch's transactions, each read until it is there (an
    applied transaction's record never changes)."""

    def __init__(self, horizon: Horizon) -> None:
        self.horizon = horizon
        self._records: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._absent: set[str] | None = None  # a view's: what it did not find

    def view(self) -> Ledger:
        """One reading of the ledger: a transaction it did not find stays unfound in it.
        The rounds, what they miss and what is recorded of them are judged on one view;
        else a transaction that lands in between makes a round look decided that the
        rounds were computed without (and its redo is never made)."""
        view = Ledger(self.horizon)
        view._records, view._lock, view._absent = self._records, self._lock, set()
        return view

    def record(self, tx_hash: str) -> dict[str, Any] | None:
        with self._lock:
            if tx_hash in self._records:
                return self._records[tx_hash]
            if self._absent is not None and tx_hash in self._absent:
                return None
        record = self.horizon.transaction_record(tx_hash)
        with self._lock:
            if record is not None:
                self._records[tx_hash] = record
            elif self._absent is not None:
                self._absent.add(tx_hash)
        return record

    def outcome(self, tx_hash: str) -> Outcome | None:
        record = self.record(tx_hash)
        if record is None:
            return None
        try:
            return record.get("successful") is True, op_codes_of(str(record["result_xdr"]))
        except (KeyError, ValueError, EOFError) as exc:
            raise LedgerUnavailable(f"a malformed transaction record: {exc}") from None


class SlotSettlement:
    def __init__(
        self,
        store: SettlementStore,
        horizon: Horizon,
        builder: Callable[[int], EnvelopeBuilder],
        *,
        clock: Callable[[], float] = time.time,
        pause: float = 0.2,
    ) -> None:
        """``builder(fee)``: an envelope builder at that fee per operation, signing as the
        epoch's leader would."""
        self.store = store
        self.horizon = horizon
        self.builder = builder
        self.clock = clock
        self.pause = pause
        self._stop = threading.Event()

    def run(
        self,
        plan: Plan,
        source: str,
        treasury: str,
        slots: Assignment,
        submit: bool,
        patience: float = 0,
    ) -> PlanSummary:
        """Record what the ledger shows of the plan and, when ``submit``, pay what is
        missing; otherwise wait up to ``patience`` seconds for it to be there. The
        summary says how far it got (``paid`` once every chunk applied)."""
        if slots.plan_id != plan.id:
            raise ServiceLayerError(f"the anchored slots are for plan {slots.plan_id[:12]}")
        self.store.create_plan(
            plan, source=source, treasury=treasury, chunk_size=MAX_OPS, now=int(self.clock())
        )
        builder, ledger = self.builder(slots.fee), Ledger(self.horizon)
        chunks = chunk_plan(plan.id, plan.payouts)
        hashes: dict[tuple[int, int], str] = {}

        def hash_of(a: Attempt) -> str:
            key = (a.chunk.index, a.round)
            if key not in hashes:
                tx = builder.transaction(a.chunk, a.channel, a.sequence, a.claimable)
                hashes[key] = tx[0].hex()
            return hashes[key]

        deadline = time.monotonic() + patience
        while True:
            view = ledger.view()
            schedule = rounds(slots, chunks, hash_of, view.outcome)
            missing = [a for a in schedule[-1] if view.outcome(hash_of(a)) is None]
            if not missing:
                break
            if submit:
                self._pay(missing, builder, hash_of, ledger)
            elif time.monotonic() < deadline:
                self._stop.wait(self.pause)
            else:
                break
        self._record(plan.id, schedule, hash_of, view)
        return self.store.summary(plan.id)

    def _pay(
        self,
        attempts: Sequence[Attempt],
        builder: EnvelopeBuilder,
        hash_of: Callable[[Attempt], str],
        ledger: Ledger,
    ) -> None:
        """Submit the round's missing attempts, each channel's in sequence order."""
        lanes: dict[str, list[Attempt]] = {}
        for attempt in sorted(attempts, key=lambda a: a.sequence):
            lanes.setdefault(attempt.channel, []).append(attempt)
        self._stop.clear()
        with ThreadPoolExecutor(len(lanes), thread_name_prefix="settle-slot") as pool:
            futures = [
                pool.submit(self._lane, lane, builder, hash_of, ledger) for lane in lanes.values()
            ]
            errors = [f.exception() for f in futures]
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first

    def _lane(
        self,
        lane: Sequence[Attempt],
        builder: EnvelopeBuilder,
        hash_of: Callable[[Attempt], str],
        ledger: Ledger,
    ) -> None:
        try:
            for attempt in lane:
                if self._stop.is_set():
                    return
                self._submit(attempt, builder, hash_of(attempt), ledger)
        except BaseException:
            self._stop.set()
            raise

    def _submit(
        self, attempt: Attempt, builder: EnvelopeBuilder, tx_hash: str, ledger: Ledger
    ) -> None:
        """Until the attempt's transaction is on the ledger (applied or failed)."""
        chunk, channel, sequence = attempt.chunk, attempt.channel, attempt.sequence
        envelope: str | None = None
        for _ in range(MAX_ROUNDS):
            current = self.horizon.sequence(channel) or 0  # first: it cannot lie that way
            if ledger.record(tx_hash) is not None:
                return
            if current >= sequence:
                raise SlotTaken(
                    f"sequence {sequence} of channel {channel} (chunk {chunk.index}) was used "
                    "by another transaction: M validators signed outside the protocol"
                )
            if current < sequence - 1:
                raise LedgerUnavailable(
                    f"channel {channel} is at sequence {current}; chunk {chunk.index} waits "
                    f"for {sequence - 1}"
                )
            if envelope is None:
                signed = builder.build(chunk, channel, sequence, attempt.claimable)
                assert signed.hash == tx_hash
                envelope = signed.xdr
                row = Envelope(
                    tx_hash,
                    chunk.plan_id,
                    chunk.index,
                    attempt.round + 1,
                    channel,
                    sequence,
                    envelope,
                    S.SUBMITTED,
                )
                self.store.add_envelope(row, int(self.clock()))
            outcome = self.horizon.submit(envelope)
            if outcome.ok is None or outcome.tx_code in ("tx_bad_seq", "tx_failed"):
                self._stop.wait(self.pause if outcome.ok is None else 0)
                continue  # the next round asks the ledger
            if not outcome.ok:
                raise ServiceLayerError(
                    f"the ledger refused chunk {chunk.index}: {outcome.codes}",
                    code=outcome.tx_code,
                )
        raise LedgerUnavailable(
            f"chunk {chunk.index} is still unresolved after {MAX_ROUNDS} answers; the next "
            "run asks the ledger again"
        )

    def _record(
        self,
        plan_id: str,
        schedule: Sequence[Sequence[Attempt]],
        hash_of: Callable[[Attempt], str],
        ledger: Ledger,
    ) -> None:
        """What the ledger shows, in the store: every attempt's transaction, and each
        chunk paid (by whichever attempt applied) or failed (its last attempt failed)."""
        now = int(self.clock())
        known = {e.hash: e.status for e in self.store.transactions(plan_id)}
        open_chunks = {w.index for w in self.store.open_work(plan_id)}
        last = {a.chunk.index: a for round_ in schedule for a in round_}
        decided = all(ledger.record(hash_of(a)) is not None for a in schedule[-1])
        for round_ in schedule:
            for attempt in round_:
                tx_hash, index = hash_of(attempt), attempt.chunk.index
                record = ledger.record(tx_hash)
                if record is None or index not in open_chunks:
                    continue
                if tx_hash not in known:
                    row = Envelope(
                        tx_hash,
                        plan_id,
                        index,
                        attempt.round + 1,
                        attempt.channel,
                        attempt.sequence,
                        str(record.get("envelope_xdr", "")),
                        S.SUBMITTED,
                    )
                    self.store.add_envelope(row, now)
                ledger_seq = record.get("ledger") if type(record.get("ledger")) is int else None
                if attempt.claimable:
                    self.store.set_claimable(plan_id, index, attempt.claimable)
                if record.get("successful") is True:
                    self.store.chunk_applied(plan_id, index, tx_hash, ledger_seq, now)
                    continue
                outcome = ledger.outcome(tx_hash)
                codes = outcome[1] if outcome else ()
                if known.get(tx_hash) != S.FAILED:
                    self.store.set_status(
                        tx_hash,
                        S.FAILED,
                        now,
                        tx_code="tx_failed",
                        op_codes=codes,
                        ledger=ledger_seq,
                    )
                if decided and last[index] is attempt:
                    detail = "operations failed: " + ",".join(codes)
                    self.store.chunk_failed(plan_id, index, detail)
        self.store.refresh_plan(plan_id)
