"""TransactionResult XDR (stellar_sdk.xdr) and Horizon's result-code strings."""

from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from stellar_sdk import xdr as x

from servicelayer.ledger.codes import op_code, tx_code
from testnet.ledger.codec import balance_id_xdr
from testnet.ledger.ops import OpResult

_T = x.OperationType
# operation type -> (OperationResultTr attribute, result class, code enum, code prefix)
_RESULT_TYPES: dict[x.OperationType, tuple[str, Any, Any, str]] = {
    _T.CREATE_ACCOUNT: (
        "create_account_result",
        x.CreateAccountResult,
        x.CreateAccountResultCode,
        "CREATE_ACCOUNT",
    ),
    _T.PAYMENT: ("payment_result", x.PaymentResult, x.PaymentResultCode, "PAYMENT"),
    _T.SET_OPTIONS: (
        "set_options_result",
        x.SetOptionsResult,
        x.SetOptionsResultCode,
        "SET_OPTIONS",
    ),
    _T.CHANGE_TRUST: (
        "change_trust_result",
        x.ChangeTrustResult,
        x.ChangeTrustResultCode,
        "CHANGE_TRUST",
    ),
    _T.ALLOW_TRUST: (
        "allow_trust_result",
        x.AllowTrustResult,
        x.AllowTrustResultCode,
        "ALLOW_TRUST",
    ),
    _T.ACCOUNT_MERGE: (
        "account_merge_result",
        x.AccountMergeResult,
        x.AccountMergeResultCode,
        "ACCOUNT_MERGE",
    ),
    _T.MANAGE_DATA: (
        "manage_data_result",
        x.ManageDataResult,
        x.ManageDataResultCode,
        "MANAGE_DATA",
    ),
    _T.BUMP_SEQUENCE: (
        "bump_seq_result",
        x.BumpSequenceResult,
        x.BumpSequenceResultCode,
        "BUMP_SEQUENCE",
    ),
    _T.CREATE_CLAIMABLE_BALANCE: (
        "create_claimable_balance_result",
        x.CreateClaimableBalanceResult,
        x.CreateClaimableBalanceResultCode,
        "CREATE_CLAIMABLE_BALANCE",
    ),
    _T.CLAIM_CLAIMABLE_BALANCE: (
        "claim_claimable_balance_result",
        x.ClaimClaimableBalanceResult,
        x.ClaimClaimableBalanceResultCode,
        "CLAIM_CLAIMABLE_BALANCE",
    ),
    _T.CLAWBACK: ("clawback_result", x.ClawbackResult, x.ClawbackResultCode, "CLAWBACK"),
    _T.SET_TRUST_LINE_FLAGS: (
        "set_trust_line_flags_result",
        x.SetTrustLineFlagsResult,
        x.SetTrustLineFlagsResultCode,
        "SET_TRUST_LINE_FLAGS",
    ),
}


def operation_result(op_type: x.OperationType, result: OpResult) -> x.OperationResult:
    if result.code.startswith("op"):
        return x.OperationResult(x.OperationResultCode[result.code])
    attr, cls, code_enum, _prefix = _RESULT_TYPES[op_type]
    code = code_enum[result.code]
    if op_type == _T.ACCOUNT_MERGE and result.success:
        inner = cls(code, x.Int64(result.merged_balance or 0))
    elif op_type == _T.CREATE_CLAIMABLE_BALANCE and result.success:
        assert result.balance_id is not None
        inner = cls(code, balance_id_xdr(result.balance_id))
    else:
        inner = cls(code)
    tr = x.OperationResultTr(op_type, **{attr: inner})
    return x.OperationResult(x.OperationResultCode.opINNER, tr)


def default_result(op_type: x.OperationType) -> OpResult:
    """What an operation's slot holds when it was never reached: its success code."""
    if op_type not in _RESULT_TYPES:
        return OpResult("opNOT_SUPPORTED")
    return OpResult(_RESULT_TYPES[op_type][3] + "_SUCCESS")


@dataclass(frozen=True, slots=True)
class InnerOutcome:
    code: str
    op_types: tuple[x.OperationType, ...]
    op_results: tuple[OpResult, ...]


def _ops_xdr(inner: InnerOutcome) -> list[x.OperationResult] | None:
    if inner.code not in ("txSUCCESS", "txFAILED"):
        return None
    return [operation_result(t, r) for t, r in zip(inner.op_types, inner.op_results, strict=True)]


def transaction_result(
    fee_charged: int,
    inner: InnerOutcome,
    fee_bump_code: str | None = None,
    inner_hash: bytes | None = None,
) -> x.TransactionResult:
    """The TransactionResult; with ``fee_bump_code`` the inner result is wrapped in a pair."""
    if fee_bump_code is None:
        result = x.TransactionResultResult(
            x.TransactionResultCode[inner.code], results=_ops_xdr(inner)
        )
    elif fee_bump_code in ("txFEE_BUMP_INNER_SUCCESS", "txFEE_BUMP_INNER_FAILED"):
        assert inner_hash is not None
        inner_result = x.InnerTransactionResult(
            x.Int64(0),
            x.InnerTransactionResultResult(
                x.TransactionResultCode[inner.code], results=_ops_xdr(inner)
            ),
            x.InnerTransactionResultExt(0),
        )
        pair = x.InnerTransactionResultPair(x.Hash(inner_hash), inner_result)
        result = x.TransactionResultResult(
            x.TransactionResultCode[fee_bump_code], inner_result_pair=pair
        )
    else:
        result = x.TransactionResultResult(x.TransactionResultCode[fee_bump_code])
    return x.TransactionResult(x.Int64(fee_charged), result, x.TransactionResultExt(0))


_FEE_AND_CODE = struct.Struct(">qi")
_COUNT = struct.Struct(">I")
_NO_EXT = bytes(4)


@lru_cache(maxsize=4096)
def _operation_result_bytes(op_type: x.OperationType, result: OpResult) -> bytes:
    return operation_result(op_type, result).to_xdr_bytes()


def transaction_result_bytes(
    fee_charged: int,
    inner: InnerOutcome,
    fee_bump_code: str | None = None,
    inner_hash: bytes | None = None,
) -> bytes:
    """``transaction_result(...).to_xdr_bytes()``; without a fee bump the bytes are put
    together from each operation's (cached) result bytes rather than packed anew."""
    if fee_bump_code is not None:
        return transaction_result(fee_charged, inner, fee_bump_code, inner_hash).to_xdr_bytes()
    code = x.TransactionResultCode[inner.code].value
    parts = [_FEE_AND_CODE.pack(fee_charged, code)]
    if inner.code in ("txSUCCESS", "txFAILED"):
        parts.append(_COUNT.pack(len(inner.op_results)))
        parts.extend(
            _operation_result_bytes(t, r)
            for t, r in zip(inner.op_types, inner.op_results, strict=True)
        )
    parts.append(_NO_EXT)
    return b"".join(parts)


def inner_result_codes(inner: InnerOutcome) -> ResultCodes:
    """``result_codes`` of a transaction without a fee bump, from its outcome directly."""
    ops: tuple[str, ...] = ()
    if inner.code in ("txSUCCESS", "txFAILED"):
        ops = tuple(
            op_code(None if r.code.startswith("op") else t.name, r.code)
            for t, r in zip(inner.op_types, inner.op_results, strict=True)
        )
    return ResultCodes(tx_code(inner.code), None, ops)


def _op_codes(results: list[x.OperationResult] | None) -> tuple[str, ...]:
    codes = []
    for r in results or []:
        if r.code != x.OperationResultCode.opINNER or r.tr is None:
            codes.append(op_code(None, r.code.name))
            continue
        attr = _RESULT_TYPES[r.tr.type][0]
        codes.append(op_code(r.tr.type.name, getattr(r.tr, attr).code.name))
    return tuple(codes)


@dataclass(frozen=True, slots=True)
class ResultCodes:
    """Horizon's ``extras.result_codes``: transaction, inner_transaction, operations."""

    transaction: str
    inner_transaction: str | None
    operations: tuple[str, ...]


def result_codes(result: x.TransactionResult) -> ResultCodes:
    outer = result.result
    pair = outer.inner_result_pair
    if pair is not None:
        inner = pair.result.result
        return ResultCodes(
            tx_code(outer.code.name),
            tx_code(inner.code.name),
            _op_codes(inner.results),
        )
    return ResultCodes(tx_code(outer.code.name), None, _op_codes(outer.results))
