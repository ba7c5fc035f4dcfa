"""Horizon's records as the node reads them, validated at this edge.

Every field the node uses is checked here (invariant 6): account ids are strkeys,
amounts are 7-decimal strings turned into exact stroops, paging tokens are integers,
memos decode to what their type says. A payment record that does not check out is still
returned, with ``problem`` set, so it is recorded and never silently dropped; a page or
ledger answer that does not check out raises ``LedgerUnavailable`` (the watcher tries
again at its next tick without moving its cursor).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from stellar_sdk import StrKey

from contracts.core import NATIVE, Asset
from servicelayer.errors import LedgerUnavailable
from servicelayer.ledger.money import to_stroops

PAYMENT_TYPES = frozenset({"payment", "path_payment_strict_receive", "path_payment_strict_send"})
_CODE_RE = re.compile(r"[A-Za-z0-9]{1,12}")
_TOKEN_RE = re.compile(r"[0-9]{1,19}")
_HASH_RE = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True, slots=True)
class LedgerHead:
    sequence: int
    closed_at: int  # unix seconds
    max_ops: int = 0  # operations a ledger holds (Horizon's max_tx_set_size); 0: not said


@dataclass(frozen=True, slots=True)
class Memo:
    kind: str  # none | text | id | hash | return
    text: str = ""  # text memo (decoded), or decimal id
    raw: bytes = b""  # hash / return memo bytes


@dataclass(frozen=True, slots=True)
class ObservedPayment:
    """A payment (or path payment) to ``to``, as Horizon shows it."""

    payment_id: str  # Horizon operation id (decimal TOID), unique on the network
    paging_token: str
    tx_hash: str
    ledger: int
    closed_at: int
    source: str
    to: str
    asset: Asset | None
    amount: int
    memo: Memo
    successful: bool
    problem: str = ""  # why the record cannot be credited, when it cannot


def asset_of(record: dict[str, Any], prefix: str = "") -> Asset | None:
    kind = record.get(prefix + "asset_type")
    if kind == "native":
        return NATIVE
    code, issuer = record.get(prefix + "asset_code"), record.get(prefix + "asset_issuer")
    if kind not in ("credit_alphanum4", "credit_alphanum12"):
        return None
    if type(code) is not str or _CODE_RE.fullmatch(code) is None or not is_account(issuer):
        return None
    return Asset(code, str(issuer))


def is_account(value: object) -> bool:
    return type(value) is str and StrKey.is_valid_ed25519_public_key(value)


def unix_time(value: object) -> int | None:
    if type(value) is not str:
        return None
    try:
        return int(datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp())
    except ValueError:
        return None


def memo_of(tx: dict[str, Any]) -> Memo | None:
    """The transaction's memo, or None when Horizon's fields do not agree with its type."""
    kind, value = tx.get("memo_type", "none"), tx.get("memo")
    if kind == "none":
        return Memo("none")
    if kind == "text":
        raw = tx.get("memo_bytes")
        if type(raw) is str:
            try:
                data = base64.b64decode(raw, validate=True)
            except binascii.Error:
                return None
            if len(data) > 28:
                return None
            return Memo("text", data.decode("utf-8", errors="replace"), data)
        return Memo("text", value) if type(value) is str and len(value) <= 28 else None
    if kind == "id":
        return Memo("id", value) if type(value) is str and value.isdigit() else None
    if kind in ("hash", "return") and type(value) is str:
        try:
            data = base64.b64decode(value, validate=True)
        except binascii.Error:
            return None
        return Memo(kind, "", data) if len(data) == 32 else None
    return None


def paging_token(record: dict[str, Any]) -> str:
    """A record's paging token (a TOID); LedgerUnavailable when it is not one."""
    token = record.get("paging_token")
    if type(token) is not str or _TOKEN_RE.fullmatch(token) is None:
        raise LedgerUnavailable("Horizon sent a record without a valid paging token")
    return token


def payment_of(record: dict[str, Any], closed_at: int | None = None) -> ObservedPayment | None:
    """The payment in an operation record (with its joined transaction), None when the
    operation is not a payment. Raises LedgerUnavailable when it cannot be placed at all
    (no usable id or paging token)."""
    if record.get("type") not in PAYMENT_TYPES:
        return None
    token, op_id = record.get("paging_token"), record.get("id")
    if type(token) is not str or _TOKEN_RE.fullmatch(token) is None or op_id != token:
        raise LedgerUnavailable("Horizon sent a payment without a valid id / paging token")
    tx = record.get("transaction")
    tx = tx if isinstance(tx, dict) else {}
    tx_hash = record.get("transaction_hash")
    ledger = tx.get("ledger")
    when = unix_time(tx.get("created_at") or record.get("created_at"))
    memo = memo_of(tx) if tx else None
    asset, amount = asset_of(record), to_stroops(record.get("amount"))
    source, to = record.get("from"), record.get("to")
    problem = ""
    if type(tx_hash) is not str or _HASH_RE.fullmatch(tx_hash) is None:
        problem, tx_hash = "bad_transaction_hash", ""
    elif not tx or tx.get("hash") != tx_hash or type(ledger) is not int or when is None:
        problem = "transaction_missing"
    elif memo is None:
        problem = "bad_memo"
    elif not is_account(source) or not is_account(to):
        problem = "bad_account"
    elif asset is None:
        problem = "bad_asset"
    elif amount is None or amount <= 0:
        problem = "bad_amount"
    successful = record.get("transaction_successful") is True and tx.get("successful") is True
    return ObservedPayment(
        payment_id=token,
        paging_token=token,
        tx_hash=str(tx_hash),
        ledger=ledger if type(ledger) is int else 0,
        closed_at=when if when is not None else (closed_at or 0),
        source=source if type(source) is str and len(source) <= 56 else "",
        to=to if type(to) is str and len(to) <= 56 else "",
        asset=asset,
        amount=amount or 0,
        memo=memo or Memo("none"),
        successful=successful,
        problem=problem,
    )


def records_of(page: dict[str, Any]) -> list[dict[str, Any]]:
    embedded = page.get("_embedded")
    records = embedded.get("records") if isinstance(embedded, dict) else None
    if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
        raise LedgerUnavailable("Horizon sent a page without records")
    return records


def holding_of(record: dict[str, Any], asset: Asset) -> tuple[str, tuple[int, int] | None]:
    account = record.get("account_id")
    if not is_account(account):
        raise LedgerUnavailable("Horizon sent an account without a valid id")
    for line in record.get("balances") or ():
        if not isinstance(line, dict) or asset_of(line) != asset:
            continue
        balance, modified = to_stroops(line.get("balance")), line.get("last_modified_ledger")
        if balance is None or type(modified) is not int:
            raise LedgerUnavailable(f"Horizon sent a bad {asset.code} balance of {account}")
        return str(account), (balance, modified)
    return str(account), None
