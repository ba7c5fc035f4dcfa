"""Shared field shapes: accounts, content ids, assets, amounts, and the bounds of integers.

Every integer the API reads is bounded here, so the OpenAPI document states what the node
enforces and no value can overflow a signed 64-bit database column (docs/api.md "Limits").
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, Field

ACCOUNT_PATTERN = "^G[A-Z2-7]{55}$"
INFOHASH_PATTERN = "^([0-9a-fA-F]{40}|[0-9a-fA-F]{64})$"
ID_PATTERN = r"^[A-Za-z0-9._:\-]{1,64}$"
RECEIPT_ID_PATTERN = "^[0-9a-fA-F]{64}$"
PAYOUT_ID_PATTERN = r"^epoch-[0-9]{1,12}-[0-9]{1,9}$"
ASSET_CODE_PATTERN = "^[A-Za-z0-9]{1,12}$"
ASSET_PATTERN = "^(XLM|native|[A-Za-z0-9]{1,12}:G[A-Z2-7]{55})$"
ACCOUNT_FORMAT = "stellar-account"  # a SEP-23 strkey G...: the pattern plus its checksum
ASSET_FORMAT = "stellar-asset"  # XLM, native or CODE:ISSUER with a valid issuer strkey

INT64_MAX = 2**63 - 1
MAX_STROOPS = INT64_MAX
MAX_EPOCH = 10**10  # an epoch number: times the epoch length it stays a 64-bit unix time
MAX_OFFSET = 10**9
MAX_NONCE = 2**53  # exact in every JSON implementation
MAX_PROPOSAL_ID = 2**53


def _json_integer(value: object) -> object:
    """A JSON integer (2 or 2.0), as JSON Schema's ``integer``: never ``true`` or ``"2"``,
    which pydantic's lax mode would otherwise take for 1 and 2."""
    if isinstance(value, bool | str | bytes):
        raise ValueError("must be a JSON integer")
    return value


# Every integer of a request body. Bounds go inside the Annotated, before the validator
# (``Annotated[int, Field(...), JSON_INTEGER]``), or as the field's ``Field`` default:
# behind a validator, pydantic would write them into the schema as unknown keywords.
JSON_INTEGER = BeforeValidator(_json_integer)
Int = Annotated[int, JSON_INTEGER]
Account = Annotated[
    str,
    Field(
        pattern=ACCOUNT_PATTERN,
        description="Stellar account G... (SEP-23 strkey)",
        json_schema_extra={"format": ACCOUNT_FORMAT},
    ),
]
Infohash = Annotated[
    str, Field(pattern=INFOHASH_PATTERN, description="BitTorrent infohash, 40 or 64 hex")
]
Identifier = Annotated[str, Field(pattern=ID_PATTERN, description="1-64 of A-Z a-z 0-9 . _ : -")]
AssetText = Annotated[
    str,
    Field(
        pattern=ASSET_PATTERN,
        description="`XLM` (or `native`) or `CODE:ISSUER`",
        examples=["XLM"],
        json_schema_extra={"format": ASSET_FORMAT},
    ),
]
Stroops = Annotated[
    int, Field(gt=0, le=MAX_STROOPS, description="Integer stroops (10^-7 unit)"), JSON_INTEGER
]
