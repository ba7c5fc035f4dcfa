"""Checking a node's proof against the ledger, trusting neither the node nor its database.

The node supplies a leaf, its Merkle path and the anchor transaction's hash; all of it is
outside input. The auditor recomputes the leaf hash and the root, then reads the anchor
transaction from a Horizon of its choice: it must have succeeded, come from the anchor
account, and carry the root in its memo and in its ``ace.epoch`` data entry. For a
payout, the settlement transaction that paid it must have succeeded and contain a
payment (or a claimable balance) of exactly that amount and asset to that account.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from stellar_sdk import (
    CreateClaimableBalance,
    ManageData,
    Operation,
    Payment,
    TransactionBuilder,
    TransactionEnvelope,
)

from contracts.canonical import canonical_bytes
from servicelayer.epochs.anchoring import DATA_KEY, data_value
from servicelayer.ledger.envelope import inner_of
from servicelayer.ledger.money import format_amount, sdk_asset
from servicelayer.merkle import Proof, leaf_hash, root_from_proof


@dataclass(frozen=True)
class Check:
    what: str
    ok: bool
    detail: str = ""


def check_proof(proof: dict[str, Any], expected: Sequence[Any]) -> tuple[list[Check], bytes]:
    """The leaf is the one asked about, hashes to ``leaf_hash``, and its path reaches
    ``root``. Returns the checks and the root the proof claims."""
    leaf = proof.get("leaf")
    checks = [
        Check(
            "leaf describes it",
            isinstance(leaf, list) and leaf[: len(expected)] == list(expected),
            str(leaf),
        )
    ]
    try:
        computed = leaf_hash(canonical_bytes(leaf))
        path = tuple(bytes.fromhex(h) for h in proof["path"])
        claimed = bytes.fromhex(proof["root"])
        parsed = Proof(computed, int(proof["index"]), int(proof["size"]), path)
    except (KeyError, TypeError, ValueError) as exc:
        return [*checks, Check("proof is well formed", False, str(exc))], b""
    checks.append(Check("leaf hash recomputed", computed.hex() == proof.get("leaf_hash")))
    reached = root_from_proof(parsed)
    checks.append(
        Check(
            "Merkle path reaches the root",
            reached == claimed,
            f"{proof['size']} leaves, {len(path)} hashes",
        )
    )
    return checks, claimed


def check_anchor(
    record: dict[str, Any], passphrase: str, epoch: int, root: bytes, anchor: str | None
) -> list[Check]:
    """``record`` is Horizon's transaction record of the anchor."""
    checks = [Check("anchor transaction succeeded", bool(record.get("successful")))]
    source = record.get("source_account", "")
    if anchor is not None:
        checks.append(Check("anchored by the DAO's anchor account", source == anchor, source))
    memo = record.get("memo", "") if record.get("memo_type") == "hash" else ""
    checks.append(
        Check(
            "memo is the root", _b64(memo) == root, f"ledger {record.get('ledger')}, from {source}"
        )
    )
    envelope = _envelope(record, passphrase)
    data = [
        op
        for op in (envelope.transaction.operations if envelope else [])
        if isinstance(op, ManageData) and op.data_name == DATA_KEY
    ]
    checks.append(
        Check(
            f"{DATA_KEY} entry holds epoch {epoch} and the root",
            len(data) == 1 and data[0].data_value == data_value(epoch, root),
        )
    )
    return checks


def check_payment(
    record: dict[str, Any], passphrase: str, account: str, asset: str, amount: int
) -> list[Check]:
    """The settlement transaction paid ``amount`` of ``asset`` to ``account``."""
    checks = [Check("payout transaction succeeded", bool(record.get("successful")))]
    envelope = _envelope(record, passphrase)
    wanted = sdk_asset(asset)
    found = False
    for op in envelope.transaction.operations if envelope else []:
        if isinstance(op, Payment):
            to = op.destination.account_id
        elif isinstance(op, CreateClaimableBalance):
            to = account if account in {c.destination for c in op.claimants} else ""
        else:
            continue
        found |= to == account and op.asset == wanted and _stroops(op.amount) == amount
    checks.append(Check(f"it pays {format_amount(amount)} {asset} to {account}", found))
    return checks


def _envelope(record: dict[str, Any], passphrase: str) -> TransactionEnvelope | None:
    """The signed envelope (a fee bump's inner one), if it decodes and hashes (on this
    network) to the record's hash, or its fee bump does."""
    try:
        outer = TransactionBuilder.from_xdr(record["envelope_xdr"], passphrase)
    except Exception:  # Horizon's answer is outside input: anything may be wrong in it
        return None
    envelope = inner_of(outer)
    return envelope if record.get("hash") in (outer.hash_hex(), envelope.hash_hex()) else None


def _stroops(amount: str) -> int:
    return Operation.to_xdr_amount(amount)


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except ValueError:
        return b""
