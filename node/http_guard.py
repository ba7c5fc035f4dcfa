"""uvicorn's h11 protocol with what uvicorn lacks: a deadline for the request head, a
minimum rate for the body, and caps on open connections, in all and per client address.

uvicorn (0.55) closes idle keep-alive connections but has no read timeout: a client that
sends a request head or body a byte at a time keeps its connection (and, for a body, a
task) open for as long as it likes. This subclass keeps one deadline per connection:

- head: ``header_timeout_seconds`` from accepting the connection, or from the first byte
  of the next request on a kept-alive one, to a complete request head (an idle kept-alive
  connection is uvicorn's ``timeout_keep_alive``'s);
- body: at most ``body_timeout_seconds`` ahead; every byte received moves it
  ``1 / body_min_bytes_per_second`` s later (Apache's mod_reqtimeout ``MinRate``), so a
  body must keep that average rate and may never pause longer than the timeout. Time
  during which the node itself holds reading (the application has not taken the bytes
  buffered so far) is never held against the client;
- none while the application works on a complete request or writes its answer.

A client past a deadline is disconnected and logged in one line. A connection past
``max_connections`` (or ``max_connections_per_client`` from one address) is served a
``503 too_many_connections`` JSON answer with ``Retry-After`` and closed; its request goes
no further.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections import Counter
from typing import Any, ClassVar

import h11
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from servicelayer.http_settings import HttpSettings

log = logging.getLogger("acenode.http")

# Scope key: the protocol cut this request's connection off (and logged why).
CUT_OFF_KEY = "acenode.cut_off"
_REFUSAL_LOG_INTERVAL = 10.0
_HEAD, _BODY, _NONE = "head", "body", "none"


def printable(text: str, limit: int = 200) -> str:
    """Text from a client (e.g. a request path) as one safe log field: control and
    non-ASCII characters escaped, at most ``limit`` characters."""
    return text[:limit].encode("unicode_escape").decode("ascii")


def error_body(code: str, detail: str) -> bytes:
    return json.dumps({"error": code, "detail": detail}).encode()


async def send_error(
    send: Send, status: int, code: str, detail: str, headers: list[tuple[bytes, bytes]]
) -> None:
    """Answer ``{"error": code, "detail": detail}`` on a raw ASGI ``send``."""
    body = error_body(code, detail)
    head = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *headers,
    ]
    await send({"type": "http.response.start", "status": status, "headers": head})
    await send({"type": "http.response.body", "body": body, "more_body": False})


async def drain_body(receive: Receive, limit: int) -> bool:
    """Read and discard what is left of a request body, at most ``limit`` bytes; True when
    the body was read to its end. Call only while the body is unfinished."""
    seen = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return False  # the client went away
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            return True
        if seen > limit:
            return False


class ConnectionBook:
    """The open connections of one server, in all and per client address."""

    def __init__(self, limits: HttpSettings) -> None:
        self.limits = limits
        self.total = 0
        self.by_address: Counter[str] = Counter()
        self.refused = 0
        self._last_report = 0.0

    def admit(self, address: str | None) -> str | None:
        """Count a new connection; the reason to refuse it, or None to serve it."""
        self.total += 1
        if address is not None:
            self.by_address[address] += 1
        per_client = self.limits.max_connections_per_client
        if self.total > self.limits.max_connections:
            reason = f"the node has {self.limits.max_connections} connections open (its limit)"
        elif address is not None and per_client and self.by_address[address] > per_client:
            reason = f"{per_client} connections from your address are open (the limit)"
        else:
            return None
        self._report_refusal()
        return reason

    def release(self, address: str | None) -> None:
        self.total -= 1
        if address is not None:
            self.by_address[address] -= 1
            if self.by_address[address] <= 0:
                del self.by_address[address]

    def _report_refusal(self) -> None:
        """One warning per interval, not one per refused connection (a flood would fill
        the log)."""
        self.refused += 1
        now = time.monotonic()
        if now - self._last_report >= _REFUSAL_LOG_INTERVAL:
            log.warning(
                "refused %d connection(s) past the limits (max_connections=%d, "
                "max_connections_per_client=%d); %d open",
                self.refused,
                self.limits.max_connections,
                self.limits.max_connections_per_client,
                self.total,
            )
            self.refused, self._last_report = 0, now


def _refusing_app(reason: str, drain_bytes: int) -> ASGIApp:
    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await drain_body(receive, drain_bytes)  # so that the client gets to read the 503
        headers = [(b"retry-after", b"1"), (b"connection", b"close")]
        await send_error(send, 503, "too_many_connections", reason, headers)

    return app


def guarded_protocol(limits: HttpSettings) -> type[GuardedH11Protocol]:
    """A protocol class for ``uvicorn.Config(http=...)``; its connections share one book,
    so each server (the API, the embedded Horizon front) counts its own."""

    class Protocol(GuardedH11Protocol):
        pass

    Protocol.limits = limits
    Protocol.book = ConnectionBook(limits)
    return Protocol


class GuardedH11Protocol(H11Protocol):
    limits: ClassVar[HttpSettings]
    book: ClassVar[ConnectionBook]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        super().__init__(config, server_state, app_state, _loop)
        self._address: str | None = None
        self._counted = False
        self._phase = _NONE
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._address = self.client[0] if self.client else None
        refusal = self.book.admit(self._address)
        self._counted = True
        if refusal is not None:
            self.app = _refusing_app(refusal, self.limits.drain_bytes)
        self._follow_state(head_started=True)  # a new connection owes its head from now

    def connection_lost(self, exc: Exception | None) -> None:
        if self._counted:
            self.book.release(self._address)
            self._counted = False
        self._phase = _NONE
        self._cancel_timer()
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase == _BODY:
            now = self.loop.time()
            credit = len(data) / self.limits.body_min_bytes_per_second
            self._deadline = min(self._deadline + credit, now + self.limits.body_timeout_seconds)
        super().data_received(data)
        self._follow_state(head_started=True)

    def on_response_complete(self) -> None:
        super().on_response_complete()
        # between requests the keep-alive timeout rules (config.timeout_keep_alive); the
        # next head's deadline starts with its first byte (or now, if it is buffered)
        self._follow_state(head_started=bool(self.conn.trailing_data[0]))

    def send_400_response(self, msg: str) -> None:
        """uvicorn's answer to a request that is not HTTP, as our JSON error body."""
        body = error_body("invalid_http", msg)
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        answer = h11.Response(status_code=400, headers=headers, reason=b"Bad Request")
        for event in (answer, h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()

    # the deadline

    def _follow_state(self, head_started: bool) -> None:
        """Start the deadline of what the connection now waits for from the client."""
        if self.transport is None or self.transport.is_closing():
            return
        their = self.conn.their_state
        if their is h11.IDLE:
            phase = _HEAD if head_started or self._phase == _HEAD else _NONE
        else:
            phase = _BODY if their is h11.SEND_BODY else _NONE
        if phase == self._phase:
            return
        self._phase = phase
        self._cancel_timer()
        if phase == _NONE:
            return
        limits = self.limits
        wait = limits.header_timeout_seconds if phase == _HEAD else limits.body_timeout_seconds
        self._deadline = self.loop.time() + wait
        self._timer = self.loop.call_later(wait, self._check)

    def _check(self) -> None:
        self._timer = None
        if self._phase == _NONE or self.transport.is_closing():
            return
        now = self.loop.time()
        if self._phase == _BODY and self._node_holds_the_body():
            self._deadline = max(self._deadline, now + self.limits.body_timeout_seconds)
        if now < self._deadline:
            self._timer = self.loop.call_later(self._deadline - now, self._check)
            return
        self._cut_off()

    def _node_holds_the_body(self) -> bool:
        """True while the wait is the node's: reading paused until the application takes
        what is buffered, or a client waiting for the ``100 Continue`` the application
        sends when it starts reading."""
        waiting = self.cycle is not None and self.cycle.waiting_for_100_continue
        return self.flow.read_paused or waiting

    def _cut_off(self) -> None:
        if self._phase == _HEAD:
            reason = "request head not complete within http.header_timeout_seconds"
        else:
            reason = "request body slower than http.body_min_bytes_per_second or paused"
            reason += " longer than http.body_timeout_seconds"
        request = ""
        if self.cycle is not None and not self.cycle.response_complete:
            # the application sees a disconnect; the key tells it this line was logged
            self.scope[CUT_OFF_KEY] = reason  # type: ignore[literal-required]
            request = f" ({self.scope['method']} {printable(self.scope['path'])})"
        log.info("closed the connection from %s%s: %s", self._address, request, reason)
        self._phase = _NONE
        self.transport.abort()

    def _cancel_timer(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
