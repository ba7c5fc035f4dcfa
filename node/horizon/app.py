"""``create_horizon_app(ledger)``: the Horizon endpoints stellar-sdk uses, thin routes.

Rendering lives in servicelayer.ledger.standalone.horizon; errors are Horizon problem
documents and bad input is always a 400, never a 5xx.
"""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicelayer.errors import InvalidInput, LedgerUnavailable, NotFound
from servicelayer.ledger.standalone import StandaloneLedger, SubmissionResult
from servicelayer.ledger.standalone import horizon as h

HAL = "application/hal+json; charset=utf-8"
PROBLEM = "application/problem+json; charset=utf-8"


def _json(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM if status >= 400 else HAL)


def _problem(body: dict[str, Any]) -> JSONResponse:
    return _json(body, int(body["status"]))


def _failed(result: SubmissionResult) -> JSONResponse:
    return _problem(
        h.transaction_failed(
            result.hash,
            result.envelope_xdr,
            result.result_xdr,
            result.tx_code,
            result.inner_tx_code,
            result.op_codes,
        )
    )


async def _form_tx(request: Request) -> str:
    raw = (await request.body()).decode("utf-8", errors="replace")
    if "json" in request.headers.get("content-type", ""):
        try:
            body = json.loads(raw)
        except ValueError:
            body = None
        value = body.get("tx") if isinstance(body, dict) else None
    else:
        value = (parse_qs(raw).get("tx") or [None])[0]
    if not isinstance(value, str) or not value:
        raise InvalidInput("the tx form field is required", code="bad_request:tx")
    return value


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> JSONResponse:
        if exc.code == "transaction_malformed":
            return _problem(h.transaction_malformed(getattr(request.state, "tx", "")))
        field = exc.code.split(":", 1)[1] if ":" in exc.code else "request"
        return _problem(h.bad_request(field, exc.detail))

    @app.exception_handler(NotFound)
    async def _missing(_request: Request, _exc: NotFound) -> JSONResponse:
        return _problem(h.not_found())

    @app.exception_handler(LedgerUnavailable)
    async def _unavailable(_request: Request, exc: LedgerUnavailable) -> JSONResponse:
        if exc.code == "timeout":
            return _problem(h.timeout())
        return _problem(h.problem("stale_history", "Historical DB Is Too Stale", 503, exc.detail))

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _problem(h.bad_request("request", str(exc.errors()[:1])))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return _problem(h.not_found())
        return _problem(h.problem("bad_request", "Bad Request", exc.status_code, str(exc.detail)))


def create_horizon_app(
    ledger: StandaloneLedger, base_url: str | None = None, submit_timeout: float = 30.0
) -> FastAPI:
    app = FastAPI(title="Standalone Horizon", docs_url=None, redoc_url=None, openapi_url=None)
    _install_error_handlers(app)

    def base(request: Request) -> str:
        return (base_url or str(request.base_url)).rstrip("/")

    def paging(request: Request) -> h.PageParams:
        q = request.query_params
        return h.parse_page(q.get("cursor"), q.get("order"), q.get("limit"))

    def account_id(value: str) -> str:
        if not h.is_account_id(value):
            raise InvalidInput("not a valid account id", code="bad_request:account_id")
        return value

    @app.get("/")
    def root(request: Request) -> JSONResponse:
        return _json(h.root(ledger.latest_ledger(), ledger.network_passphrase, base(request)))

    @app.get("/accounts/{aid}")
    def account(aid: str, request: Request) -> JSONResponse:
        found = ledger.account_entries(account_id(aid))
        if found is None:
            raise NotFound("account")
        return _json(h.account(*found, base(request)))

    @app.get("/accounts/{aid}/data/{key}")
    def account_data(aid: str, key: str) -> JSONResponse:
        found = ledger.account_entries(account_id(aid))
        entry = next((d for d in found[2] if d.name == key), None) if found else None
        if entry is None:
            raise NotFound("data")
        return _json({"value": base64.b64encode(entry.value).decode(), "sponsor": None})

    def tx_page(request: Request, path: str, **filters: Any) -> JSONResponse:
        p = paging(request)
        include_failed = request.query_params.get("include_failed", "true") != "false"
        records = ledger.store.transactions(
            cursor=p.cursor,
            descending=p.descending,
            limit=p.limit,
            include_failed=include_failed,
            **{"account": None, "ledger": None, **filters},
        )
        rendered = [h.transaction(r, base(request)) for r in records]
        return _json(h.page(rendered, base(request), path, p))

    def op_page(request: Request, path: str, payments: bool, **filters: Any) -> JSONResponse:
        p = paging(request)
        records = ledger.store.operations(
            cursor=p.cursor,
            descending=p.descending,
            limit=p.limit,
            payments_only=payments,
            **{"account": None, "transaction_id": None, **filters},
        )
        rendered = [h.operation(r, base(request)) for r in records]
        return _json(h.page(rendered, base(request), path, p))

    @app.get("/accounts/{aid}/transactions")
    def account_transactions(aid: str, request: Request) -> JSONResponse:
        return tx_page(request, f"/accounts/{aid}/transactions", account=account_id(aid))

    @app.get("/accounts/{aid}/operations")
    def account_operations(aid: str, request: Request) -> JSONResponse:
        return op_page(request, f"/accounts/{aid}/operations", False, account=account_id(aid))

    @app.get("/accounts/{aid}/payments")
    def account_payments(aid: str, request: Request) -> JSONResponse:
        return op_page(request, f"/accounts/{aid}/payments", True, account=account_id(aid))

    @app.get("/transactions")
    def transactions(request: Request) -> JSONResponse:
        return tx_page(request, "/transactions")

    def tx_record(tx_hash: str) -> dict[str, Any]:
        record = ledger.store.transaction(tx_hash.lower()) if len(tx_hash) == 64 else None
        if record is None:
            raise NotFound("transaction")
        return record

    @app.get("/transactions/{tx_hash}")
    def transaction(tx_hash: str, request: Request) -> JSONResponse:
        return _json(h.transaction(tx_record(tx_hash), base(request)))

    @app.get("/transactions/{tx_hash}/operations")
    def transaction_operations(tx_hash: str, request: Request) -> JSONResponse:
        tx_id = int(tx_record(tx_hash)["paging_token"])
        return op_page(request, f"/transactions/{tx_hash}/operations", False, transaction_id=tx_id)

    @app.get("/transactions/{tx_hash}/payments")
    def transaction_payments(tx_hash: str, request: Request) -> JSONResponse:
        tx_id = int(tx_record(tx_hash)["paging_token"])
        return op_page(request, f"/transactions/{tx_hash}/payments", True, transaction_id=tx_id)

    @app.post("/transactions")
    async def submit(request: Request) -> JSONResponse:
        envelope = await _form_tx(request)
        request.state.tx = envelope
        result = await run_in_threadpool(ledger.submit, envelope, submit_timeout)
        if not result.successful:
            return _failed(result)
        assert result.record is not None
        return _json(h.transaction(result.record, base(request)))

    @app.get("/operations")
    def operations(request: Request) -> JSONResponse:
        return op_page(request, "/operations", False)

    @app.get("/payments")
    def payments(request: Request) -> JSONResponse:
        return op_page(request, "/payments", True)

    @app.get("/operations/{op_id}")
    def operation(op_id: str, request: Request) -> JSONResponse:
        if not op_id.isdigit():
            raise InvalidInput("operation id must be an integer", code="bad_request:id")
        found = ledger.store.operations(
            account=None,
            transaction_id=None,
            payments_only=False,
            cursor=int(op_id) - 1,
            descending=False,
            limit=1,
        )
        if not found or found[0]["id"] != op_id:
            raise NotFound("operation")
        return _json(h.operation(found[0], base(request)))

    @app.get("/ledgers")
    def ledgers(request: Request) -> JSONResponse:
        p = paging(request)
        headers = ledger.store.ledgers(p.cursor, p.descending, p.limit)
        rendered = [h.ledger(x, base(request)) for x in headers]
        return _json(h.page(rendered, base(request), "/ledgers", p))

    def ledger_seq(seq: str) -> int:
        if not seq.isdigit() or int(seq) > 2**32:
            raise InvalidInput("sequence must be a ledger number", code="bad_request:sequence")
        return int(seq)

    @app.get("/ledgers/{seq}")
    def one_ledger(seq: str, request: Request) -> JSONResponse:
        header = ledger.store.ledger(ledger_seq(seq))
        if header is None:
            raise NotFound("ledger")
        return _json(h.ledger(header, base(request)))

    @app.get("/ledgers/{seq}/transactions")
    def ledger_transactions(seq: str, request: Request) -> JSONResponse:
        return tx_page(request, f"/ledgers/{seq}/transactions", ledger=ledger_seq(seq))

    @app.get("/fee_stats")
    def fee_stats() -> JSONResponse:
        charged, offered = ledger.store.recent_fees(5)
        return _json(h.fee_stats(ledger.latest_ledger(), charged, offered))

    @app.get("/claimable_balances")
    def claimable_balances(request: Request) -> JSONResponse:
        q = request.query_params
        claimant, sponsor = q.get("claimant"), q.get("sponsor")
        for name, value in (("claimant", claimant), ("sponsor", sponsor)):
            if value is not None and not h.is_account_id(value):
                raise InvalidInput(f"{name} is not an account id", code=f"bad_request:{name}")
        p = h.parse_page(None, q.get("order"), q.get("limit"))
        found = ledger.claimable_balances(claimant=claimant, sponsor=sponsor)
        rendered = [h.claimable_balance(cb, base(request)) for cb in found]
        cursor = q.get("cursor") or ""
        if p.descending:
            rendered.reverse()
        if cursor:
            keep = (lambda t: t < cursor) if p.descending else (lambda t: t > cursor)
            rendered = [r for r in rendered if keep(r["paging_token"])]
        params = h.PageParams(None, p.descending, p.limit, cursor)
        extra = {k: v for k, v in (("claimant", claimant), ("sponsor", sponsor)) if v}
        return _json(
            h.page(rendered[: p.limit], base(request), "/claimable_balances", params, extra)
        )

    @app.get("/claimable_balances/{balance_id}")
    def claimable_balance(balance_id: str, request: Request) -> JSONResponse:
        cb = ledger.claimable_balance(balance_id.lower())
        if cb is None:
            raise NotFound("claimable balance")
        return _json(h.claimable_balance(cb, base(request)))

    async def friendbot(request: Request) -> JSONResponse:
        addr = request.query_params.get("addr") or ""
        result = await run_in_threadpool(ledger.friendbot, addr)
        if not result.successful:
            return _failed(result)
        assert result.record is not None
        return _json(h.transaction(result.record, base(request)))

    app.add_api_route("/friendbot", friendbot, methods=["GET", "POST"])
    return app
