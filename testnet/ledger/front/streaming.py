"""Paged collections, as JSON pages or as Server-Sent Events (``Accept: text/event-stream``).

A stream starts at ``cursor`` (default ``now``), sends each new record with its paging
token as the event id, and ends after a while with ``"byebye"``; stellar-sdk's
``.stream()`` reconnects from the last id, as it does with Horizon.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import Response, StreamingResponse
from starlette.concurrency import run_in_threadpool

from testnet.ledger import paging
from testnet.ledger.front.context import HorizonContext, respond

Fetch = Callable[[int | None, bool, int], list[dict[str, Any]]]
_BATCH = 200


def wants_stream(request: Request) -> bool:
    return "text/event-stream" in request.headers.get("accept", "")


def paged(ctx: HorizonContext, request: Request, path: str, fetch: Fetch) -> Response:
    """``fetch(cursor, descending, limit)`` returns rendered records with paging tokens."""
    if wants_stream(request):
        return event_stream(ctx, request, fetch)
    p = ctx.page_params(request)
    return respond(paging.page(fetch(p.cursor, p.descending, p.limit), ctx.base(request), path, p))


def _event(record: dict[str, Any]) -> str:
    return f"id: {record['paging_token']}\ndata: {json.dumps(record)}\n\n"


def event_stream(ctx: HorizonContext, request: Request, fetch: Fetch) -> StreamingResponse:
    raw = request.query_params.get("cursor")
    if raw in (None, "", "now"):
        start: int | None = ((ctx.ledger.latest_ledger().seq + 1) << 32) - 1
    else:
        start = ctx.page_params(request).cursor

    async def events() -> AsyncIterator[str]:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + ctx.stream_seconds
        cursor = start
        yield 'retry: 1000\nevent: open\ndata: "hello"\n\n'
        while loop.time() < deadline and not await request.is_disconnected():
            records = await run_in_threadpool(fetch, cursor, False, _BATCH)
            for record in records:
                yield _event(record)
                cursor = int(record["paging_token"])
            if len(records) < _BATCH:
                await asyncio.sleep(ctx.stream_poll)
        yield 'event: close\ndata: "byebye"\n\n'

    return StreamingResponse(
        events(), media_type="text/event-stream", headers={"Cache-Control": "no-cache"}
    )
