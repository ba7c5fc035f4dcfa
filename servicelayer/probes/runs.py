"""The probe-run record: what the node planned for each window, and whether it ran.

    planned -> running -> done
    planned -> timed_out   (not started while its window had MIN_PROBE_SECONDS left)
    running -> timed_out   (past its deadline, e.g. the node stopped in the middle)
    planned/running -> preempted   (an idle origin swarm's run gave its place to a swarm
                                    that became active in the window; no evidence)

A probe is never started after its window under that window's label (evidence is read by
observation time anyway, so a late probe would only mislabel itself). The epoch pipeline
verifies an epoch once every run planned for its windows is done or timed out
(``waiting_runs``); a run left ``running`` by a stopped node counts as timed out once its
deadline passed, so a restart never waits forever.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from servicelayer.epochs.clock import epoch_bounds
from servicelayer.probes.planner import PlannedProbe
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
    """Store the window's planned runs. A window planned before keeps its runs; swarms
    that became active since are added while the window has room (``limit`` runs that
    are not preempted), and beyond it take the place of an unfinished run of a swarm that
    is not active (an idle origin swarm: it only vets its origins early), which becomes
    ``preempted`` (the runner stops it). A preempted swarm that turned active since is
    planned again like a new one (its preempted run is replaced)."""
    existing = runs_of_window(session, window)
    active = {p.infohash for p in planned if p.active}
    for run in [r for r in existing if r.status == PREEMPTED and r.infohash in active]:
        session.delete(run)  # preempted while idle, active now: planned again below
        existing.remove(run)
    session.flush()
    known = {r.infohash for r in existing}
    room = max(0, limit - sum(1 for r in existing if r.status != PREEMPTED))
    idle = [  # origin swarms are planned idle; others only once active
        r
        for r in existing
        if r.origin and r.status in (PLANNED, RUNNING) and r.infohash not in active
    ]
    idle.sort(key=lambda r: r.infohash, reverse=True)  # the last to yield is the first by hash
    rows = []
    for p in sorted(planned, key=lambda p: (not p.active, p.infohash)):
        if p.infohash in known:
            continue
        if room > 0:
            room -= 1
        elif p.active and idle:
            yielding = idle.pop()
            yielding.status, yielding.ended_at = PREEMPTED, now
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


def finish(session: Session, run_id: int, now: int, evidence_id: int | None) -> None:
    run = session.get(ProbeRun, run_id)
    if run is not None and run.status == RUNNING:
        run.status, run.ended_at, run.evidence_id = DONE, now, evidence_id


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
    """Runs planned for windows in ``[start_at, end_at)`` not yet done or timed out (after
    timing out those past their deadline)."""
    expire(session, now)
    query = select(ProbeRun).where(
        ProbeRun.window >= start_at,
        ProbeRun.window < end_at,
        ProbeRun.status.in_((PLANNED, RUNNING)),
    )
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
        return f"for {len(waiting)} probe run(s) of its windows (the last deadline {last})"

    return ready
