"""``settle_plan``: persist the plan, then settle its chunks through K channel lanes.

Resumable by construction: every step reads what the store and the ledger say, so the
same call after a crash (or a SIGKILL anywhere) finishes the plan without paying twice.
A chunk keeps one (channel, sequence) slot until the ledger consumes it; all of a
chunk's envelopes in that slot exclude each other, so at most one of them can apply.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace

from servicelayer.errors import ConfigError, LedgerUnavailable, ServiceLayerError, Unauthorized
from servicelayer.ledger.horizon import Horizon, SubmitOutcome
from servicelayer.settlement.builder import EnvelopeBuilder
from servicelayer.settlement.channels import Lane, open_lanes
from servicelayer.settlement.plan import Plan
from servicelayer.settlement.records import ChunkWork, Envelope, PlanSummary
from servicelayer.settlement.resolution import Resolution, Verdict, fallback_offsets, resolve
from servicelayer.settlement.status import PayoutStatus, SubmissionStatus
from servicelayer.settlement.store import SettlementStore

S = SubmissionStatus
Progress = Callable[[PayoutStatus, int], None]
MAX_ROUNDS = 50  # submissions of one chunk in one run before giving up (ledger unreachable)


class SettlementRejected(ServiceLayerError):
    code = "settlement_rejected"


def _rejection(tx_code: str | None, op_codes: Sequence[str], channel: str) -> ServiceLayerError:
    codes = ", ".join([tx_code or "?", *op_codes])
    if tx_code == "tx_bad_auth" or "op_bad_auth" in op_codes:
        return Unauthorized(
            f"the ledger refused the signatures ({codes}): this node does not hold enough "
            "validator keys for the treasury's thresholds",
            code="tx_bad_auth",
        )
    if tx_code in ("tx_no_source_account", "tx_insufficient_balance"):
        return ConfigError(
            f"channel {channel} cannot pay the fee ({codes}); run `acenode dao bootstrap`",
            code=tx_code,
        )
    return SettlementRejected(f"the ledger rejected a transaction: {codes}", code=tx_code)


@dataclass
class _Chunk:
    """A chunk being settled by a lane: its work and the envelope in its current slot."""

    work: ChunkWork
    claimable: frozenset[int]
    slot: list[Envelope] = field(default_factory=list)  # unresolved envelopes, oldest first
    previous: str | None = None
    attempt: int = 0
    retire: list[tuple[str, SubmissionStatus]] = field(default_factory=list)
    fresh: bool = False  # the current envelope was built in this run
    finished: bool = False  # paid or failed


class SettlementService:
    def __init__(
        self,
        store: SettlementStore,
        horizon: Horizon,
        builder: EnvelopeBuilder,
        channels: Sequence[str],
        *,
        clock: Callable[[], float] = time.time,
        progress: Progress | None = None,
        retry_pause: float = 0.2,
    ) -> None:
        self.store = store
        self.horizon = horizon
        self.builder = builder
        self.channels = list(channels)
        self._clock = clock
        self._progress = progress
        self._pause = retry_pause
        self._stop = threading.Event()
        self._room = threading.BoundedSemaphore(len(self.channels))
        self._lock = threading.Lock()

    def _now(self) -> int:
        return int(self._clock())

    # -- plans ---------------------------------------------------------------------------
    def prepare(self, plan: Plan, *, source: str, chunk_size: int = 100) -> bool:
        """Persists the plan (before anything is submitted); False if it was already stored."""
        return self.store.create_plan(
            plan,
            source=source,
            treasury=self.builder.treasury,
            chunk_size=chunk_size,
            now=self._now(),
        )

    def settle(self, plan_id: str) -> PlanSummary:
        """Settles every unfinished chunk of the plan; safe to call again after any crash."""
        summary = self.store.summary(plan_id)
        if summary.treasury != self.builder.treasury:
            raise ConfigError(f"plan {plan_id} pays from {summary.treasury}, not this treasury")
        self.store.reopen_failed(plan_id)
        work = self.store.open_work(plan_id)
        if not work:
            self.store.refresh_plan(plan_id)
            return self.store.summary(plan_id)
        lanes = open_lanes(self.horizon, self.channels)
        by_channel = {lane.account: lane for lane in lanes}
        pinned: dict[str, list[_Chunk]] = {lane.account: [] for lane in lanes}
        queue: deque[_Chunk] = deque()
        for item in work:
            chunk = _start(item)
            if chunk.slot and chunk.slot[0].channel not in by_channel:
                raise ConfigError(
                    f"chunk {item.index} waits on channel {chunk.slot[0].channel}, which is not "
                    "among the configured channels; restore its key or the channel count"
                )
            (pinned[chunk.slot[0].channel] if chunk.slot else queue).append(chunk)
        self._stop.clear()
        self._room = threading.BoundedSemaphore(self._in_flight(work, len(lanes)))
        with ThreadPoolExecutor(len(lanes), thread_name_prefix="settle-lane") as pool:
            futures = [
                pool.submit(self._run_lane, lane, sorted(pinned[lane.account], key=_slot), queue)
                for lane in lanes
            ]
            errors = [f.exception() for f in futures]
        self.store.refresh_plan(plan_id)
        first = next((e for e in errors if e is not None), None)
        if first is not None:
            raise first
        return self.store.summary(plan_id)

    def _in_flight(self, work: Sequence[ChunkWork], lanes: int) -> int:
        """How many chunks may wait for a ledger at once: as many as one ledger holds. A
        stellar-core queue holds two ledgers' worth and answers more with TRY_AGAIN_LATER,
        which Horizon lets time out; more in flight would not pay sooner."""
        capacity = self.horizon.head().max_ops
        largest = max(len(item.payouts) for item in work)
        return max(1, min(lanes, capacity // largest)) if capacity else lanes

    def _run_lane(self, lane: Lane, pinned: list[_Chunk], queue: deque[_Chunk]) -> None:
        try:
            for chunk in pinned:
                self._settle_chunk(lane, chunk)
            while not self._stop.is_set():
                with self._lock:
                    if not queue:
                        return
                    chunk = queue.popleft()
                self._settle_chunk(lane, chunk)
        except BaseException:
            self._stop.set()
            raise

    # -- one chunk -----------------------------------------------------------------------
    def _settle_chunk(self, lane: Lane, chunk: _Chunk) -> None:
        for _ in range(MAX_ROUNDS):
            if chunk.finished or self._stop.is_set():
                return
            if chunk.slot:
                outcome = self._resolve_then_submit(lane, chunk)
            else:
                outcome = self._submit(chunk, self._build(lane, chunk, submitting=True))
            if outcome is None or outcome.ok is None:
                continue  # the next round asks the ledger what happened
            if outcome.ok:
                self._applied(lane, chunk, chunk.slot[-1], outcome.ledger)
                return
            self._after_rejection(lane, chunk, outcome)
        raise LedgerUnavailable(
            f"chunk {chunk.work.index} is still unresolved after {MAX_ROUNDS} rounds; "
            "run the settlement again once the ledger answers"
        )

    def _resolve_then_submit(self, lane: Lane, chunk: _Chunk) -> SubmitOutcome | None:
        """Asks the ledger about the slot; resubmits the same envelope only if still valid."""
        resolution = resolve(self.horizon, chunk.slot)
        if resolution.verdict == Verdict.PENDING:
            lane.sequence = resolution.channel_sequence
            if resolution.channel_sequence + 1 != chunk.slot[-1].sequence:
                raise LedgerUnavailable(
                    f"channel {lane.account} is at sequence {resolution.channel_sequence}, "
                    f"envelope {chunk.slot[-1].hash} waits for {chunk.slot[-1].sequence}"
                )
            return self._submit(chunk, chunk.slot[-1])
        self._settled_by(lane, chunk, resolution)
        return None

    def _settled_by(self, lane: Lane, chunk: _Chunk, resolution: Resolution) -> None:
        """Applies the ledger's verdict about the chunk's slot."""
        if resolution.verdict == Verdict.DEAD:
            lane.sequence = resolution.channel_sequence
            chunk.retire += [(e.hash, S.DEAD) for e in chunk.slot]
            chunk.previous, chunk.slot = chunk.slot[-1].hash, []
            return
        envelope, found = resolution.envelope, resolution.found
        assert envelope is not None and found is not None
        lane.consumed(envelope.sequence)
        if resolution.verdict == Verdict.APPLIED:
            self._applied(lane, chunk, envelope, found.ledger)
            return
        self._failed(chunk, envelope, found.op_codes, found.ledger)

    def _after_rejection(self, lane: Lane, chunk: _Chunk, outcome: SubmitOutcome) -> None:
        """``ok`` False: the ledger decides whether the slot was consumed; a rejection of an
        envelope signed by an earlier run is replaced in the same slot, else it is an error."""
        envelope = chunk.slot[-1]
        if outcome.tx_code in ("tx_bad_seq", "tx_failed"):
            resolution = resolve(self.horizon, chunk.slot)
            if resolution.verdict != Verdict.PENDING:
                self._settled_by(lane, chunk, resolution)
                return
            if outcome.tx_code == "tx_bad_seq":
                return  # not consumed and the slot is ahead: the next round resubmits
        if not chunk.fresh:
            self._resign(lane, chunk, envelope)
            return
        raise _rejection(outcome.tx_code, outcome.op_codes, lane.account)

    def _resign(self, lane: Lane, chunk: _Chunk, envelope: Envelope) -> None:
        """An envelope signed by an earlier run was refused (other keys, other fee): sign
        it again in the same slot, so that at most one of the two can ever apply."""
        signed = self.builder.build(
            chunk.work.chunk, lane.account, envelope.sequence, chunk.claimable
        )
        if signed.hash == envelope.hash:  # same transaction, new signatures
            self.store.replace_signatures(envelope.hash, signed.xdr, self._now())
            chunk.slot[-1] = replace(envelope, xdr=signed.xdr)
            chunk.fresh = True
            return
        chunk.retire.append((envelope.hash, S.SUPERSEDED))
        chunk.previous = envelope.hash
        self._build(lane, chunk, sequence=envelope.sequence)

    # -- steps ---------------------------------------------------------------------------
    def _build(
        self, lane: Lane, chunk: _Chunk, sequence: int | None = None, *, submitting: bool = False
    ) -> Envelope:
        """Builds, signs and stores the chunk's next envelope. One that is ``submitting``
        (posted right after this returns) is stored as submitted in the same write: both
        statuses are live, so a crash in between is resolved the same way, by asking the
        ledger before anything else."""
        seq = lane.next_sequence() if sequence is None else sequence
        signed = self.builder.build(chunk.work.chunk, lane.account, seq, chunk.claimable)
        chunk.attempt += 1
        envelope = Envelope(
            signed.hash,
            chunk.work.plan_id,
            chunk.work.index,
            chunk.attempt,
            lane.account,
            seq,
            signed.xdr,
            S.SUBMITTED if submitting else S.SIGNED,
            chunk.previous,
        )
        self.store.add_envelope(envelope, self._now(), chunk.retire)  # durable before submit
        chunk.retire = []
        chunk.slot.append(envelope)
        chunk.fresh = True
        return envelope

    def _submit(self, chunk: _Chunk, envelope: Envelope) -> SubmitOutcome:
        if envelope.status == S.SIGNED:
            self.store.set_status(envelope.hash, S.SUBMITTED, self._now())
            chunk.slot[-1] = replace(envelope, status=S.SUBMITTED)
        with self._room:
            outcome = self.horizon.submit(envelope.xdr)
        if outcome.ok is None:
            self._stop.wait(self._pause)
        return outcome

    def _applied(self, lane: Lane, chunk: _Chunk, envelope: Envelope, ledger: int | None) -> None:
        lane.consumed(envelope.sequence)
        self.store.chunk_applied(
            chunk.work.plan_id, chunk.work.index, envelope.hash, ledger, self._now()
        )
        chunk.slot, chunk.previous, chunk.finished = [], None, True
        if self._progress is not None:
            n_claimable = len(chunk.claimable)
            self._progress(PayoutStatus.PAID, len(chunk.work.payouts) - n_claimable)
            if n_claimable:
                self._progress(PayoutStatus.PAID_AS_CLAIMABLE_BALANCE, n_claimable)

    def _failed(
        self, chunk: _Chunk, envelope: Envelope, op_codes: Sequence[str], ledger: int | None
    ) -> None:
        """The envelope applied but failed (it paid nothing): redo payees who cannot hold
        the asset as claimable balances, or fail the chunk."""
        now = self._now()
        self.store.set_status(
            envelope.hash, S.FAILED, now, tx_code="tx_failed", op_codes=op_codes, ledger=ledger
        )
        mates = [(e.hash, S.DEAD) for e in chunk.slot if e.hash != envelope.hash]
        chunk.slot, chunk.previous = [], envelope.hash
        offsets = fallback_offsets(op_codes)
        if offsets is None or offsets <= chunk.claimable:
            for mate, status in mates:
                self.store.set_status(mate, status, now)
            detail = "operations failed: " + ",".join(op_codes)
            self.store.chunk_failed(chunk.work.plan_id, chunk.work.index, detail)
            chunk.previous, chunk.finished = None, True
            if self._progress is not None:
                self._progress(PayoutStatus.FAILED, len(chunk.work.payouts))
            return
        chunk.retire += mates
        self.store.set_claimable(chunk.work.plan_id, chunk.work.index, offsets)
        chunk.claimable = chunk.claimable | offsets


def _start(work: ChunkWork) -> _Chunk:
    latest = work.latest
    return _Chunk(
        work,
        work.claimable,
        slot=list(work.unresolved),
        previous=latest.hash if latest is not None else None,
        attempt=work.attempts,
    )


def _slot(chunk: _Chunk) -> int:
    return chunk.slot[0].sequence if chunk.slot else 0
