"""Horizon records built once, when a ledger closes: one per transaction and operation.

They are stored as JSON (without ``_links``, which depend on the server's base URL) and
rendered by :mod:`testnet.ledger.horizon`.
"""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime
from typing import Any

from stellar_sdk import xdr as x

from servicelayer.ledger.money import format_amount
from testnet.ledger.apply import TxOutcome
from testnet.ledger.codec import (
    NATIVE,
    account_str,
    asset_code,
    asset_issuer,
    asset_key,
    asset_type,
    balance_id_str,
    muxed_str,
    signer_key_str,
)
from testnet.ledger.frame import TxFrame
from testnet.ledger.ops import HANDLERS, OpResult

_T = x.OperationType
_LAST_ISO_SECOND = 253402300799  # 9999-12-31T23:59:59Z
PAYMENT_TYPES = {_T.CREATE_ACCOUNT, _T.PAYMENT, _T.ACCOUNT_MERGE}
_ACCOUNT_FLAG_NAMES = {
    1: "auth_required",
    2: "auth_revocable",
    4: "auth_immutable",
    8: "auth_clawback_enabled",
}
_TRUST_FLAG_NAMES = {1: "authorized", 2: "authorized_to_maintain_liabilites", 4: "clawback_enabled"}


def iso_time(epoch: int) -> str:
    return datetime.fromtimestamp(epoch, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def toid(ledger: int, tx_index: int = 0, op_index: int = 0) -> int:
    return (ledger << 32) | (tx_index << 12) | op_index


def asset_fields(asset: str, prefix: str = "") -> dict[str, str]:
    fields = {f"{prefix}asset_type": asset_type(asset)}
    if asset != NATIVE:
        fields[f"{prefix}asset_code"] = asset_code(asset) or ""
        fields[f"{prefix}asset_issuer"] = asset_issuer(asset) or ""
    return fields


def predicate_json(p: dict[str, Any]) -> dict[str, Any]:
    if "and" in p:
        return {"and": [predicate_json(c) for c in p["and"]]}
    if "or" in p:
        return {"or": [predicate_json(c) for c in p["or"]]}
    if "not" in p:
        return {"not": predicate_json(p["not"])}
    if "abs_before" in p:
        return {
            "abs_before": iso_time(min(p["abs_before"], _LAST_ISO_SECOND)),
            "abs_before_epoch": str(p["abs_before"]),
        }
    return {"unconditional": True}


def xdr_predicate_json(p: x.ClaimPredicate) -> dict[str, Any]:
    """A claim predicate as submitted (relative times stay relative), Horizon style."""
    t = x.ClaimPredicateType
    if p.type == t.CLAIM_PREDICATE_AND and p.and_predicates is not None:
        return {"and": [xdr_predicate_json(c) for c in p.and_predicates]}
    if p.type == t.CLAIM_PREDICATE_OR and p.or_predicates is not None:
        return {"or": [xdr_predicate_json(c) for c in p.or_predicates]}
    if p.type == t.CLAIM_PREDICATE_NOT and p.not_predicate is not None:
        return {"not": xdr_predicate_json(p.not_predicate)}
    if p.type == t.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME and p.abs_before is not None:
        return predicate_json({"abs_before": p.abs_before.int64})
    if p.type == t.CLAIM_PREDICATE_BEFORE_RELATIVE_TIME and p.rel_before is not None:
        return {"rel_before": str(p.rel_before.int64)}
    return {"unconditional": True}


def _flag_fields(name: str, flags: int | None, names: dict[int, str]) -> dict[str, Any]:
    if not flags:
        return {}
    bits = [b for b in sorted(names) if flags & b]
    return {name: bits, f"{name}_s": [names[b] for b in bits]}


def _set_options_details(op: x.SetOptionsOp) -> dict[str, Any]:
    d: dict[str, Any] = {}
    for attr in ("master_weight", "low_threshold", "med_threshold", "high_threshold"):
        value = getattr(op, attr)
        if value is not None:
            d["master_key_weight" if attr == "master_weight" else attr] = value.uint32
    if op.home_domain is not None:
        d["home_domain"] = op.home_domain.string32.decode("ascii", errors="replace")
    if op.signer is not None:
        d["signer_key"] = signer_key_str(op.signer.key)
        d["signer_weight"] = op.signer.weight.uint32
    if op.inflation_dest is not None:
        d["inflation_dest"] = account_str(op.inflation_dest)
    set_flags = op.set_flags.uint32 if op.set_flags is not None else None
    clear_flags = op.clear_flags.uint32 if op.clear_flags is not None else None
    d.update(_flag_fields("set_flags", set_flags, _ACCOUNT_FLAG_NAMES))
    d.update(_flag_fields("clear_flags", clear_flags, _ACCOUNT_FLAG_NAMES))
    return d


def _payment_like(body: x.OperationBody, source: str) -> dict[str, Any] | None:
    if body.type == _T.CREATE_ACCOUNT and body.create_account_op is not None:
        op = body.create_account_op
        return {
            "starting_balance": format_amount(op.starting_balance.int64),
            "funder": source,
            "account": account_str(op.destination),
        }
    if body.type == _T.PAYMENT and body.payment_op is not None:
        p = body.payment_op
        return {
            **asset_fields(asset_key(p.asset)),
            "from": source,
            "to": muxed_str(p.destination),
            "amount": format_amount(p.amount.int64),
        }
    if body.type == _T.ACCOUNT_MERGE and body.destination is not None:
        return {"account": source, "into": muxed_str(body.destination)}
    return None


def _trust_details(body: x.OperationBody, source: str) -> dict[str, Any] | None:
    if body.type == _T.CHANGE_TRUST and body.change_trust_op is not None:
        ct = body.change_trust_op
        asset = asset_key(ct.line)
        return {
            **asset_fields(asset),
            "limit": format_amount(ct.limit.int64),
            "trustee": asset_issuer(asset),
            "trustor": source,
        }
    if body.type == _T.ALLOW_TRUST and body.allow_trust_op is not None:
        at = body.allow_trust_op
        raw = at.asset.asset_code4 or at.asset.asset_code12
        code = raw.to_xdr_bytes().rstrip(b"\x00").decode("latin-1") if raw else ""
        return {
            "asset_type": "credit_alphanum4" if len(code) <= 4 else "credit_alphanum12",
            "asset_code": code,
            "asset_issuer": source,
            "trustee": source,
            "trustor": account_str(at.trustor),
            "authorize": bool(at.authorize.uint32 & 1),
            "authorize_to_maintain_liabilities": bool(at.authorize.uint32 & 2),
        }
    if body.type == _T.SET_TRUST_LINE_FLAGS and body.set_trust_line_flags_op is not None:
        st = body.set_trust_line_flags_op
        return {
            **asset_fields(asset_key(st.asset)),
            "trustor": account_str(st.trustor),
            **_flag_fields("set_flags", st.set_flags.uint32, _TRUST_FLAG_NAMES),
            **_flag_fields("clear_flags", st.clear_flags.uint32, _TRUST_FLAG_NAMES),
        }
    if body.type == _T.CLAWBACK and body.clawback_op is not None:
        cb = body.clawback_op
        return {
            **asset_fields(asset_key(cb.asset)),
            "from": muxed_str(cb.from_),
            "amount": format_amount(cb.amount.int64),
        }
    return None


def _other_details(body: x.OperationBody, source: str, result: OpResult) -> dict[str, Any]:
    if body.type == _T.SET_OPTIONS and body.set_options_op is not None:
        return _set_options_details(body.set_options_op)
    if body.type == _T.MANAGE_DATA and body.manage_data_op is not None:
        md = body.manage_data_op
        value = md.data_value.data_value if md.data_value is not None else None
        return {
            "name": md.data_name.string64.decode("utf-8", errors="replace"),
            "value": base64.b64encode(value).decode() if value is not None else "",
        }
    if body.type == _T.BUMP_SEQUENCE and body.bump_sequence_op is not None:
        return {"bump_to": str(body.bump_sequence_op.bump_to.sequence_number.int64)}
    if body.type == _T.CREATE_CLAIMABLE_BALANCE and body.create_claimable_balance_op:
        cc = body.create_claimable_balance_op
        return {
            "asset": _asset_canonical(asset_key(cc.asset)),
            "amount": format_amount(cc.amount.int64),
            "sponsor": source,
            "claimants": [
                {
                    "destination": account_str(c.v0.destination),
                    "predicate": xdr_predicate_json(c.v0.predicate),
                }
                for c in cc.claimants
                if c.v0 is not None
            ],
            **({"balance_id": result.balance_id} if result.balance_id else {}),
        }
    if body.type == _T.CLAIM_CLAIMABLE_BALANCE and body.claim_claimable_balance_op:
        return {
            "balance_id": balance_id_str(body.claim_claimable_balance_op.balance_id),
            "claimant": source,
        }
    return {}


def _asset_canonical(asset: str) -> str:
    return "native" if asset == NATIVE else asset


def operation_details(body: x.OperationBody, source: str, result: OpResult) -> dict[str, Any]:
    return (
        _payment_like(body, source)
        or _trust_details(body, source)
        or _other_details(body, source, result)
    )


def operation_participants(body: x.OperationBody, source: str) -> set[str]:
    accounts = {source}
    details = _payment_like(body, source) or _trust_details(body, source) or {}
    for field in ("account", "to", "into", "trustor", "from"):
        value = details.get(field)
        if isinstance(value, str):
            accounts.add(value)
    if body.type == _T.CREATE_CLAIMABLE_BALANCE and body.create_claimable_balance_op:
        for c in body.create_claimable_balance_op.claimants:
            if c.v0 is not None:
                accounts.add(account_str(c.v0.destination))
    return accounts


def op_type_name(op_type: x.OperationType) -> str:
    handler = HANDLERS.get(op_type)
    return handler.name if handler else op_type.name.lower()


def _memo_fields(memo: x.Memo) -> dict[str, Any]:
    kind = {
        x.MemoType.MEMO_NONE: "none",
        x.MemoType.MEMO_TEXT: "text",
        x.MemoType.MEMO_ID: "id",
        x.MemoType.MEMO_HASH: "hash",
        x.MemoType.MEMO_RETURN: "return",
    }[memo.type]
    fields: dict[str, Any] = {"memo_type": kind}
    if memo.text is not None:
        fields["memo"] = memo.text.decode("utf-8", errors="replace")
        fields["memo_bytes"] = base64.b64encode(memo.text).decode()
    elif memo.id is not None:
        fields["memo"] = str(memo.id.uint64)
    elif memo.hash is not None:
        fields["memo"] = base64.b64encode(memo.hash.hash).decode()
    elif memo.ret_hash is not None:
        fields["memo"] = base64.b64encode(memo.ret_hash.hash).decode()
    return fields


def _sigs(sigs: list[x.DecoratedSignature]) -> list[str]:
    return [base64.b64encode(s.signature.signature).decode() for s in sigs]


def _time_bound_fields(frame: TxFrame) -> dict[str, Any]:
    bounds = frame.time_bounds
    if bounds is None:
        return {}
    low, high = bounds
    fields: dict[str, Any] = {"valid_after": iso_time(low)}
    if high:
        fields["valid_before"] = iso_time(min(high, _LAST_ISO_SECOND))
    timebounds = {"min_time": str(low), **({"max_time": str(high)} if high else {})}
    fields["preconditions"] = {"timebounds": timebounds}
    return fields


def _fee_bump_fields(frame: TxFrame) -> dict[str, Any]:
    """A fee bump is listed under its outer hash and signatures, the inner one nested."""
    outer_signatures = _sigs(frame.fee_bump_signatures)
    return {
        "signatures": outer_signatures,
        "fee_bump_transaction": {"hash": frame.hash_hex, "signatures": outer_signatures},
        "inner_transaction": {
            "hash": frame.inner_hash.hex(),
            "signatures": _sigs(frame.signatures),
            "max_fee": str(frame.inner_fee_bid),
        },
    }


def transaction_record(
    outcome: TxOutcome, ledger: int, close_time: int, tx_id: int
) -> dict[str, Any]:
    frame = outcome.frame
    record: dict[str, Any] = {
        "id": frame.hash_hex,
        "paging_token": str(tx_id),
        "successful": outcome.successful,
        "hash": frame.hash_hex,
        "ledger": ledger,
        "created_at": iso_time(close_time),
        "source_account": frame.source,
        "source_account_sequence": str(frame.seq_num),
        "fee_account": frame.fee_source,
        "fee_charged": str(outcome.fee_charged),
        "max_fee": str(frame.fee_bid),
        "operation_count": len(frame.operations),
        "envelope_xdr": frame.envelope_xdr,
        "result_xdr": outcome.result_xdr,
        "result_meta_xdr": "",
        "fee_meta_xdr": "",
        **_memo_fields(frame.tx.memo),
        "signatures": _sigs(frame.signatures),
    }
    record.update(_time_bound_fields(frame))
    if frame.fee_bump is not None:
        record.update(_fee_bump_fields(frame))
    return record


def operation_record(
    outcome: TxOutcome, index: int, ledger: int, close_time: int, op_id: int
) -> dict[str, Any]:
    frame = outcome.frame
    op = frame.operations[index]
    source = frame.op_source(op)
    results = outcome.inner.op_results
    result = results[index] if index < len(results) else OpResult("")
    return {
        "id": str(op_id),
        "paging_token": str(op_id),
        "transaction_successful": outcome.successful,
        "source_account": source,
        "type": op_type_name(op.body.type),
        "type_i": op.body.type.value,
        "created_at": iso_time(close_time),
        "transaction_hash": frame.hash_hex,
        **operation_details(op.body, source, result),
    }


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, separators=(",", ":"))
