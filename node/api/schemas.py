"""Response and documentation models of the REST API."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class HealthOut(BaseModel):
    status: Literal["ok", "degraded"]
    version: str
    node_account: str = Field(description="The node's Stellar account (G...)")
    network_passphrase: str
    network_id: str = Field(description="Hex SHA-256 of the passphrase; receipts must carry it")
    database: Literal["ok", "unavailable"]
    time: int = Field(description="The node's clock, unix seconds")
    epoch: int
    epoch_seconds: int
    window_seconds: int
    max_batch: int
    max_body_bytes: int
    ledger: int | None = Field(
        None, description="The last ledger the node followed; null before it first read one"
    )
    ledger_closed_at: int | None = Field(None, description="That ledger's close time, unix")


_U63 = 2**63 - 1  # docs/protocol.md: every integer of a receipt fits a signed 64-bit column
_ACCOUNT = {"type": "string", "pattern": "^G[A-Z2-7]{55}$"}
_COMMON = {
    "version": {"type": "integer", "const": 1},
    "network_id": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
    "signer": {**_ACCOUNT, "description": "Stellar account G... that signed"},
    "seq": {
        "type": "integer",
        "minimum": 1,
        "maximum": _U63,
        "description": "Strictly increasing per stream",
    },
    "session": {"type": "string", "pattern": "^[0-9a-f]{32}$"},
    "started_at": {"type": "integer", "minimum": 0, "maximum": _U63},
    "window_start": {"type": "integer", "minimum": 0, "maximum": _U63, "multipleOf": 60},
    "content": {"type": "string", "pattern": "^([0-9a-f]{40}|[0-9a-f]{64})$"},
    "signature": {"type": "string", "pattern": "^[0-9a-f]{128}$"},
    "id": {"type": "string", "pattern": "^[0-9a-f]{64}$", "description": "Optional; checked"},
}
_AMOUNT = {"type": "integer", "minimum": 1, "maximum": _U63}


def _receipt_schema(kind: str, extra: dict[str, Any]) -> dict[str, Any]:
    props = {"kind": {"type": "string", "const": kind}, **_COMMON, **extra}
    required = [p for p in props if p != "id"]
    return {
        "title": f"{kind} receipt",
        "type": "object",
        "properties": props,
        "required": required,
        "additionalProperties": False,
    }


# The receipt shapes, published as components (docs/protocol.md is the full definition).
RECEIPT_COMPONENTS = {
    "BandwidthReceipt": _receipt_schema("bandwidth", {"uploader": _ACCOUNT, "bytes": _AMOUNT}),
    "ViewingReceipt": _receipt_schema("viewing", {"seconds": _AMOUNT}),
    "CdnReceipt": _receipt_schema("cdn", {"viewer": _ACCOUNT, "bytes": _AMOUNT}),
}


class ReceiptBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")  # another top-level member is 422

    receipts: list[Any] = Field(
        min_length=1,
        description="Signed receipts (docs/protocol.md): each is a BandwidthReceipt, "
        "ViewingReceipt or CdnReceipt (components). Each is checked on its own: one that is "
        "not is rejected in the results with its reason, and never fails the request. At "
        "most `max_batch` receipts (GET /v1/health), else 413 `batch_too_large`.",
        json_schema_extra={"items": {"description": "A signed receipt, checked on its own"}},
    )


class ItemResultOut(BaseModel):
    id: str | None = Field(
        description="The id computed from the receipt's fields (hex); null when the item "
        "could not be decoded (malformed, unsupported_version, unknown_kind, unknown_field, "
        "out_of_bounds)"
    )
    status: Literal["accepted", "duplicate", "superseded", "rejected"] = Field(
        description="accepted, duplicate and superseded are success: nothing to resend"
    )
    reason: str | None = Field(None, description="Stable code when rejected")
    detail: str | None = Field(None, description="For a human, when rejected")


class IngestOut(BaseModel):
    results: list[ItemResultOut]


class ReceiptOut(BaseModel):
    receipt: dict[str, Any] = Field(
        description="The signed receipt in its wire form, with its id (docs/protocol.md)"
    )
    epoch: int
    window_start: int
    added: int = Field(
        description="What this window adds: its total minus the total of the stream's "
        "previous counted window (the whole total for the stream's first window); "
        "provisional until the epoch closes, 0 for a receipt the close refused"
    )
    received_at: int = Field(description="When the node stored it, unix seconds")
    verification: dict[str, Any] | None = Field(
        None, description="The verdict once its epoch is verified (see /v1/epochs/{n}/verdicts)"
    )


class UsageOut(BaseModel):
    account: str
    epoch: int
    start: int = Field(description="Epoch start, unix seconds (inclusive)")
    end: int = Field(description="Epoch end, unix seconds (exclusive)")
    uploaded_bytes: int = Field(description="Bandwidth receipts naming the account as uploader")
    downloaded_bytes: int = Field(description="Bandwidth receipts the account signed")
    viewing_seconds: int
    cdn_served_bytes: int = Field(description="CDN receipts the account signed as edge operator")
    cdn_received_bytes: int = Field(description="CDN receipts naming the account as viewer")
    receipts: int = Field(
        description="Stored receipts counted: the latest of each stream and window of the "
        "epoch that names the account as signer or counterparty"
    )


class FederationMemberOut(BaseModel):
    account: str = Field(description="Another validator's account (G...)")
    url: str = Field(description="Its node's API")


class LeaderOut(BaseModel):
    epoch: int
    round: int
    leader: str = Field(description="The validator that leads this epoch in this round")


class VoteOut(BaseModel):
    epoch: int
    round: int
    what: str = Field(description="What the leader (this node) asked to be signed")
    tx_hash: str
    member: str = Field(description="The validator asked")
    outcome: str = Field(description="signed, refused or unreachable")
    code: str = Field(description="The refusal's code (root_mismatch, not_ready, ...)")
    detail: str
    at: int


class SignRequestIn(BaseModel):
    """A federation message of kind ``sign`` (docs/federation.md). Documents what
    ``POST /v1/federation/sign`` accepts; the route checks it field by field."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["sign"]
    sender: str = Field(pattern=r"^G[A-Z2-7]{55}$", description="The leader's validator account")
    epoch: int = Field(ge=0, lt=1 << 63)
    round: int = Field(ge=0, lt=1 << 63)
    body: dict[str, Any] = Field(
        description="What to sign: `what` (`inputs`, `anchor` or `chunk`), its fields and "
        "`hash`; `inputs` carries `sets`: `[validator, last batch number or -1, digest or '']` "
        "for each of at most 64 validators in account order; the message's canonical "
        "encoding is at most 1 MiB"
    )
    signature: str = Field(
        description="Base64 SEP-53 signature by `sender` of the canonical message, with the "
        "tag `acenode-federation-v1` and the network passphrase"
    )


class SignatureOut(BaseModel):
    signer: str = Field(description="This validator's account")
    signature: str = Field(description="Base64 ed25519 signature of the transaction hash")


class BatchesOut(BaseModel):
    batches: list[dict[str, Any]] = Field(
        description="Sealed batches of receipts in number order, each the federation "
        "message (kind `batch`) its sealer signed (docs/federation.md)"
    )
    more: bool = Field(description="Whether more are held after these (ask from the next)")


class InputSetOut(BaseModel):
    epoch: int
    sets: list[list[Any]] = Field(
        description="[validator, number of its last batch in the epoch (-1: none), that "
        "batch's digest], one per validator in account order"
    )
    snapshot: dict[str, Any] | None = Field(
        default=None,
        description="The governance-token balances agreed with the set, `{proposals: [[id, "
        "ledger], ...], balances: [[account, stroops], ...]}` (docs/federation.md, "
        '"Governance"); null: none',
    )


class ClosingOut(BaseModel):
    epoch: int = Field(description="The next epoch to close here")
    waits: str = Field(
        description="What its close waits for: its input set's agreement (the leader's "
        "proposal, `no_quorum`, a refusal) or batches to fetch"
    )


class FederationOut(BaseModel):
    node_account: str = Field(description="This node's account (its validator key)")
    validators: list[str] = Field(description="The treasury's signers, sorted")
    threshold: int = Field(description="Signatures a treasury transaction needs (M of N)")
    validating: bool = Field(description="Whether this node's account is one of them")
    members: list[FederationMemberOut] = Field(description="The other validators it names")
    round_seconds: float
    leaders: list[LeaderOut] = Field(
        description="Round-0 leaders of the last two epochs, this one and the next two"
    )
    votes: list[VoteOut] = Field(
        description="The latest answers of the other validators to this node's requests to "
        "sign, newest first: who signed, who refused and why"
    )
    closing: ClosingOut | None = Field(
        None, description="The epoch that has ended but cannot close yet here, and why"
    )
