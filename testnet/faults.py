"""A fault-injecting HTTP proxy on loopback, between a client and a real Horizon.

Everything is forwarded to the upstream ledger. For the submissions it is told to spoil
(``POST /transactions``, chosen by their order), it either forwards the request and then
answers 504 (the ledger applied it, the client is told it timed out), forwards it and
then drops the connection without an answer, or drops the connection before forwarding.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable
from enum import StrEnum

import httpx

_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding"}


class Fault(StrEnum):
    GATEWAY_TIMEOUT_AFTER_APPLY = "504_after_forward"
    DROP_AFTER_FORWARD = "drop_after_forward"
    DROP_BEFORE_FORWARD = "drop_before_forward"


class FaultProxy:
    """``FaultProxy(upstream, choose).start()`` returns the proxy's URL.

    ``choose(n)`` gets the 1-based number of each ``POST /transactions`` and returns the
    fault to inject for it, or None to pass it through.
    """

    def __init__(self, upstream: str, choose: Callable[[int], Fault | None]) -> None:
        self.upstream = upstream.rstrip("/")
        self.choose = choose
        self.submissions = 0
        self.injected: dict[Fault, int] = {f: 0 for f in Fault}
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.AbstractServer | None = None
        self._client: httpx.AsyncClient | None = None
        self._connections: set[asyncio.Task[None]] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self.url = ""

    def start(self) -> str:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self.url

    async def _start(self) -> None:
        self._client = httpx.AsyncClient(timeout=120)
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> None:
        async def _stop() -> None:
            if self._server is not None:
                self._server.close()
            for task in self._connections:
                task.cancel()
            await asyncio.gather(*self._connections, return_exceptions=True)
            if self._client is not None:
                await self._client.aclose()

        asyncio.run_coroutine_threadsafe(_stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._connections.add(task)
        try:
            while True:
                request = await _read_request(reader)
                if request is None:
                    break
                if not await self._handle(writer, *request):
                    break
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            writer.close()
            self._connections.discard(task)

    async def _handle(
        self,
        writer: asyncio.StreamWriter,
        method: str,
        path: str,
        headers: dict[str, str],
        body: bytes,
    ) -> bool:
        """Answers one request; False when the connection is to be dropped."""
        fault = None
        if method == "POST" and path.split("?")[0].rstrip("/") == "/transactions":
            self.submissions += 1
            fault = self.choose(self.submissions)
        if fault is not None:
            self.injected[fault] += 1
        if fault == Fault.DROP_BEFORE_FORWARD:
            return False
        assert self._client is not None
        upstream = await self._client.request(
            method,
            self.upstream + path,
            content=body,
            headers={k: v for k, v in headers.items() if k not in _HOP and k != "host"},
        )
        if fault == Fault.DROP_AFTER_FORWARD:
            return False
        if fault == Fault.GATEWAY_TIMEOUT_AFTER_APPLY:
            await _write(
                writer, 504, "application/problem+json", b'{"status":504,"title":"Timeout"}'
            )
            return True
        ctype = upstream.headers.get("content-type", "application/json")
        await _write(writer, upstream.status_code, ctype, upstream.content)
        return True


async def _read_request(
    reader: asyncio.StreamReader,
) -> tuple[str, str, dict[str, str], bytes] | None:
    line = await reader.readline()
    if not line:
        return None
    method, path, _ = line.decode("latin-1").split(" ", 2)
    headers: dict[str, str] = {}
    while (raw := await reader.readline()) not in (b"\r\n", b"\n", b""):
        name, _, value = raw.decode("latin-1").partition(":")
        headers[name.strip().lower()] = value.strip()
    length = int(headers.get("content-length", "0") or 0)
    body = await reader.readexactly(length) if length else b""
    return method, path, headers, body


async def _write(writer: asyncio.StreamWriter, status: int, ctype: str, body: bytes) -> None:
    head = (
        f"HTTP/1.1 {status} X\r\ncontent-type: {ctype}\r\ncontent-length: {len(body)}\r\n"
        "connection: keep-alive\r\n\r\n"
    )
    writer.write(head.encode("latin-1") + body)
    await writer.drain()
