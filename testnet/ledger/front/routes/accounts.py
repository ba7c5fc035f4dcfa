"""/accounts/{id} and its data, transactions, operations and payments."""

from __future__ import annotations

import base64

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from servicelayer.errors import InvalidInput, NotFound
from testnet.ledger import horizon as h
from testnet.ledger import paging
from testnet.ledger.front.context import HorizonContext, respond
from testnet.ledger.front.routes.history import operations_page, transactions_page


def _listing_filters(ctx: HorizonContext, request: Request) -> tuple[str | None, str | None]:
    """Horizon's /accounts needs exactly one of ``signer`` or ``asset`` (CODE:ISSUER)."""
    signer, asset = request.query_params.get("signer"), request.query_params.get("asset")
    if (signer is None) == (asset is None):
        raise InvalidInput("give exactly one of signer or asset", code="bad_request:signer")
    if signer is not None:
        ctx.account_id(signer, "signer")
    if asset is not None:
        code, _, issuer = asset.partition(":")
        if not code or not code.isalnum() or len(code) > 12:
            raise InvalidInput("asset must be CODE:ISSUER", code="bad_request:asset")
        ctx.account_id(issuer, "asset")
    return signer, asset


def register_listing(app: FastAPI, ctx: HorizonContext) -> None:
    @app.get("/accounts")
    def accounts(request: Request) -> JSONResponse:
        signer, asset = _listing_filters(ctx, request)
        p = paging.parse_page(
            None, request.query_params.get("order"), request.query_params.get("limit")
        )
        cursor = request.query_params.get("cursor") or ""
        if cursor:
            ctx.account_id(cursor, "cursor")
        found = ctx.ledger.accounts(
            signer=signer, asset=asset, after=cursor, descending=p.descending, limit=p.limit
        )
        base = ctx.base(request)
        params = paging.PageParams(None, p.descending, p.limit, cursor)
        extra = {"signer": signer} if signer else {"asset": asset or ""}
        records = [h.account(*f, base) for f in found]
        return respond(paging.page(records, base, "/accounts", params, extra))


def register(app: FastAPI, ctx: HorizonContext) -> None:
    register_listing(app, ctx)

    @app.get("/accounts/{aid}")
    def account(aid: str, request: Request) -> JSONResponse:
        found = ctx.ledger.account_entries(ctx.account_id(aid))
        if found is None:
            raise NotFound("account")
        return respond(h.account(*found, ctx.base(request)))

    @app.get("/accounts/{aid}/data/{key}")
    def account_data(aid: str, key: str) -> JSONResponse:
        found = ctx.ledger.account_entries(ctx.account_id(aid))
        entry = next((d for d in found[2] if d.name == key), None) if found else None
        if entry is None:
            raise NotFound("data")
        return respond({"value": base64.b64encode(entry.value).decode(), "sponsor": None})

    @app.get("/accounts/{aid}/transactions")
    def account_transactions(aid: str, request: Request) -> Response:
        return transactions_page(
            ctx, request, f"/accounts/{aid}/transactions", account=ctx.account_id(aid)
        )

    @app.get("/accounts/{aid}/operations")
    def account_operations(aid: str, request: Request) -> Response:
        return operations_page(
            ctx, request, f"/accounts/{aid}/operations", account=ctx.account_id(aid)
        )

    @app.get("/accounts/{aid}/payments")
    def account_payments(aid: str, request: Request) -> Response:
        return operations_page(
            ctx, request, f"/accounts/{aid}/payments", payments=True, account=ctx.account_id(aid)
        )
