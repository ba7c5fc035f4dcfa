"""What every Horizon route needs: the ledger, the base URL, request parsing helpers."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from stellar_sdk import Payment, TransactionEnvelope

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
    withhold_payments: int = 0  # testing: the first N submissions that pay never arrive
    withheld_dir: Path | None = None  # where the withheld envelopes are kept (XDR files)
    _applied: Iterator[int] = field(default_factory=itertools.count)
    _withheld: Iterator[int] = field(default_factory=itertools.count)

    def loses(self, result: SubmissionResult) -> bool:
        """Whether to answer this applied submission as if the answer were lost (504)."""
        return (
            self.lose_answers > 0
            and result.successful
            and next(self._applied) % self.lose_answers == self.lose_answers - 1
        )

    def withholds(self, envelope: str) -> str | None:
        """Whether to withhold this submission, as if its sender died before it reached the
        network: the first ``withhold_payments`` envelopes with a payment are kept, not
        applied, in ``withheld_dir`` (for a test to submit later). Returns the file."""
        if self.withhold_payments <= 0 or self.withheld_dir is None:
            return None
        try:
            parsed = TransactionEnvelope.from_xdr(envelope, self.ledger.network_passphrase)
        except (ValueError, TypeError):
            return None
        tx = parsed.transaction
        if not any(isinstance(op, Payment) for op in tx.operations):
            return None
        if next(self._withheld) >= self.withhold_payments:
            return None
        self.withheld_dir.mkdir(parents=True, exist_ok=True)
        path = self.withheld_dir / f"{parsed.hash_hex()}.xdr"
        path.write_text(envelope)
        return str(path)

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
