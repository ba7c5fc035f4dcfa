"""Horizon problem documents (type/title/status/detail/extras)."""

from __future__ import annotations

from typing import Any

ERRORS = "https://stellar.org/horizon-errors/"


def problem(
    kind: str, title: str, status: int, detail: str, extras: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": ERRORS + kind,
        "title": title,
        "status": status,
        "detail": detail,
    }
    if extras:
        body["extras"] = extras
    return body


def not_found() -> dict[str, Any]:
    return problem(
        "not_found",
        "Resource Missing",
        404,
        "The resource at the url requested was not found.  This usually occurs for "
        "one of two reasons:  The url requested is not valid, or no data in our "
        "database could be found with the parameters provided.",
    )


def bad_request(field: str, reason: str) -> dict[str, Any]:
    return problem(
        "bad_request",
        "Bad Request",
        400,
        "The request you sent was invalid in some way.",
        {"invalid_field": field, "reason": reason},
    )


def transaction_malformed(envelope_xdr: str) -> dict[str, Any]:
    return problem(
        "transaction_malformed",
        "Transaction Malformed",
        400,
        "Horizon could not decode the transaction envelope in this request. A "
        "transaction should be an XDR TransactionEnvelope struct encoded using "
        "base64.  The envelope read from this request is echoed in the "
        "`extras.envelope_xdr` field of this response for your convenience.",
        {"envelope_xdr": envelope_xdr},
    )


def transaction_failed(
    tx_hash: str,
    envelope_xdr: str,
    result_xdr: str,
    tx_code: str,
    inner_code: str | None,
    op_codes: tuple[str, ...],
) -> dict[str, Any]:
    codes: dict[str, Any] = {"transaction": tx_code}
    if inner_code is not None:
        codes["inner_transaction"] = inner_code
    if op_codes:
        codes["operations"] = list(op_codes)
    return problem(
        "transaction_failed",
        "Transaction Failed",
        400,
        "The transaction failed when submitted to the stellar network. The "
        "`extras.result_codes` field on this response contains further details.  "
        "Descriptions of each code can be found at: "
        "https://developers.stellar.org/docs/data/apis/horizon/api-reference/errors/"
        "result-codes/transactions",
        {
            "envelope_xdr": envelope_xdr,
            "result_xdr": result_xdr,
            "result_codes": codes,
            "hash": tx_hash,
        },
    )


def timeout() -> dict[str, Any]:
    return problem(
        "timeout",
        "Timeout",
        504,
        "Your request timed out before completing.  Please try your request again. "
        "If you are submitting a transaction make sure you are sending exactly the "
        "same transaction (with the same sequence number).",
    )
