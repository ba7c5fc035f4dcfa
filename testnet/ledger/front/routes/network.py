"""Root, fee stats, submission, friendbot and claimable balances."""

from __future__ import annotations

import asyncio
import json
import logging
import time
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from servicelayer.errors import InvalidInput, LedgerUnavailable, NotFound
from testnet.ledger import (
    SubmissionResult,
    TryAgainLater,
    paging,
    result_from_record,
)
from testnet.ledger import horizon as h
from testnet.ledger.front.context import HorizonContext, respond, submitted

log = logging.getLogger("acenode.ledger")


async def _form_tx(request: Request) -> str:
    """The ``tx`` field of a form (as stellar-sdk posts it) or of a JSON body."""
    raw = (await request.body()).decode("utf-8", errors="replace")
    value: object = None
    if "json" in request.headers.get("content-type", ""):
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        value = body.get("tx") if isinstance(body, dict) else None
    else:
        value = _base64_field(raw)
        if value is None:
            values = parse_qs(raw).get("tx") or []
            value = values[0] if values else None
    if not isinstance(value, str) or not value:
        raise InvalidInput("the tx form field is required", code="bad_request:tx")
    return value


def _base64_field(raw: str) -> str | None:
    """``tx=...`` with only ``+ / =`` escaped, as stellar-sdk posts an envelope, decoded
    without parse_qs (which unquotes 20 KB character by character); None for any other
    form. Equal to parse_qs's value: once the three escapes are replaced no ``%`` is left,
    and a literal ``+`` (a space in a form) sends the form to parse_qs."""
    if not raw.startswith("tx=") or "&" in raw or "+" in raw:
        return None
    value = raw[3:].replace("%2B", "+").replace("%2F", "/").replace("%3D", "=")
    return value if value and "%" not in value else None


def _balance_cursor(cursor: str) -> tuple[int, str]:
    """Horizon's claimable balance paging token: ``{last_modified_ledger}-{id}``."""
    ledger, _, balance_id = cursor.partition("-")
    if not ledger.isdigit() or not balance_id:
        raise InvalidInput("cursor must be LEDGER-BALANCE_ID", code="bad_request:cursor")
    return int(ledger), balance_id.lower()


def register_network(app: FastAPI, ctx: HorizonContext) -> None:
    @app.get("/")
    def root(request: Request) -> JSONResponse:
        return respond(
            h.root(ctx.ledger.latest_ledger(), ctx.ledger.network_passphrase, ctx.base(request))
        )

    @app.get("/fee_stats")
    def fee_stats() -> JSONResponse:
        charged, offered = ctx.ledger.store.recent_fees(5)
        return respond(h.fee_stats(ctx.ledger.latest_ledger(), charged, offered))

    @app.post("/transactions")
    async def submit(request: Request) -> JSONResponse:
        envelope = await _form_tx(request)
        request.state.tx = envelope
        withheld = await run_in_threadpool(ctx.withholds, envelope)
        if withheld is not None:  # as if it never arrived: the sender waits, then times out
            log.warning("withheld a submission on purpose (--withhold-payments): %s", withheld)
            await asyncio.sleep(ctx.submit_timeout)
            raise LedgerUnavailable("not included in a ledger in time", code="timeout")
        # validation runs on a worker thread; waiting for the close holds no thread
        deadline = time.monotonic() + ctx.submit_timeout
        try:
            future = await run_in_threadpool(ctx.ledger.submit_async, envelope)
            result = await asyncio.wait_for(
                asyncio.shield(asyncio.wrap_future(future)), ctx.submit_timeout
            )
        except TimeoutError as exc:
            raise LedgerUnavailable("not included in a ledger in time", code="timeout") from exc
        except TryAgainLater:
            # Horizon treats stellar-core's TRY_AGAIN_LATER as submitted: it waits for the
            # hash to appear in a ledger (someone may submit the same envelope again)
            result = await _applied_before(ctx, envelope, deadline)
        if ctx.loses(result):
            log.warning("lost the answer to %s on purpose (--lose-answers)", result.hash)
            raise LedgerUnavailable("the answer was lost (the ledger applied it)", code="timeout")
        return submitted(ctx, request, result)

    async def friendbot(request: Request) -> JSONResponse:
        addr = request.query_params.get("addr") or ""
        result = await run_in_threadpool(ctx.ledger.friendbot, addr)
        return submitted(ctx, request, result)

    app.add_api_route("/friendbot", friendbot, methods=["GET", "POST"])


async def _applied_before(ctx: HorizonContext, envelope: str, deadline: float) -> SubmissionResult:
    """The transaction's result once a ledger applied it, or a timeout at ``deadline``."""
    tx_hash = await run_in_threadpool(ctx.ledger.envelope_hash, envelope)
    while time.monotonic() < deadline:
        record = await run_in_threadpool(ctx.ledger.store.transaction, tx_hash)
        if record is not None:
            return result_from_record(record)
        await asyncio.sleep(min(ctx.stream_poll, max(0.0, deadline - time.monotonic())))
    raise LedgerUnavailable("not included in a ledger in time", code="timeout")


def register_claimable_balances(app: FastAPI, ctx: HorizonContext) -> None:
    @app.get("/claimable_balances")
    def claimable_balances(request: Request) -> JSONResponse:
        q = request.query_params
        claimant, sponsor = q.get("claimant"), q.get("sponsor")
        if claimant is not None:
            ctx.account_id(claimant, "claimant")
        if sponsor is not None:
            ctx.account_id(sponsor, "sponsor")
        p = paging.parse_page(None, q.get("order"), q.get("limit"))
        cursor = q.get("cursor") or ""
        base = ctx.base(request)
        found = sorted(
            ctx.ledger.claimable_balances(claimant=claimant, sponsor=sponsor),
            key=lambda cb: (cb.last_modified_ledger, cb.balance_id),
            reverse=p.descending,
        )
        if cursor:
            after = _balance_cursor(cursor)
            found = [
                cb
                for cb in found
                if ((cb.last_modified_ledger, cb.balance_id) < after) == p.descending
                and (cb.last_modified_ledger, cb.balance_id) != after
            ]
        records = [h.claimable_balance(cb, base) for cb in found[: p.limit]]
        params = paging.PageParams(None, p.descending, p.limit, cursor)
        extra = {k: v for k, v in (("claimant", claimant), ("sponsor", sponsor)) if v}
        return respond(paging.page(records, base, "/claimable_balances", params, extra))

    @app.get("/claimable_balances/{balance_id}")
    def claimable_balance(balance_id: str, request: Request) -> JSONResponse:
        cb = ctx.ledger.claimable_balance(balance_id.lower())
        if cb is None:
            raise NotFound("claimable balance")
        return respond(h.claimable_balance(cb, ctx.base(request)))


def register(app: FastAPI, ctx: HorizonContext) -> None:
    register_network(app, ctx)
    register_claimable_balances(app, ctx)
