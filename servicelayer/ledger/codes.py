"""Stellar's result codes as Horizon writes them (``tx_bad_seq``, ``op_no_trust`` ...).

One table for the node's edge: the submitter reads a transaction's ``result_xdr`` with it,
and the embedded ledger answers with it. The strings are Horizon's own (stellar/go,
services/horizon/internal/codes), including its quirks; tests/ledger/test_horizon_codes.py
checks every code the embedded ledger can give against them.
"""

from __future__ import annotations

from stellar_sdk import xdr as x

# Horizon's strings where they are not "op_" + the code's suffix in lower case.
_OP_OVERRIDES = {
    "opINNER": "op_inner",
    "opEXCEEDED_WORK_LIMIT": "op_exceeded_work_limit",
    "opBAD_AUTH": "op_bad_auth",
    "opNO_ACCOUNT": "op_no_source_account",
    "opNOT_SUPPORTED": "op_not_supported",
    "opTOO_MANY_SUBENTRIES": "op_too_many_subentries",
    "opTOO_MANY_SPONSORING": "op_too_many_sponsoring",
    "CREATE_ACCOUNT_ALREADY_EXIST": "op_already_exists",
    "ACCOUNT_MERGE_SEQNUM_TOO_FAR": "op_seq_num_too_far",
    "MANAGE_DATA_NAME_NOT_FOUND": "op_data_name_not_found",
    "MANAGE_DATA_INVALID_NAME": "op_data_invalid_name",
    "ALLOW_TRUST_NO_TRUST_LINE": "op_no_trust",
    "SET_TRUST_LINE_FLAGS_NO_TRUST_LINE": "op_no_trust",
    "ALLOW_TRUST_TRUST_NOT_REQUIRED": "op_not_required",
    "CHANGE_TRUST_NOT_AUTH_MAINTAIN_LIABILITIES": "op_not_aut_maintain_liabilities",  # sic
}
_TX_OVERRIDES = {
    "txNO_ACCOUNT": "tx_no_source_account",
    "txBAD_MIN_SEQ_AGE_OR_GAP": "tx_bad_minseq_age_or_gap",
}


def op_code(op_type: str | None, code: str) -> str:
    """An operation's result code (``PAYMENT_NO_TRUST``, or an outer one such as
    ``opBAD_AUTH`` with no type) as Horizon writes it; ``op_type`` is the operation
    type's name (``PAYMENT``), its codes' prefix."""
    if code in _OP_OVERRIDES:
        return _OP_OVERRIDES[code]
    if code.endswith("_SUCCESS"):
        return "op_success"
    if op_type is not None and code.startswith(op_type + "_"):
        return "op_" + code[len(op_type) + 1 :].lower()
    return "op_" + code.split("_", 1)[-1].lower()


def tx_code(code: str) -> str:
    """``txBAD_SEQ`` -> ``tx_bad_seq``."""
    return _TX_OVERRIDES.get(code) or "tx_" + code[2:].lower()


def op_codes_of(result_xdr: str) -> tuple[str, ...]:
    """The operations' codes of a TransactionResult (base64), a fee bump's inner ones."""
    result = x.TransactionResult.from_xdr(result_xdr).result
    inner = getattr(result, "inner_result_pair", None)
    if inner is not None:
        result = inner.result.result
    codes = []
    for op in result.results or []:
        if op.code != x.OperationResultCode.opINNER or op.tr is None:
            codes.append(op_code(None, op.code.name))
            continue
        body = next(v for k, v in vars(op.tr).items() if k != "type" and v is not None)
        codes.append(op_code(op.tr.type.name, body.code.name))
    return tuple(codes)
