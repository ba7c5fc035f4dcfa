"""Transactions, operations, payments and ledgers: the paged history."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response

from servicelayer.errors import InvalidInput, NotFound
from testnet.ledger import horizon as h
from testnet.ledger.front.context import HorizonContext, respond
from testnet.ledger.front.streaming import paged


def transactions_page(
    ctx: HorizonContext,
    request: Request,
    path: str,
    account: str | None = None,
    ledger: int | None = None,
) -> Response:
    include_failed = ctx.include_failed(request)
    base = ctx.base(request)

    def fetch(cursor: int | None, descending: bool, limit: int) -> list[dict[str, Any]]:
        records = ctx.ledger.store.transactions(
            account=account,
            ledger=ledger,
            cursor=cursor,
            descending=descending,
            limit=limit,
            include_failed=include_failed,
        )
        return [h.transaction(r, base) for r in records]

    return paged(ctx, request, path, fetch)


def operations_page(
    ctx: HorizonContext,
    request: Request,
    path: str,
    payments: bool = False,
    account: str | None = None,
    transaction_id: int | None = None,
) -> Response:
    include_failed = ctx.include_failed(request)
    join = _join(request)
    base = ctx.base(request)

    def fetch(cursor: int | None, descending: bool, limit: int) -> list[dict[str, Any]]:
        records = ctx.ledger.store.operations(
            account=account,
            transaction_id=transaction_id,
            payments_only=payments,
            cursor=cursor,
            descending=descending,
            limit=limit,
            include_failed=include_failed,
        )
        rendered = [h.operation(r, base) for r in records]
        if join:
            for record in rendered:
                tx = ctx.ledger.store.transaction(record["transaction_hash"])
                record["transaction"] = h.transaction(tx, base) if tx is not None else None
        return rendered

    return paged(ctx, request, path, fetch)


def _join(request: Request) -> bool:
    """Horizon's ``join=transactions``: each operation embeds its transaction."""
    value = request.query_params.get("join")
    if value not in (None, "", "transactions"):
        raise InvalidInput("join must be transactions", code="bad_request:join")
    return value == "transactions"


def _tx_record(ctx: HorizonContext, tx_hash: str) -> dict[str, Any]:
    """The transaction with this hash, or the fee bump whose inner transaction has it, as
    Horizon shows it then: under the inner hash, with the inner signatures."""
    wanted = tx_hash.lower()
    record = ctx.ledger.store.transaction(wanted, inner=True) if len(tx_hash) == 64 else None
    if record is None:
        raise NotFound("transaction")
    inner = record.get("inner_transaction")
    if inner is not None and record["hash"] != wanted:
        return {**record, "id": wanted, "hash": wanted, "signatures": inner["signatures"]}
    return record


def _ledger_seq(seq: str) -> int:
    if not seq.isdigit() or int(seq) >= 2**32:
        raise InvalidInput("sequence must be a ledger number", code="bad_request:sequence")
    return int(seq)


def register_transactions(app: FastAPI, ctx: HorizonContext) -> None:
    @app.get("/transactions")
    def transactions(request: Request) -> Response:
        return transactions_page(ctx, request, "/transactions")

    @app.get("/transactions/{tx_hash}")
    def transaction(tx_hash: str, request: Request) -> JSONResponse:
        return respond(h.transaction(_tx_record(ctx, tx_hash), ctx.base(request)))

    @app.get("/transactions/{tx_hash}/operations")
    def transaction_operations(tx_hash: str, request: Request) -> Response:
        tx_id = int(_tx_record(ctx, tx_hash)["paging_token"])
        return operations_page(
            ctx, request, f"/transactions/{tx_hash}/operations", transaction_id=tx_id
        )

    @app.get("/transactions/{tx_hash}/payments")
    def transaction_payments(tx_hash: str, request: Request) -> Response:
        tx_id = int(_tx_record(ctx, tx_hash)["paging_token"])
        return operations_page(
            ctx, request, f"/transactions/{tx_hash}/payments", payments=True, transaction_id=tx_id
        )


def register_operations(app: FastAPI, ctx: HorizonContext) -> None:
    @app.get("/operations")
    def operations(request: Request) -> Response:
        return operations_page(ctx, request, "/operations")

    @app.get("/payments")
    def payments(request: Request) -> Response:
        return operations_page(ctx, request, "/payments", payments=True)

    @app.get("/operations/{op_id}")
    def operation(op_id: str, request: Request) -> JSONResponse:
        if not op_id.isdigit() or int(op_id) >= 2**63:
            raise InvalidInput("operation id must be an integer", code="bad_request:id")
        found = ctx.ledger.store.operations(
            account=None,
            transaction_id=None,
            payments_only=False,
            cursor=int(op_id) - 1,
            descending=False,
            limit=1,
        )
        if not found or found[0]["id"] != op_id:
            raise NotFound("operation")
        return respond(h.operation(found[0], ctx.base(request)))


def register_ledgers(app: FastAPI, ctx: HorizonContext) -> None:
    @app.get("/ledgers")
    def ledgers(request: Request) -> Response:
        base = ctx.base(request)

        def fetch(cursor: int | None, descending: bool, limit: int) -> list[dict[str, Any]]:
            return [h.ledger(x, base) for x in ctx.ledger.store.ledgers(cursor, descending, limit)]

        return paged(ctx, request, "/ledgers", fetch)

    @app.get("/ledgers/{seq}")
    def ledger(seq: str, request: Request) -> JSONResponse:
        header = ctx.ledger.store.ledger(_ledger_seq(seq))
        if header is None:
            raise NotFound("ledger")
        return respond(h.ledger(header, ctx.base(request)))

    @app.get("/ledgers/{seq}/transactions")
    def ledger_transactions(seq: str, request: Request) -> Response:
        return transactions_page(
            ctx, request, f"/ledgers/{seq}/transactions", ledger=_ledger_seq(seq)
        )


def register(app: FastAPI, ctx: HorizonContext) -> None:
    register_transactions(app, ctx)
    register_operations(app, ctx)
    register_ledgers(app, ctx)
