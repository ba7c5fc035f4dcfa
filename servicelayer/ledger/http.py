"""The node's HTTP clients of Horizon: kept-alive connections without spurious resets.

GETs go through ``HorizonClient``, stellar-sdk's requests client. A server closes a
kept-alive connection once it has been idle for its keep-alive time (uvicorn: 5 s by
default). A client that sends its next request on that connection at the moment the
server closes it gets "connection reset" or "remote end closed connection" for a request
the server never saw. The watcher polls at a fixed interval, so with an interval near the
server's keep-alive this happened again and again. Two defences:

* connections idle longer than ``idle_seconds`` are not reused (set it below the
  server's keep-alive; the embedded Horizon keeps connections far longer than that);
* a GET (idempotent) that fails that way is sent once more, on a new connection. A
  second failure is a real one and is raised.

Submissions go through ``FormPoster``: one kept-alive ``http.client`` connection per
thread, the envelope posted as an already encoded form.
"""

from __future__ import annotations

import http.client
import logging
import threading
import time
from collections.abc import Callable
from urllib.parse import SplitResult, urlsplit

import requests
from stellar_sdk.client.requests_client import RequestsClient
from stellar_sdk.client.response import Response
from stellar_sdk.exceptions import ConnectionError as SdkConnectionError
from urllib3.exceptions import MaxRetryError, ProtocolError

from servicelayer.errors import InvariantViolation

log = logging.getLogger("acenode.ledger")

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


class HorizonClient(RequestsClient):
    """stellar-sdk's requests client with idle expiry and one retry of a dropped GET;
    no proxy or netrc lookups on loopback (reading them from the environment on every
    request was a fifth of a submission's client-side CPU)."""

    def __init__(
        self,
        timeout: int = 10,
        *,
        pool: int = 2,
        loopback: bool = False,
        idle_seconds: float = IDLE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        super().__init__(
            pool_size=pool, num_retries=0, request_timeout=timeout, post_timeout=timeout
        )
        if loopback:
            self._session.trust_env = False
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


FORM_ESCAPES = str.maketrans({"+": "%2B", "/": "%2F", "=": "%3D"})


class FormPoster:
    """Posts an already encoded form over one kept-alive ``http.client`` connection per
    thread (each settlement lane has its own).

    A base64 envelope needs only ``+ / =`` escaped; requests' generic urlencode quoted a
    100-operation envelope character by character, and its per-request machinery (hooks,
    adapters, cookie jars) cost three times the exchange itself. A connection the server
    closed while it was idle is replaced and the same form posted again, which is safe
    for a submission: the same envelope gets the same answer and applies at most once.
    Any other failure is stellar-sdk's ``ConnectionError``, which a submission reads as
    "unknown".
    """

    def __init__(self, timeout: float) -> None:
        self._timeout = timeout
        self._local = threading.local()
        self._open: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()

    def _connection(self, url: SplitResult) -> tuple[http.client.HTTPConnection, bool]:
        conn: http.client.HTTPConnection | None = getattr(self._local, "conn", None)
        if conn is not None:
            return conn, True
        cls = http.client.HTTPSConnection if url.scheme == "https" else http.client.HTTPConnection
        conn = cls(url.hostname or "", url.port, timeout=self._timeout)
        self._local.conn = conn
        with self._lock:
            self._open.append(conn)
        return conn, False

    def _drop(self) -> None:
        conn = getattr(self._local, "conn", None)
        self._local.conn = None
        if conn is not None:
            conn.close()

    def post(self, url: str, body: str) -> Response:
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        data = body.encode("ascii")
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        for attempt in (1, 2):
            conn, reused = self._connection(parts)
            try:
                conn.request("POST", target, data, headers)
                resp = conn.getresponse()
                content = resp.read()
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as err:
                self._drop()
                if reused and attempt == 1:
                    continue
                raise SdkConnectionError(err) from err
            except (OSError, http.client.HTTPException) as err:
                self._drop()
                raise SdkConnectionError(err) from err
            if resp.will_close:
                self._drop()
            text = content.decode(resp.headers.get_content_charset() or "utf-8", "replace")
            return Response(resp.status, text, dict(resp.headers), url)
        raise InvariantViolation("unreachable: the second attempt returns or raises")

    def close(self) -> None:
        with self._lock:
            for conn in self._open:
                conn.close()
            self._open.clear()


def is_loopback(url: str) -> bool:
    host = urlsplit(url).hostname or ""
    return host == "localhost" or host.startswith("127.") or host == "::1"
