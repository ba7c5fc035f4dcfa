"""uvicorn as our daemons run it: SIGTERM/SIGINT drain in-flight requests, exit status 0;
the node's own loggers print beside uvicorn's."""

from __future__ import annotations

import contextlib
import copy
import signal
import threading
from collections.abc import Iterator
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG


def log_config(level: str) -> dict[str, Any]:
    """uvicorn's logging configuration, plus the node's ``acenode.*`` loggers at ``level``
    through the same handler (without it they have no handler and lines below WARNING,
    e.g. an aborted upload or a cut-off slow client, are lost)."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config["loggers"]["acenode"] = {
        "handlers": ["default"],
        "level": level.upper(),
        "propagate": False,
    }
    return config


class GracefulServer(uvicorn.Server):
    """uvicorn re-raises the signal it caught once it has drained, so the process would
    die of SIGTERM; here the signal only asks the server to stop, and ``run`` returns."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        handled = (signal.SIGINT, signal.SIGTERM)
        previous = {sig: signal.signal(sig, self.handle_exit) for sig in handled}
        try:
            yield
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
