"""Serving the Horizon front from inside a process: uvicorn on a background thread.

For the node's embedded default and for tests; ``acenode ledger serve`` runs uvicorn in
the foreground instead.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time

import uvicorn

from servicelayer.errors import ConfigError, LedgerUnavailable
from testnet.ledger import StandaloneLedger
from testnet.ledger.front.app import create_horizon_app

KEEP_ALIVE_SECONDS = 75
"""How long an idle client connection stays open (uvicorn's default is 5 s). The node's
own clients poll the ledger every few seconds (the watcher every 5 s, the pipeline every
30 s); with a keep-alive equal to a poll interval the server closed a connection just as
the client sent its next request on it, which the client saw as a reset. Only loopback
clients connect, so holding idle connections longer costs nothing."""


class HorizonServer:
    """``HorizonServer(ledger).start()`` returns the URL; ``stop()`` shuts it down."""

    def __init__(
        self,
        ledger: StandaloneLedger,
        host: str = "127.0.0.1",
        port: int = 0,
        base_url: str | None = None,
        keep_alive: int = KEEP_ALIVE_SECONDS,
        http: type[asyncio.Protocol] | str = "h11",
        submit_timeout: float = 30.0,
    ) -> None:
        self._sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            self._sock.bind((host, port))  # port 0: the OS picks a free one, no race
        except OSError as exc:
            self._sock.close()
            raise ConfigError(f"cannot listen on {host}:{port}: {exc}") from exc
        self.host, self.port = host, int(self._sock.getsockname()[1])
        self.url = base_url or f"http://{host}:{self.port}/"
        config = uvicorn.Config(
            create_horizon_app(ledger, base_url=base_url, submit_timeout=submit_timeout),
            http=http,  # the node passes its guarded protocol: read deadlines, connection caps
            log_level="warning",
            timeout_keep_alive=keep_alive,
            timeout_graceful_shutdown=3,  # open event streams must not hold up a stop
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, name="horizon", daemon=True
        )

    def start(self, timeout: float = 15.0) -> str:
        self._thread.start()
        deadline = time.monotonic() + timeout
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise LedgerUnavailable(f"the Horizon server on port {self.port} did not start")
            time.sleep(0.01)
        return self.url

    def stop(self, timeout: float = 10.0) -> None:
        self._server.should_exit = True
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._sock.close()
