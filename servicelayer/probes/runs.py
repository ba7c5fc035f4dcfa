"""The probe-run record: what the node planned for each window, and whether it ran.

    planned -> running -> done
    planned -> timed_out   (not started while its window had MIN_PROBE_SECONDS left)
    running -> timed_out   (past its deadline, e.g. the node stopped in the middle)
    planned/running -> preempted   (a swarm that is not fresh gave its place to one with
                                    receipts in the window or the one before; no evidence)

A probe is never started after its window under that window's label (evidence is read by
observation time anyway, so a late probe would only mislabel itself). The epoch pipeline
verifies an epoch once every run planned for its windows is done or timed out
(``waiting_runs``, which also waits for the next window's runs that started before the
epoch's end); a run left ``running`` by a stopped node counts as timed out once its
deadline passed, so a restart never waits forever, and a run that finishes after it timed
out keeps no evidence (the epoch may have been verified without it).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicelayer.epochs.clock import epoch_bounds
from servicelayer.probes.planner import FRESH, IDLE, PlannedProbe
from servicelayer.receipts.model import WINDOW_SECONDS
from servicelayer.storage.db import Database
from servicelayer.storage.verification_models import ProbeRun

PLANNED, RUNNING, DONE, TIMED_OUT = "planned", "running", "done", "timed_out"
PREEMPTED = "preempted"
FINAL = (DONE, TIMED_OUT, PREEMPTED)
MIN_PROBE_SECONDS = 5
"""A probe that could watch its window for less than this is not started."""


def record_plan(
    session: Session,
    window: int,
    epoch: int,
    planned: Sequence[PlannedProbe],
    now: int,
    deadline: int,
    limit: int,
) -> list[ProbeRun]:
    """Store the window's planned runs. ``planned`` is every candidate swarm in the
    planner's rank order (planner.plan_window with no limit). A window planned before
    keeps its runs; swarms planned since are added in rank order while the window has
    room (``limit`` runs that are not preempted), and beyond it a fresh swarm (receipts in
    this window or the one before, planner.FRESH) takes the place of an unfinished run of
    a swarm that is not fresh: one no longer a candidate or an idle origin swarm's first,
    then a stale swarm's (receipts only in earlier windows), which becomes ``preempted``
    (the runner stops it). A preempted swarm that turned fresh since is planned again like
    a new one (its preempted run is replaced)."""
    existing = runs_of_window(session, window)
    level = {p.infohash: p.activity for p in planned}
    fresh = {h for h, a in level.items() if a == FRESH}
    for run in [r for r in existing if r.status == PREEMPTED and r.infohash in fresh]:
        session.delete(run)  # preempted while not fresh, fresh now: planned again below
        existing.remove(run)
    session.flush()
    known = {r.infohash for r in existing}
    room = max(0, limit - sum(1 for r in existing if r.status != PREEMPTED))
    unfinished = [r for r in existing if r.status in (PLANNED, RUNNING)]
    yielding = [r for r in unfinished if level.get(r.infohash, IDLE) < FRESH]
    # pop() takes the least active first, then the first by hash
    yielding.sort(key=lambda r: (level.get(r.infohash, IDLE), r.infohash), reverse=True)
    rows = []
    for p in planned:
        if p.infohash in known:
            continue
        if room > 0:
            room -= 1
        elif p.activity == FRESH and yielding:
            run = yielding.pop()
            run.status, run.ended_at = PREEMPTED, now
        else:
            continue
        rows.append(
            ProbeRun(
                window=window,
                epoch=epoch,
                infohash=p.infohash,
                status=PLANNED,
                origin=p.origin,
                planned_at=now,
                deadline=deadline,
            )
        )
    session.add_all(rows)
    session.flush()
    return sorted(existing + rows, key=lambda r: r.infohash)


def runs_of_window(session: Session, window: int) -> list[ProbeRun]:
    query = select(ProbeRun).where(ProbeRun.window == window).order_by(ProbeRun.infohash)
    return list(session.scalars(query))


def start(session: Session, run_id: int, now: int) -> bool:
    """Mark a planned run running, or timed out when its window has too little left."""
    run = session.get(ProbeRun, run_id)
    if run is None or run.status != PLANNED:
        return False
    if now > run.window + WINDOW_SECONDS - MIN_PROBE_SECONDS:
        run.status, run.ended_at = TIMED_OUT, now
        return False
    run.status, run.started_at = RUNNING, now
    return True


def finish(session: Session, run_id: int, now: int) -> ProbeRun | None:
    """Mark a running run done (the caller sets its ``evidence_id``); None if it is not
    running any more (timed out or preempted): its evidence comes too late, an epoch may
    have been verified without it."""
    run = session.get(ProbeRun, run_id)
    if run is None or run.status != RUNNING:
        return None
    run.status, run.ended_at = DONE, now
    return run


def abandon(session: Session, run_id: int, now: int) -> None:
    """A run that stopped without evidence (the node is shutting down, or it failed)."""
    run = session.get(ProbeRun, run_id)
    if run is not None and run.status in (PLANNED, RUNNING):
        run.status, run.ended_at = TIMED_OUT, now


def expire(session: Session, now: int) -> int:
    """Time out every unfinished run past its deadline; returns how many."""
    query = (
        update(ProbeRun)
        .where(ProbeRun.status.in_((PLANNED, RUNNING)), ProbeRun.deadline < now)
        .values(status=TIMED_OUT, ended_at=now)
    )
    return int(getattr(session.execute(query), "rowcount", 0) or 0)


def waiting_runs(session: Session, start_at: int, end_at: int, now: int) -> list[ProbeRun]:
    """Runs that observe ``[start_at, end_at)`` and are not done or timed out yet (after
    timing out those past their deadline): the runs planned for its windows, and those of
    the next window that started before ``end_at`` (a window's probes start
    ``LEAD_SECONDS`` early, so they watch the end of the one before). Verification reads
    every probe whose observation meets the epoch, so it must wait for all of them: what
    it reads is then the same whenever it runs. A run of the next window still planned
    once the epoch has ended starts after it and observes none of it."""
    expire(session, now)
    unfinished = ProbeRun.status.in_((PLANNED, RUNNING))
    own = (ProbeRun.window >= start_at) & (ProbeRun.window < end_at)
    early = (ProbeRun.window == end_at) & (ProbeRun.started_at < end_at)
    query = select(ProbeRun).where(unfinished, own | early)
    return list(session.scalars(query.order_by(ProbeRun.window, ProbeRun.infohash)))


def runs_in(session: Session, start_at: int, end_at: int) -> list[ProbeRun]:
    query = select(ProbeRun).where(ProbeRun.window >= start_at, ProbeRun.window < end_at)
    return list(session.scalars(query.order_by(ProbeRun.window, ProbeRun.infohash)))


def probe_gate(
    database: Database, epoch_seconds: int, clock: Callable[[], int]
) -> Callable[[int], str | None]:
    """The verify step's ``ready``: what the epoch still waits for, or None."""

    def ready(epoch: int) -> str | None:
        start_at, end_at = epoch_bounds(epoch, epoch_seconds)
        with database.session(write=True) as session:
            waiting = waiting_runs(session, start_at, end_at, clock())
        if not waiting:
            return None
        last = max(r.deadline for r in waiting)
        return f"for {len(waiting)} probe run(s) that watched it (the last deadline {last})"

    return ready
