"""The epoch pipeline: each closed epoch moves through its steps in order, once.

    closed -> verified -> computed -> anchored -> settled

An epoch's status is the last step it completed. A worker takes an epoch with a lease
(a conditional UPDATE, so two node processes never work on one epoch), runs the next
step in one transaction that also moves the status, and lets go. A crash or restart
leaves the status at the last completed step, so the epoch resumes where it stopped; a
lease left by a process of this machine that is gone (killed while it held the epoch) is
taken over at once rather than waited out.

A step may wait (``ready`` names what it waits for): the epoch stays where it is, the
reason is recorded as its ``error``, and the next tick asks again.

Epochs take each step in order: an epoch never goes past the status of an earlier one.
Verification resolves the claims earlier epochs deferred and the contracts step applies
each epoch's usage to the state the earlier epochs left, so one epoch overtaking another
would make the outcome depend on timing.

A step that talks to the ledger does that part first (``outside``, in its own
transactions, and idempotent: settlement and the anchor persist each envelope before
submitting it and ask the ledger before submitting again), then records the outcome in
the step's transaction.
"""

from __future__ import annotations

import logging
import os
import socket
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Protocol

import psutil
from sqlalchemy.orm import Session

from servicelayer.epochs.closing import close_epoch, next_to_close
from servicelayer.errors import ServiceLayerError
from servicelayer.ingest.checks import MAX_BYTES_PER_SECOND
from servicelayer.storage import epochs_repo
from servicelayer.storage.db import Database

log = logging.getLogger("acenode.epochs")


def local_worker() -> str:
    """This process as a lease holder: its machine and process id."""
    return f"{socket.gethostname()}:{os.getpid()}"


def gone(holder: str) -> bool:
    """Whether a lease holder is a process of this machine that no longer runs."""
    host, _, pid = holder.rpartition(":")
    return (
        host == socket.gethostname()
        and pid.isdigit()
        and int(pid) != os.getpid()
        and not psutil.pid_exists(int(pid))
    )


class StepWaits(ServiceLayerError):
    """Raised by a step's ledger part that waits for someone else (another validator): the
    epoch stays where it is, like a ``ready`` that is not yet."""

    code = "waits"


@dataclass(frozen=True)
class Step:
    """Run ``outside`` then ``work`` on an epoch whose status is ``after``; it then has
    status ``reaches``. ``ready`` (if any) says what the step still waits for, or None."""

    after: str
    reaches: str
    work: Callable[[Session, int], None]
    outside: Callable[[int], None] | None = None
    ready: Callable[[int], str | None] | None = None


class Agreement(Protocol):
    """How a federation's validators agree on what an epoch closes with
    (``servicelayer.federation``); a node alone closes with what it holds."""

    def first_epoch(self) -> int | None:
        """For a node that has closed none: the epoch to start with (None: the last ended)."""
        ...

    def agreed(self, epoch: int) -> Callable[[Session], None]:
        """What to apply in the transaction that closes ``epoch``, once its inputs are
        agreed; raises ``StepWaits`` until then."""
        ...

    def transaction(self) -> AbstractContextManager[Session]:
        """The write transaction an epoch closes in."""
        ...


@dataclass(frozen=True)
class PipelineConfig:
    epoch_seconds: int
    close_grace_seconds: int
    lease_seconds: int = 600
    max_bytes_per_second: int = MAX_BYTES_PER_SECOND  # the stream rules' ceiling


@dataclass(frozen=True)
class Progress:
    epoch: int
    reached: str


def advance(
    database: Database,
    config: PipelineConfig,
    steps: Sequence[Step],
    worker: str,
    now: int,
    agreement: Agreement | None = None,
) -> list[Progress]:
    """Close every epoch that is due (with ``agreement``: once its inputs are agreed), then
    run every pending step of every epoch."""
    progress = _close_due(database, config, now, agreement)
    final = steps[-1].reaches if steps else "closed"
    by_status = {step.after: step for step in steps}
    with database.session() as session:
        pending = [(r.number, r.status) for r in epochs_repo.unfinished(session, final)]
    order = {"closed": 0} | {step.reaches: i + 1 for i, step in enumerate(steps)}
    ceiling = len(steps)  # the furthest step an epoch may reach: no further than earlier ones
    for number, status in pending:
        while (step := by_status.get(status)) is not None and order[step.reaches] <= ceiling:
            if not _run(database, config, step, number, worker, now):
                break
            progress.append(Progress(number, step.reaches))
            status = step.reaches
        ceiling = min(ceiling, order.get(status, 0))
    return progress


def _close_due(
    database: Database, config: PipelineConfig, now: int, agreement: Agreement | None
) -> list[Progress]:
    closed: list[Progress] = []
    while True:
        first = None
        if agreement is not None:  # a network call, outside any transaction
            with database.session() as session:
                started = epochs_repo.last_closed(session) is not None
            first = None if started else agreement.first_epoch()
        with database.session() as session:
            number = next_to_close(
                session, config.epoch_seconds, now, config.close_grace_seconds, first
            )
        if number is None:
            return closed
        apply: Callable[[Session], None] | None = None
        if agreement is not None:
            try:
                apply = agreement.agreed(number)
            except StepWaits as exc:
                log.debug("epoch %d waits to close: %s", number, exc.detail)
                return closed
            except ServiceLayerError as exc:
                log.warning("epoch %d cannot close yet: %s", number, exc.detail)
                return closed
        transaction: AbstractContextManager[Session] = (
            database.session(write=True) if agreement is None else agreement.transaction()
        )
        with transaction as session:
            if apply is not None:
                apply(session)
            close_epoch(
                session,
                number,
                config.epoch_seconds,
                now,
                max_bytes_per_second=config.max_bytes_per_second,
            )
        log.info("epoch %d closed", number)
        closed.append(Progress(number, "closed"))


def _run(
    database: Database, config: PipelineConfig, step: Step, number: int, worker: str, now: int
) -> bool:
    ttl = config.lease_seconds
    with database.session(write=True) as session:
        if not epochs_repo.acquire_lease(session, number, worker, now, ttl):
            holder = epochs_repo.lease_holder(session, number)
            if holder is None or not gone(holder):
                return False
            if not epochs_repo.take_lease(session, number, holder, worker, now, ttl):
                return False
            log.warning("epoch %d: took over the lease of %s, which is gone", number, holder)
    try:
        if step.ready is not None and (waiting := step.ready(number)) is not None:
            log.debug("epoch %d waits to be %s: %s", number, step.reaches, waiting)
            with database.session(write=True) as session:
                epochs_repo.record_error(session, number, f"{step.reaches}: waits {waiting}", now)
            return False
        if step.outside is not None:
            step.outside(number)
        with database.session(write=True) as session:
            step.work(session, number)
            moved = epochs_repo.advance_status(session, number, step.after, step.reaches, now)
        if moved:
            log.info("epoch %d %s", number, step.reaches)
        return moved
    except StepWaits as exc:
        log.debug("epoch %d waits to be %s: %s", number, step.reaches, exc.detail)
        with database.session(write=True) as session:
            epochs_repo.record_error(session, number, f"{step.reaches}: waits {exc.detail}", now)
        return False
    except ServiceLayerError as exc:
        log.warning("epoch %d: %s failed: %s", number, step.reaches, exc.detail)
        with database.session(write=True) as session:
            epochs_repo.record_error(session, number, f"{step.reaches}: {exc.detail}", now)
        return False
    finally:
        with database.session(write=True) as session:
            epochs_repo.release_lease(session, number, worker)
