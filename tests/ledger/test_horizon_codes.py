"""Every result code the embedded ledger can give reads as Horizon writes it.

The expected strings are Horizon's own (stellar/go, services/horizon/internal/codes:
``codes.String``), including its quirks (``op_no_trust`` for a missing trust line,
``op_not_aut_maintain_liabilities``, ``tx_bad_minseq_age_or_gap``); any other string
would make a client's error handling miss."""

from __future__ import annotations

import pytest
from stellar_sdk import xdr as x

from servicelayer.ledger.codes import op_code, tx_code
from testnet.ledger.results import _RESULT_TYPES

OK, BAD, POOR, RESERVE = "op_success", "op_malformed", "op_underfunded", "op_low_reserve"
NO_TRUST, NOT_AUTH, FULL, NO_ISSUER = (
    "op_no_trust",
    "op_not_authorized",
    "op_line_full",
    "op_no_issuer",
)

HORIZON: dict[str, dict[str, str]] = {
    "CREATE_ACCOUNT": {
        "SUCCESS": OK,
        "MALFORMED": BAD,
        "UNDERFUNDED": POOR,
        "LOW_RESERVE": RESERVE,
        "ALREADY_EXIST": "op_already_exists",
    },
    "PAYMENT": {
        "SUCCESS": OK,
        "MALFORMED": BAD,
        "UNDERFUNDED": POOR,
        "SRC_NO_TRUST": "op_src_no_trust",
        "SRC_NOT_AUTHORIZED": "op_src_not_authorized",
        "NO_DESTINATION": "op_no_destination",
        "NO_TRUST": NO_TRUST,
        "NOT_AUTHORIZED": NOT_AUTH,
        "LINE_FULL": FULL,
        "NO_ISSUER": NO_ISSUER,
    },
    "SET_OPTIONS": {
        "SUCCESS": OK,
        "LOW_RESERVE": RESERVE,
        "TOO_MANY_SIGNERS": "op_too_many_signers",
        "BAD_FLAGS": "op_bad_flags",
        "INVALID_INFLATION": "op_invalid_inflation",
        "CANT_CHANGE": "op_cant_change",
        "UNKNOWN_FLAG": "op_unknown_flag",
        "THRESHOLD_OUT_OF_RANGE": "op_threshold_out_of_range",
        "BAD_SIGNER": "op_bad_signer",
        "INVALID_HOME_DOMAIN": "op_invalid_home_domain",
        "AUTH_REVOCABLE_REQUIRED": "op_auth_revocable_required",
    },
    "CHANGE_TRUST": {
        "SUCCESS": OK,
        "MALFORMED": BAD,
        "NO_ISSUER": NO_ISSUER,
        "INVALID_LIMIT": "op_invalid_limit",
        "LOW_RESERVE": RESERVE,
        "SELF_NOT_ALLOWED": "op_self_not_allowed",
        "TRUST_LINE_MISSING": "op_trust_line_missing",
        "CANNOT_DELETE": "op_cannot_delete",
        "NOT_AUTH_MAINTAIN_LIABILITIES": "op_not_aut_maintain_liabilities",
    },
    "ALLOW_TRUST": {
        "SUCCESS": OK,
        "MALFORMED": BAD,
        "NO_TRUST_LINE": NO_TRUST,
        "TRUST_NOT_REQUIRED": "op_not_required",
        "CANT_REVOKE": "op_cant_revoke",
        "SELF_NOT_ALLOWED": "op_self_not_allowed",
        "LOW_RESERVE": RESERVE,
    },
    "ACCOUNT_MERGE": {
        "SUCCESS": OK,
        "MALFORMED": BAD,
        "NO_ACCOUNT": "op_no_account",
        "IMMUTABLE_SET": "op_immutable_set",
        "HAS_SUB_ENTRIES": "op_has_sub_entries",
        "SEQNUM_TOO_FAR": "op_seq_num_too_far",
        "DEST_FULL": "op_dest_full",
        "IS_SPONSOR": "op_is_sponsor",
    },
    "MANAGE_DATA": {
        "SUCCESS": OK,
        "NOT_SUPPORTED_YET": "op_not_supported_yet",
        "NAME_NOT_FOUND": "op_data_name_not_found",
        "LOW_RESERVE": RESERVE,
        "INVALID_NAME": "op_data_invalid_name",
    },
    "BUMP_SEQUENCE": {"SUCCESS": OK, "BAD_SEQ": "op_bad_seq"},
    "CREATE_CLAIMABLE_BALANCE": {
        "SUCCESS": OK,
        "MALFORMED": BAD,
        "LOW_RESERVE": RESERVE,
        "NO_TRUST": NO_TRUST,
        "NOT_AUTHORIZED": NOT_AUTH,
        "UNDERFUNDED": POOR,
    },
    "CLAIM_CLAIMABLE_BALANCE": {
        "SUCCESS": OK,
        "DOES_NOT_EXIST": "op_does_not_exist",
        "CANNOT_CLAIM": "op_cannot_claim",
        "LINE_FULL": FULL,
        "NO_TRUST": NO_TRUST,
        "NOT_AUTHORIZED": NOT_AUTH,
    },
    "CLAWBACK": {
        "SUCCESS": OK,
        "MALFORMED": BAD,
        "NOT_CLAWBACK_ENABLED": "op_not_clawback_enabled",
        "NO_TRUST": NO_TRUST,
        "UNDERFUNDED": POOR,
    },
    "SET_TRUST_LINE_FLAGS": {
        "SUCCESS": OK,
        "MALFORMED": BAD,
        "NO_TRUST_LINE": NO_TRUST,
        "CANT_REVOKE": "op_cant_revoke",
        "INVALID_STATE": "op_invalid_state",
        "LOW_RESERVE": RESERVE,
    },
}
OUTER = {
    "opINNER": "op_inner",
    "opBAD_AUTH": "op_bad_auth",
    "opNO_ACCOUNT": "op_no_source_account",
    "opNOT_SUPPORTED": "op_not_supported",
    "opTOO_MANY_SUBENTRIES": "op_too_many_subentries",
    "opEXCEEDED_WORK_LIMIT": "op_exceeded_work_limit",
}
TX = {
    "txFEE_BUMP_INNER_SUCCESS": "tx_fee_bump_inner_success",
    "txFEE_BUMP_INNER_FAILED": "tx_fee_bump_inner_failed",
    "txNOT_SUPPORTED": "tx_not_supported",
    "txSUCCESS": "tx_success",
    "txFAILED": "tx_failed",
    "txTOO_EARLY": "tx_too_early",
    "txTOO_LATE": "tx_too_late",
    "txMISSING_OPERATION": "tx_missing_operation",
    "txBAD_SEQ": "tx_bad_seq",
    "txBAD_AUTH": "tx_bad_auth",
    "txINSUFFICIENT_BALANCE": "tx_insufficient_balance",
    "txNO_ACCOUNT": "tx_no_source_account",
    "txINSUFFICIENT_FEE": "tx_insufficient_fee",
    "txBAD_AUTH_EXTRA": "tx_bad_auth_extra",
    "txINTERNAL_ERROR": "tx_internal_error",
    "txBAD_SPONSORSHIP": "tx_bad_sponsorship",
    "txBAD_MIN_SEQ_AGE_OR_GAP": "tx_bad_minseq_age_or_gap",
    "txMALFORMED": "tx_malformed",
}


@pytest.mark.parametrize("op_type", sorted(_RESULT_TYPES, key=lambda t: t.value), ids=str)
def test_every_operation_code_reads_as_horizon_writes_it(op_type: x.OperationType) -> None:
    _attr, _cls, codes, prefix = _RESULT_TYPES[op_type]
    expected = HORIZON[prefix]
    ours = {c.name[len(prefix) + 1 :]: op_code(op_type.name, c.name) for c in codes}
    # codes newer than the Horizon release read (e.g. PAYMENT_TRUSTLINE_FROZEN) aside
    assert {k: v for k, v in ours.items() if k in expected} == expected


def test_outer_operation_and_transaction_codes_read_as_horizon_writes_them() -> None:
    outer = {c.name: op_code(None, c.name) for c in x.OperationResultCode}
    assert {k: v for k, v in outer.items() if k in OUTER} == OUTER
    ours = {c.name: tx_code(c.name) for c in x.TransactionResultCode}
    assert {k: v for k, v in ours.items() if k in TX} == TX
