"""The daemon: the API on uvicorn and the scheduled jobs. SIGTERM or SIGINT drains
in-flight requests, stops the jobs, and the process exits 0."""

from __future__ import annotations

import faulthandler
import gc
import logging
import signal

import uvicorn

from node.api.app import create_app
from node.embedded_ledger import start_embedded_ledger
from node.http_guard import guarded_protocol
from node.jobs.scheduler import NodeJobs
from node.runtime import build_state, node_clock, secure_data_dir
from node.serving import GracefulServer, log_config
from servicelayer.config import NodeSettings
from servicelayer.keys import ensure_key_file
from servicelayer.storage.db import normalise_url

log = logging.getLogger("acenode")


def serve(settings: NodeSettings) -> None:
    # what can be refused (a bad database URL, a readable key) is refused first, before
    # anything starts or listens: one clear error, even if a port is taken as well
    normalise_url(settings.resolved_database_url())
    secure_data_dir(settings)  # before the embedded ledger writes its database into it
    ensure_key_file(settings.key_file)
    ledger = start_embedded_ledger(settings) if settings.stellar.runs_embedded_ledger else None
    try:
        _serve(settings)
    finally:
        if ledger is not None:
            ledger.stop()


def _serve(settings: NodeSettings) -> None:
    faulthandler.register(signal.SIGUSR1)  # `kill -USR1 <pid>`: every thread's stack to the log
    state = build_state(settings, node_clock(settings.clock_offset_seconds))
    app = create_app(state)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        http=guarded_protocol(settings.http),
        timeout_keep_alive=settings.http.keep_alive_seconds,
        log_config=log_config(settings.log_level),
        log_level=settings.log_level,
        timeout_graceful_shutdown=30,
        server_header=False,
        # the client address rate limits count by: the peer, unless it is a trusted proxy
        proxy_headers=bool(settings.limits.trusted_proxies),
        forwarded_allow_ips=settings.limits.trusted_proxies or None,
    )
    server = GracefulServer(config)
    jobs = NodeJobs(state)
    jobs.start()
    # Everything built so far (modules, app, settings) lives as long as the process: move
    # it out of the collector's reach, so a full collection walks only what requests made.
    gc.collect()
    gc.freeze()
    log.info("node %s on http://%s:%d", state.node_account, settings.host, settings.port)
    try:
        server.run()
    finally:
        jobs.stop()
        state.database.dispose()
