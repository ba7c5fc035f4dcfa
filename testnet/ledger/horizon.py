"""Pure functions from ledger state and stored records to Horizon's JSON shapes.

No web framework here: routes in ``testnet/ledger/front`` call these with the server's base URL.
Amounts are 7-decimal strings; paging tokens are TOIDs. Collections and links are in
:mod:`.paging`, error documents in :mod:`.problems`.
"""

from __future__ import annotations

import base64
from typing import Any

from stellar_sdk import StrKey

from servicelayer.ledger.money import format_amount
from testnet.ledger.codec import NATIVE
from testnet.ledger.paging import href
from testnet.ledger.records import (
    asset_fields,
    iso_time,
    predicate_json,
)
from testnet.ledger.state import (
    Account,
    AccountFlag,
    ClaimableBalance,
    DataEntry,
    LedgerHeader,
    TrustLine,
    TrustLineFlag,
)

HORIZON_VERSION = "acenode-standalone-horizon/0.1"
CORE_VERSION = "acenode-standalone-core/0.1 (classic transactions)"


def root(header: LedgerHeader, passphrase: str, base: str) -> dict[str, Any]:
    return {
        "_links": {
            "account": href(base, "/accounts/{account_id}", True),
            "accounts": href(base, "/accounts{?signer,sponsor,asset,cursor,limit,order}", True),
            "claimable_balances": href(
                base, "/claimable_balances{?asset,sponsor,claimant,cursor,limit,order}", True
            ),
            "fee_stats": href(base, "/fee_stats"),
            "friendbot": href(base, "/friendbot{?addr}", True),
            "ledger": href(base, "/ledgers/{sequence}", True),
            "ledgers": href(base, "/ledgers{?cursor,limit,order}", True),
            "operations": href(base, "/operations{?cursor,limit,order,include_failed}", True),
            "payments": href(base, "/payments{?cursor,limit,order,include_failed}", True),
            "self": href(base, "/"),
            "transaction": href(base, "/transactions/{hash}", True),
            "transactions": href(base, "/transactions{?cursor,limit,order}", True),
        },
        "horizon_version": HORIZON_VERSION,
        "core_version": CORE_VERSION,
        "ingest_latest_ledger": header.seq,
        "history_latest_ledger": header.seq,
        "history_latest_ledger_closed_at": iso_time(header.close_time),
        "history_elder_ledger": 1,
        "core_latest_ledger": header.seq,
        "network_passphrase": passphrase,
        "current_protocol_version": header.protocol_version,
        "supported_protocol_version": header.protocol_version,
        "core_supported_protocol_version": header.protocol_version,
    }


def _trustline_balance(line: TrustLine) -> dict[str, Any]:
    body: dict[str, Any] = {
        "balance": format_amount(line.balance),
        "limit": format_amount(line.limit),
        "buying_liabilities": "0.0000000",
        "selling_liabilities": "0.0000000",
        "last_modified_ledger": line.last_modified_ledger,
        "is_authorized": bool(line.flags & TrustLineFlag.AUTHORIZED),
        "is_authorized_to_maintain_liabilities": bool(
            line.flags
            & (TrustLineFlag.AUTHORIZED | TrustLineFlag.AUTHORIZED_TO_MAINTAIN_LIABILITIES)
        ),
        **asset_fields(line.asset),
    }
    if line.flags & TrustLineFlag.CLAWBACK_ENABLED:
        body["is_clawback_enabled"] = True
    return body


def _signer_type(key: str) -> str:
    return {"G": "ed25519_public_key", "T": "preauth_tx", "X": "sha256_hash"}.get(key[0], "unknown")


def _account_links(base: str, path: str) -> dict[str, Any]:
    links = {"self": href(base, path)}
    for name in ("transactions", "operations", "payments", "effects", "offers", "trades"):
        links[name] = href(base, f"{path}/{name}{{?cursor,limit,order}}", True)
    links["data"] = href(base, path + "/data/{key}", True)
    return links


def _signers(acc: Account) -> list[dict[str, Any]]:
    """The account's signers, then the master key while it has weight."""
    signers = [{"weight": s.weight, "key": s.key, "type": _signer_type(s.key)} for s in acc.signers]
    if acc.master_weight > 0:
        signers.append(
            {"weight": acc.master_weight, "key": acc.account_id, "type": "ed25519_public_key"}
        )
    return signers


def _account_flags(flags: int) -> dict[str, bool]:
    return {
        "auth_required": bool(flags & AccountFlag.AUTH_REQUIRED),
        "auth_revocable": bool(flags & AccountFlag.AUTH_REVOCABLE),
        "auth_immutable": bool(flags & AccountFlag.AUTH_IMMUTABLE),
        "auth_clawback_enabled": bool(flags & AccountFlag.AUTH_CLAWBACK_ENABLED),
    }


def account(
    acc: Account, lines: list[TrustLine], data: list[DataEntry], base: str
) -> dict[str, Any]:
    native = {
        "balance": format_amount(acc.balance),
        "buying_liabilities": "0.0000000",
        "selling_liabilities": "0.0000000",
        "asset_type": "native",
    }
    body: dict[str, Any] = {
        "_links": _account_links(base, f"/accounts/{acc.account_id}"),
        "id": acc.account_id,
        "account_id": acc.account_id,
        "sequence": str(acc.seq_num),
        "sequence_ledger": acc.seq_ledger,
        "sequence_time": str(acc.seq_time),
        "subentry_count": acc.num_sub_entries,
        "last_modified_ledger": acc.last_modified_ledger,
        "thresholds": {
            "low_threshold": acc.low_threshold,
            "med_threshold": acc.med_threshold,
            "high_threshold": acc.high_threshold,
        },
        "flags": _account_flags(acc.flags),
        "balances": [_trustline_balance(ln) for ln in lines] + [native],
        "signers": _signers(acc),
        "data": {d.name: base64.b64encode(d.value).decode() for d in data},
        "num_sponsoring": acc.num_sponsoring,
        "num_sponsored": 0,
        "paging_token": acc.account_id,
    }
    if acc.home_domain:
        body["home_domain"] = acc.home_domain
    return body


def ledger(h: LedgerHeader, base: str) -> dict[str, Any]:
    path = f"/ledgers/{h.seq}"
    return {
        "_links": {
            "self": href(base, path),
            "transactions": href(base, path + "/transactions{?cursor,limit,order}", True),
            "operations": href(base, path + "/operations{?cursor,limit,order}", True),
            "payments": href(base, path + "/payments{?cursor,limit,order}", True),
            "effects": href(base, path + "/effects{?cursor,limit,order}", True),
        },
        "id": h.hash,
        "paging_token": str(h.seq << 32),
        "hash": h.hash,
        "prev_hash": h.prev_hash if h.seq > 1 else "",
        "sequence": h.seq,
        "successful_transaction_count": h.successful_tx_count,
        "failed_transaction_count": h.failed_tx_count,
        "operation_count": h.operation_count,
        "tx_set_operation_count": h.tx_set_operation_count,
        "closed_at": iso_time(h.close_time),
        "total_coins": format_amount(h.total_coins),
        "fee_pool": format_amount(h.fee_pool),
        "base_fee_in_stroops": h.base_fee,
        "base_reserve_in_stroops": h.base_reserve,
        "max_tx_set_size": h.max_tx_set_size,
        "protocol_version": h.protocol_version,
        "header_xdr": h.header_xdr,
    }


def transaction(record: dict[str, Any], base: str) -> dict[str, Any]:
    tx_hash, token = record["hash"], record["paging_token"]
    path = f"/transactions/{tx_hash}"
    links = {
        "self": href(base, path),
        "account": href(base, f"/accounts/{record['source_account']}"),
        "ledger": href(base, f"/ledgers/{record['ledger']}"),
        "operations": href(base, path + "/operations{?cursor,limit,order}", True),
        "effects": href(base, path + "/effects{?cursor,limit,order}", True),
        "precedes": href(base, f"/transactions?order=asc&cursor={token}"),
        "succeeds": href(base, f"/transactions?order=desc&cursor={token}"),
        "transaction": href(base, path),
    }
    return {"_links": links, **record}


def operation(record: dict[str, Any], base: str) -> dict[str, Any]:
    op_id = record["id"]
    links = {
        "self": href(base, f"/operations/{op_id}"),
        "transaction": href(base, f"/transactions/{record['transaction_hash']}"),
        "effects": href(base, f"/operations/{op_id}/effects"),
        "succeeds": href(base, f"/effects?order=desc&cursor={op_id}"),
        "precedes": href(base, f"/effects?order=asc&cursor={op_id}"),
    }
    return {"_links": links, **record}


def balance_token(cb: ClaimableBalance) -> str:
    return f"{cb.last_modified_ledger}-{cb.balance_id}"


def claimable_balance(cb: ClaimableBalance, base: str) -> dict[str, Any]:
    path = f"/claimable_balances/{cb.balance_id}"
    return {
        "_links": {
            "self": href(base, path),
            "transactions": href(base, path + "/transactions{?cursor,limit,order}", True),
            "operations": href(base, path + "/operations{?cursor,limit,order}", True),
        },
        "id": cb.balance_id,
        "asset": "native" if cb.asset == NATIVE else cb.asset,
        "amount": format_amount(cb.amount),
        "sponsor": cb.sponsor,
        "last_modified_ledger": cb.last_modified_ledger,
        "claimants": [
            {"destination": c.destination, "predicate": predicate_json(c.predicate)}
            for c in cb.claimants
        ],
        "flags": {"clawback_enabled": bool(cb.flags & 1)},
        "paging_token": balance_token(cb),
    }


def _percentiles(values: list[int], fallback: int) -> dict[str, str]:
    ordered = sorted(values) or [fallback]

    def pick(p: int) -> str:
        index = max(0, -(-p * len(ordered) // 100) - 1)
        return str(ordered[min(index, len(ordered) - 1)])

    mode = max(set(ordered), key=lambda v: (ordered.count(v), -v))
    stats = {"max": str(ordered[-1]), "min": str(ordered[0]), "mode": str(mode)}
    for p in (10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 99):
        stats[f"p{p}"] = pick(p)
    return stats


def fee_stats(h: LedgerHeader, per_op_charged: list[int], per_op_max: list[int]) -> dict[str, Any]:
    hundredths = min(100, h.tx_set_operation_count * 100 // max(1, h.max_tx_set_size))
    return {
        "last_ledger": str(h.seq),
        "last_ledger_base_fee": str(h.base_fee),
        "ledger_capacity_usage": f"{hundredths // 100}.{hundredths % 100:02d}",
        "fee_charged": _percentiles(per_op_charged, h.base_fee),
        "max_fee": _percentiles(per_op_max, h.base_fee),
    }


def is_account_id(value: str) -> bool:
    return StrKey.is_valid_ed25519_public_key(value)
