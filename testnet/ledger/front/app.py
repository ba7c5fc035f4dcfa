"""``create_horizon_app(ledger)``: the Horizon endpoints stellar-sdk uses, thin routes.

Rendering lives in testnet.ledger (horizon, paging, problems); errors are
Horizon problem documents and bad input is always a 400, never a 5xx.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from servicelayer.errors import InvalidInput, LedgerUnavailable, NotFound
from testnet.ledger import StandaloneLedger, problems
from testnet.ledger.front.context import HorizonContext, problem
from testnet.ledger.front.routes import accounts, history, network


def _install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(InvalidInput)
    async def _invalid(request: Request, exc: InvalidInput) -> JSONResponse:
        if exc.code == "transaction_malformed":
            return problem(problems.transaction_malformed(getattr(request.state, "tx", "")))
        field = exc.code.split(":", 1)[1] if ":" in exc.code else "request"
        return problem(problems.bad_request(field, exc.detail))

    @app.exception_handler(NotFound)
    async def _missing(_request: Request, _exc: NotFound) -> JSONResponse:
        return problem(problems.not_found())

    @app.exception_handler(LedgerUnavailable)
    async def _unavailable(_request: Request, exc: LedgerUnavailable) -> JSONResponse:
        if exc.code == "timeout":
            return problem(problems.timeout())
        return problem(
            problems.problem("service_unavailable", "Service Unavailable", 503, exc.detail)
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return problem(problems.bad_request("request", str(exc.errors()[:1])))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        if exc.status_code == 404:
            return problem(problems.not_found())
        return problem(
            problems.problem("bad_request", "Bad Request", exc.status_code, str(exc.detail))
        )


def create_horizon_app(
    ledger: StandaloneLedger,
    base_url: str | None = None,
    submit_timeout: float = 30.0,
    stream_seconds: float = 55.0,
    lose_answers: int = 0,
    withhold_payments: int = 0,
    withheld_dir: Path | None = None,
) -> FastAPI:
    """An ASGI app serving ``ledger`` like Horizon; links use ``base_url`` if given.

    Submissions answer within ``submit_timeout`` (then 504, as Horizon); event streams
    end after ``stream_seconds`` and clients reconnect from their last event id. With
    ``lose_answers`` N (testing), every Nth submission the ledger applied answers 504, as
    if the answer had been lost on the way; with ``withhold_payments`` N, the first N
    submissions that pay are kept in ``withheld_dir`` unapplied and answered 504 after
    ``submit_timeout``, as if their sender had died before they reached the network.
    """
    app = FastAPI(title="Standalone Horizon", docs_url=None, redoc_url=None, openapi_url=None)
    _install_error_handlers(app)
    ctx = HorizonContext(
        ledger,
        base_url,
        submit_timeout,
        stream_seconds=stream_seconds,
        lose_answers=lose_answers,
        withhold_payments=withhold_payments,
        withheld_dir=withheld_dir,
    )
    for group in (network, accounts, history):
        group.register(app, ctx)
    return app
