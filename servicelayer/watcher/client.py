"""The watcher's HTTP client: kept-alive connections without spurious resets.

A server closes a kept-alive connection once it has been idle for its keep-alive time
(uvicorn: 5 s by default). A client that sends its next request on that connection at the
moment the server closes it gets "connection reset" or "remote end closed connection" for
a request the server never saw. The watcher polls at a fixed interval, so with an
interval near the server's keep-alive this happened again and again. Two defences:

* connections idle longer than ``idle_seconds`` are not reused (set it below the
  server's keep-alive; the embedded Horizon keeps connections far longer than that);
* a GET (idempotent) that fails that way is sent once more, on a new connection. A
  second failure is a real one and is raised.
"""

from __future__ import annotations

import http.client
import logging
import time
from collections.abc import Callable

import requests
from stellar_sdk.client.requests_client import RequestsClient
from stellar_sdk.client.response import Response
from stellar_sdk.exceptions import ConnectionError as SdkConnectionError
from urllib3.exceptions import MaxRetryError, ProtocolError

log = logging.getLogger("acenode.watcher")

IDLE_SECONDS = 4.0
"""Below uvicorn's default keep-alive (5 s), the shortest a Horizon front is likely to use."""

_DROPPED = (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)


def dropped_by_server(exc: BaseException) -> bool:
    """Whether ``exc`` (a stellar-sdk ``ConnectionError``) says the server closed or reset
    the connection before answering, rather than being unreachable or slow."""
    cause = exc.__cause__
    reason = cause.args[0] if isinstance(cause, requests.ConnectionError) and cause.args else None
    if isinstance(reason, MaxRetryError):
        reason = reason.reason
    if isinstance(reason, ProtocolError):
        return any(isinstance(arg, _DROPPED) for arg in reason.args)
    return isinstance(reason, _DROPPED)


class FeedClient(RequestsClient):
    """stellar-sdk's requests client with idle expiry and one retry of a dropped GET."""

    def __init__(
        self,
        timeout: int = 10,
        *,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(pool_size=2, num_retries=0, request_timeout=timeout, post_timeout=timeout)
        self.idle_seconds = idle_seconds
        self.clock = clock
        self.last_used: float | None = None
        self.retried = 0  # GETs sent again after the server dropped their connection

    def get(
        self,
        url: str,
        params: dict[str, str] | None = None,
        max_content_size: int | None = None,
    ) -> Response:
        if self.last_used is not None and self.clock() - self.last_used > self.idle_seconds:
            self.drop_idle()
        try:
            return super().get(url, params, max_content_size)
        except SdkConnectionError as exc:
            if not dropped_by_server(exc):
                raise
            self.retried += 1
            log.debug("Horizon dropped a kept-alive connection; GET sent again: %s", url)
            self.drop_idle()
            return super().get(url, params, max_content_size)
        finally:
            self.last_used = self.clock()

    def drop_idle(self) -> None:
        """Close the pooled connections: the next request opens a new one."""
        for adapter in self._session.adapters.values():
            adapter.close()
