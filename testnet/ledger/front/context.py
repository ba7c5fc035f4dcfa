"""What every Horizon route needs: the ledger, the base URL, request parsing helpers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from servicelayer.errors import InvalidInput
from testnet.ledger import StandaloneLedger, SubmissionResult, paging, problems
from testnet.ledger import horizon as h

HAL = "application/hal+json; charset=utf-8"
PROBLEM = "application/problem+json; charset=utf-8"


def respond(body: dict[str, Any], status: int = 200) -> JSONResponse:
    return JSONResponse(body, status_code=status, media_type=PROBLEM if status >= 400 else HAL)


def problem(body: dict[str, Any]) -> JSONResponse:
    return respond(body, int(body["status"]))


def failed(result: SubmissionResult) -> JSONResponse:
    return problem(
        problems.transaction_failed(
            result.hash,
            result.envelope_xdr,
            result.result_xdr,
            result.tx_code,
            result.inner_tx_code,
            result.op_codes,
        )
    )


def submitted(ctx: HorizonContext, request: Request, result: SubmissionResult) -> JSONResponse:
    """Horizon's answer to a submission: the transaction, or transaction_failed (400)."""
    if not result.successful or result.record is None:
        return failed(result)
    return respond(h.transaction(result.record, ctx.base(request)))


@dataclass(frozen=True)
class HorizonContext:
    ledger: StandaloneLedger
    base_url: str | None
    submit_timeout: float
    stream_poll: float = 0.25
    stream_seconds: float = 55.0
    lose_answers: int = 0  # testing: every Nth applied submission answers 504 instead
    _applied: Iterator[int] = field(default_factory=itertools.count)

    def loses(self, result: SubmissionResult) -> bool:
        """Whether to answer this applied submission as if the answer were lost (504)."""
        return (
            self.lose_answers > 0
            and result.successful
            and next(self._applied) % self.lose_answers == self.lose_answers - 1
        )

    def base(self, request: Request) -> str:
        return (self.base_url or str(request.base_url)).rstrip("/")

    @staticmethod
    def page_params(request: Request) -> paging.PageParams:
        q = request.query_params
        return paging.parse_page(q.get("cursor"), q.get("order"), q.get("limit"))

    @staticmethod
    def include_failed(request: Request) -> bool:
        value = request.query_params.get("include_failed", "false")
        if value not in ("true", "false"):
            raise InvalidInput(
                "include_failed must be true or false", code="bad_request:include_failed"
            )
        return value == "true"

    @staticmethod
    def account_id(value: str, field: str = "account_id") -> str:
        if not h.is_account_id(value):
            raise InvalidInput("not a valid account id", code=f"bad_request:{field}")
        return value
