"""What a submission answers: applied (successful or failed) or rejected, with codes."""

from __future__ import annotations

from concurrent.futures import Future
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from stellar_sdk import xdr as x

from testnet.ledger.apply import TxOutcome
from testnet.ledger.results import inner_result_codes, result_codes


class SubmissionStatus(StrEnum):
    SUCCESS = "success"
    FAILED = "failed"
    REJECTED = "rejected"


@dataclass(frozen=True, slots=True)
class SubmissionResult:
    hash: str
    status: SubmissionStatus
    ledger: int | None
    fee_charged: int
    envelope_xdr: str
    result_xdr: str
    tx_code: str
    inner_tx_code: str | None
    op_codes: tuple[str, ...]
    record: dict[str, Any] | None = None

    @property
    def successful(self) -> bool:
        return self.status == SubmissionStatus.SUCCESS

    @property
    def applied(self) -> bool:
        return self.status != SubmissionStatus.REJECTED


def outcome_result(
    outcome: TxOutcome, ledger: int | None, record: dict[str, Any] | None
) -> SubmissionResult:
    if outcome.frame.fee_bump is None:
        codes = inner_result_codes(outcome.inner)
    else:
        codes = result_codes(outcome.result)
    if not outcome.applied:
        status = SubmissionStatus.REJECTED
    else:
        status = SubmissionStatus.SUCCESS if outcome.successful else SubmissionStatus.FAILED
    return SubmissionResult(
        outcome.frame.hash_hex,
        status,
        ledger,
        outcome.fee_charged,
        outcome.frame.envelope_xdr,
        outcome.result_xdr,
        codes.transaction,
        codes.inner_transaction,
        codes.operations,
        record,
    )


def result_from_record(record: dict[str, Any]) -> SubmissionResult:
    codes = result_codes(x.TransactionResult.from_xdr(record["result_xdr"]))
    status = SubmissionStatus.SUCCESS if record["successful"] else SubmissionStatus.FAILED
    return SubmissionResult(
        record["hash"],
        status,
        record["ledger"],
        int(record["fee_charged"]),
        record["envelope_xdr"],
        record["result_xdr"],
        codes.transaction,
        codes.inner_transaction,
        codes.operations,
        record,
    )


def done_future(result: SubmissionResult) -> Future[SubmissionResult]:
    future: Future[SubmissionResult] = Future()
    future.set_result(result)
    return future
