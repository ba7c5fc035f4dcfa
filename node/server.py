"""The daemon: the API on uvicorn. SIGTERM or SIGINT drains in-flight requests, exits 0."""

from __future__ import annotations

import logging
import signal

import uvicorn

from node.api.app import create_app
from node.runtime import build_state
from servicelayer.config import NodeSettings

log = logging.getLogger("acenode")


def serve(settings: NodeSettings) -> None:
    state = build_state(settings)
    app = create_app(state)
    config = uvicorn.Config(
        app,
        host=settings.host,
        port=settings.port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=30,
        server_header=False,
    )
    server = uvicorn.Server(config)
    # uvicorn re-raises the signal it caught once it has drained; a no-op handler makes
    # that re-raise harmless, so a drained shutdown ends with exit status 0.
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: None)
    log.info("node %s on http://%s:%d", state.node_account, settings.host, settings.port)
    try:
        server.run()
    finally:
        state.database.dispose()
