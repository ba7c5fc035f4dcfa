"""ASGI middleware of the API: the request body limit, and the last line of defence against
unexpected exceptions and clients that leave in the middle of an upload.

Both are plain ASGI (no ``BaseHTTPMiddleware``): they see every message, add no task, and
run outside the routes' exception handlers, inside Starlette's ``ServerErrorMiddleware``.
"""

from __future__ import annotations

import logging
from types import TracebackType

from starlette.datastructures import Headers
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from node.http_guard import CUT_OFF_KEY, drain_body, printable, send_error

log = logging.getLogger("acenode.api")

_MAX_REPORTED = 1024
_OUR_PACKAGES = ("node.", "servicelayer.", "contracts.")


class BodyTooLarge(HTTPException):
    """Rendered ``413 body_too_large`` by the API's handler for HTTP errors."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, too_large(limit))


class BodyLimit:
    """Refuses a body over ``max_body_bytes`` with ``413 body_too_large``, whether its
    Content-Length announces it (answered before the application runs) or its bytes show it.

    Before any answer to a request whose body is unfinished, at most ``drain_bytes`` of
    the rest are read and discarded: a client that sends its whole body before it reads
    (urllib, requests) then reads the answer instead of a connection reset. Past that bound,
    or when the client still waits for ``100 Continue``, the answer closes the connection.
    """

    def __init__(self, app: ASGIApp, max_body_bytes: int, drain_bytes: int) -> None:
        self.app = app
        self.max_body_bytes = max_body_bytes
        self.drain_bytes = drain_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exchange = _LimitedExchange(self, scope, receive, send)
        if exchange.announced_too_large:
            detail = too_large(self.max_body_bytes)
            await send_error(exchange.send, 413, "body_too_large", detail, [])
            return
        await self.app(scope, exchange.receive, exchange.send)


def too_large(limit: int) -> str:
    return f"the body is larger than this node accepts (max_body_bytes: {limit})"


class _LimitedExchange:
    def __init__(self, limit: BodyLimit, scope: Scope, receive: Receive, send: Send) -> None:
        self.limit = limit
        self._receive, self._send = receive, send
        headers = Headers(scope=scope)
        length = _content_length(headers.get("content-length"))
        chunked = "transfer-encoding" in headers
        self.announced_too_large = length is not None and length > limit.max_body_bytes
        self.body_done = not chunked and not length  # HTTP/1.1: no length, no body
        self.waits_for_continue = headers.get("expect", "").lower() == "100-continue"
        self.received_any = False
        self.seen = 0

    async def receive(self) -> Message:
        message: Message = await self._receive()
        self.received_any = True
        if message["type"] != "http.request":
            self.body_done = True
            return message
        self.seen += len(message.get("body", b""))
        self.body_done = not message.get("more_body", False)
        if self.seen > self.limit.max_body_bytes:
            raise BodyTooLarge(self.limit.max_body_bytes)
        return message

    async def send(self, message: Message) -> None:
        starting = message["type"] == "http.response.start"
        if starting and not self.body_done and not await self._finish_body():
            headers = [*message.get("headers", []), (b"connection", b"close")]
            message = {**message, "headers": headers}
        await self._send(message)

    async def _finish_body(self) -> bool:
        """Read the rest of the body (bounded); False when the connection must close."""
        self.body_done = True
        if self.waits_for_continue and not self.received_any:
            return False  # the client has not sent it, and need not
        return await drain_body(self._receive, self.limit.drain_bytes)


def _content_length(value: str | None) -> int | None:
    if value is None or not value.strip().isdigit():
        return None
    return int(value)


class RequestGuard:
    """An exception no handler took becomes ``500 internal_error`` (our JSON body) and one
    error line naming its type, where it was raised in our code, the method and the path.
    Its traceback is logged the first time that type is raised at that place (so a new bug
    is reported in full while a client repeating the request cannot fill the log), and
    every time at DEBUG. A client that leaves before its body is complete is one info
    line, not a traceback (node/http_guard.py logs the clients it cuts off itself).
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._reported: set[tuple[str, str, int]] = set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        watch = _Watch(receive, send)
        try:
            await self.app(scope, watch.receive, watch.send)
        except Exception as exc:
            if not watch.aborted:
                self._report(exc, scope)
                if not watch.started:
                    detail = "the node failed to answer this request; the failure is logged"
                    await send_error(send, 500, "internal_error", detail, [])
        if watch.aborted and CUT_OFF_KEY not in scope:  # a cut-off is logged where it is made
            log.info(
                "upload aborted: %s %s from %s after %d body bytes",
                scope["method"],
                printable(scope["path"]),
                _client(scope),
                watch.seen,
            )

    def _report(self, exc: Exception, scope: Scope) -> None:
        where, line = _origin(exc.__traceback__)
        key = (type(exc).__qualname__, where, line)
        first = key not in self._reported and len(self._reported) < _MAX_REPORTED
        if first:
            self._reported.add(key)
        log.error(
            "internal_error: %s in %s:%d on %s %s",
            type(exc).__qualname__,
            where,
            line,
            scope["method"],
            printable(scope["path"]),
            exc_info=exc if first or log.isEnabledFor(logging.DEBUG) else None,
        )


class _Watch:
    def __init__(self, receive: Receive, send: Send) -> None:
        self._receive, self._send = receive, send
        self.started = False
        self.body_done = False
        self.aborted = False
        self.seen = 0

    async def receive(self) -> Message:
        message: Message = await self._receive()
        if message["type"] == "http.request":
            self.seen += len(message.get("body", b""))
            self.body_done = self.body_done or not message.get("more_body", False)
        elif message["type"] == "http.disconnect" and not self.body_done:
            self.aborted = True
        return message

    async def send(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.started = True
        await self._send(message)


def _origin(tb: TracebackType | None) -> tuple[str, int]:
    """The innermost frame of our own code (module, line) an exception passed through."""
    where, line = "?", 0
    while tb is not None:
        module = str(tb.tb_frame.f_globals.get("__name__", "?"))
        if module.startswith(_OUR_PACKAGES) or where == "?":
            where, line = module, tb.tb_lineno
        tb = tb.tb_next
    return where, line


def _client(scope: Scope) -> str:
    client = scope.get("client")
    return str(client[0]) if client else "?"
