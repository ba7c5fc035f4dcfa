"""The node's background jobs: the epoch pipeline, the swarm probes, governance, the
ledger watcher.

Each job runs at most one instance at a time and coalesces missed runs. Errors are
logged and the job runs again at its next tick; the pipeline itself records which
step an epoch reached, so nothing is lost or done twice across restarts.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime

from apscheduler.schedulers.background import BackgroundScheduler

from node.api.state import NodeState
from node.jobs.dao_gate import DaoGate
from node.jobs.governance import governance_executor, governance_tick
from node.pipeline import Pipeline
from node.watcher import build_watcher
from servicelayer.epochs.pipeline import PipelineConfig, advance, local_worker
from servicelayer.errors import LedgerUnavailable
from servicelayer.probes.probe import SystemClock
from servicelayer.probes.service import ProbePolicy, ProbeRunner
from servicelayer.probes.session import SharedSession, TorrentSession
from servicelayer.probes.settings import production_settings
from servicelayer.services.catalog import catalog_origins
from servicelayer.watcher.service import Watcher

log = logging.getLogger("acenode.jobs")


class _SkippedRunIsDebug(logging.Filter):
    """A tick skipped because the previous one is still running is by design (one
    instance per job, missed runs coalesced), e.g. while the node creates the DAO
    accounts: a debug line, not a warning at every interval."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING or "running instances" not in str(record.msg):
            return True
        record.levelno, record.levelname = logging.DEBUG, "DEBUG"
        return logging.getLogger(record.name).isEnabledFor(logging.DEBUG)


class NodeJobs:
    def __init__(self, state: NodeState) -> None:
        self.state = state
        self.worker = local_worker()
        scheduler_log = logging.getLogger("apscheduler.scheduler")
        if not scheduler_log.filters:
            scheduler_log.addFilter(_SkippedRunIsDebug())
        self.scheduler = BackgroundScheduler(
            daemon=True,
            job_defaults={"coalesce": True, "max_instances": 1},
        )
        self.torrents: list[TorrentSession] = []
        self.probes: ProbeRunner | None = None
        self.pipeline = Pipeline(state)
        self.dao = DaoGate(state, self.pipeline.ledger)
        self.watcher: Watcher | None = None
        self.watcher_error: str | None = None
        self.stopping = threading.Event()
        self.governance = governance_executor(state)

    def start(self) -> None:
        s = self.state.settings
        if s.epochs.enabled:
            self.scheduler.add_job(
                self.epochs_tick, "interval", id="epochs", seconds=s.epochs.interval_seconds
            )
            if self.state.federation is not None:
                self.state.federation.follower.wake = self.wake_epochs
                self.scheduler.add_job(
                    self.relay_tick,
                    "interval",
                    id="relay",
                    seconds=s.federation.relay_seconds,
                )
        if s.probes.enabled:
            self.probes = self._probe_runner()
            self.scheduler.add_job(
                self.probes_tick, "interval", id="probes", seconds=s.probes.interval_seconds
            )
        if s.watcher.enabled:
            self.watcher = build_watcher(self.state)
            self.scheduler.add_job(
                self.watcher_tick,
                "interval",
                id="watcher",
                seconds=s.watcher.interval_seconds,
                next_run_time=datetime.now(UTC),  # follow the ledger from the start
            )
        if s.governance.enabled and self.state.federation is None:  # else: at each close
            self.scheduler.add_job(
                self.governance_tick,
                "interval",
                id="governance",
                seconds=s.governance.interval_seconds,
            )
        self.scheduler.start()

    def stop(self) -> None:
        """Stop within about one probe poll: a probe in progress is cancelled."""
        self.stopping.set()
        self.scheduler.shutdown(wait=True)
        if self.probes is not None:
            self.probes.close()
        for torrents in self.torrents:
            torrents.close()
        self.pipeline.close()
        if self.watcher is not None:
            self.watcher.feed.close()

    def wake_epochs(self) -> None:
        """Run the epoch steps now (a leader is waiting for this node's epoch), or right
        after the run under way."""
        job = self.scheduler.get_job("epochs")
        if job is not None:
            job.modify(next_run_time=datetime.now(UTC))

    def epochs_tick(self) -> None:
        s = self.state.settings
        config = PipelineConfig(
            s.epoch_seconds,
            s.epochs.close_grace_seconds,
            max_bytes_per_second=s.max_bytes_per_second,
        )
        steps = self.dao.steps(self.pipeline.steps())
        federation = self.state.federation
        agreement = None if federation is None else federation.validator
        advance(self.state.database, config, steps, self.worker, self.state.clock(), agreement)

    def relay_tick(self) -> None:
        """Pull the other validators' new batches of receipts."""
        assert self.state.federation is not None
        kept = self.state.federation.relay.pull()
        if kept:
            log.debug("relayed %d batch(es) of receipts", kept)

    def governance_tick(self) -> None:
        governance_tick(self.governance)

    def _probe_runner(self) -> ProbeRunner:
        s, p = self.state.settings, self.state.settings.probes
        # Two sessions, for even and odd windows: a swarm's probes of two consecutive windows
        # overlap, and one session holds a torrent once (servicelayer/probes/service.py).
        even = TorrentSession(production_settings(p.listen, dht=p.dht))
        self.torrents = [even]
        odd = TorrentSession(production_settings(_next_port(p.listen), dht=p.dht))
        self.torrents.append(odd)
        policy = ProbePolicy(
            seconds=p.seconds,
            budget_bytes=p.budget_bytes,
            max_concurrent=p.max_concurrent,
            window_bytes=p.window_bytes,
            connections_per_probe=p.connections_per_probe,
            active_windows=p.active_windows,
            service_checks=p.service_checks,
            service_seconds=p.service_seconds,
        )
        runtime = self.state.runtime
        return ProbeRunner(
            self.state.database,
            (SharedSession(even), SharedSession(odd)),
            self.state.keypair,
            self.state.policy.network_id,
            s.epoch_seconds,
            policy,
            SystemClock(),
            lambda session: catalog_origins(runtime, session),
            self.stopping.is_set,
            None if self.state.federation is None else self.state.federation.probes(),
        )

    def probes_tick(self) -> None:
        """Plan the current window's probes (once) and start them; returns at once."""
        assert self.probes is not None
        started = self.probes.tick()
        if started:
            log.info("probing %d swarm(s) this window", len(started))

    def watcher_tick(self) -> None:
        assert self.watcher is not None
        try:
            report = self.watcher.tick()
        except LedgerUnavailable as exc:
            if str(exc) != self.watcher_error:  # once per distinct problem, not every tick
                log.warning("ledger watcher: %s", exc)
            self.watcher_error = str(exc)
            return
        if self.watcher_error is not None:
            log.warning("ledger watcher: following the ledger again")
            self.watcher_error = None
        if report.payments or report.snapshots:
            log.info(
                "ledger %d: treasury payments %s, snapshots of proposals %s",
                report.ledger,
                report.payments,
                report.snapshots,
            )


def _next_port(listen: str) -> str:
    """The listen interfaces with each fixed port one higher (port 0 stays 0)."""
    out = []
    for item in listen.split(","):
        host, _, port = item.strip().rpartition(":")
        if not host or not port.isdigit() or int(port) in (0, 65535):
            out.append(item.strip())
        else:
            out.append(f"{host}:{int(port) + 1}")
    return ",".join(out)
