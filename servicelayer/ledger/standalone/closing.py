"""Turning one close's outcomes into the rows persisted in one database transaction."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from typing import Any

from stellar_sdk import xdr as x

from servicelayer.ledger.standalone import records
from servicelayer.ledger.standalone.apply import LedgerContext, TxOutcome
from servicelayer.ledger.standalone.frame import network_id
from servicelayer.ledger.standalone.state import Entry, Key, LedgerHeader
from servicelayer.ledger.standalone.store import ClosedLedgerRows

_ZERO = bytes(32)


def seal(header: LedgerHeader, tx_set_hash: bytes, result_hash: bytes) -> LedgerHeader:
    """Fills ``header_xdr`` with a real LedgerHeader and ``hash`` with its SHA-256, as
    stellar-core hashes ledgers (no bucket list or skip list here: those stay zero)."""
    xdr_header = x.LedgerHeader(
        ledger_version=x.Uint32(header.protocol_version),
        previous_ledger_hash=x.Hash(bytes.fromhex(header.prev_hash)),
        scp_value=x.StellarValue(
            tx_set_hash=x.Hash(tx_set_hash),
            close_time=x.TimePoint(x.Uint64(header.close_time)),
            upgrades=[],
            ext=x.StellarValueExt(x.StellarValueType.STELLAR_VALUE_BASIC),
        ),
        tx_set_result_hash=x.Hash(result_hash),
        bucket_list_hash=x.Hash(_ZERO),
        ledger_seq=x.Uint32(header.seq),
        total_coins=x.Int64(header.total_coins),
        fee_pool=x.Int64(header.fee_pool),
        inflation_seq=x.Uint32(0),
        id_pool=x.Uint64(0),
        base_fee=x.Uint32(header.base_fee),
        base_reserve=x.Uint32(header.base_reserve),
        max_tx_set_size=x.Uint32(header.max_tx_set_size),
        skip_list=[x.Hash(_ZERO)] * 4,
        ext=x.LedgerHeaderExt(0),
    )
    raw = xdr_header.to_xdr_bytes()
    return replace(
        header,
        hash=hashlib.sha256(raw).hexdigest(),
        header_xdr=base64.b64encode(raw).decode(),
    )


def genesis_header(passphrase: str) -> LedgerHeader:
    """Ledger 1: prev hash zero; the network id stands in for the empty tx set hash."""
    header = LedgerHeader(seq=1, close_time=0, hash="", prev_hash="0" * 64)
    return seal(header, network_id(passphrase), _ZERO)


def closed_rows(
    prev: LedgerHeader,
    ctx: LedgerContext,
    changes: dict[Key, Entry | None],
    outcomes: list[TxOutcome],
) -> ClosedLedgerRows:
    seq, close_time = ctx.ledger_seq, ctx.close_time
    for entry in changes.values():
        if entry is not None:
            entry.last_modified_ledger = seq
    txs: list[dict[str, Any]] = []
    ops: list[dict[str, Any]] = []
    tx_parts: list[dict[str, Any]] = []
    op_parts: list[dict[str, Any]] = []
    tx_set = hashlib.sha256(bytes.fromhex(prev.hash))
    results = hashlib.sha256()
    for tx_index, outcome in enumerate(outcomes, start=1):
        tx_id = records.toid(seq, tx_index)
        tx_set.update(outcome.frame.hash)
        results.update(outcome.result.to_xdr_bytes())
        record = records.transaction_record(outcome, seq, close_time, tx_id)
        txs.append(
            {
                "id": tx_id,
                "hash": outcome.frame.hash_hex,
                "ledger_seq": seq,
                "successful": outcome.successful,
                "fee_charged": outcome.fee_charged,
                "max_fee": outcome.frame.fee_bid,
                "record": records.dumps(record),
                "_record": record,
            }
        )
        participants = {outcome.frame.source, outcome.frame.fee_source}
        for op_index, op in enumerate(outcome.frame.operations):
            op_id = records.toid(seq, tx_index, op_index + 1)
            is_payment = op.body.type in records.PAYMENT_TYPES
            op_record = records.operation_record(outcome, op_index, seq, close_time, op_id)
            ops.append(
                {
                    "id": op_id,
                    "transaction_id": tx_id,
                    "successful": outcome.successful,
                    "is_payment": is_payment,
                    "record": records.dumps(op_record),
                }
            )
            op_accounts = records.operation_participants(op.body, outcome.frame.op_source(op))
            participants |= op_accounts
            op_parts.extend(
                {"account_id": a, "operation_id": op_id, "is_payment": is_payment}
                for a in sorted(op_accounts)
            )
        tx_parts.extend({"account_id": a, "transaction_id": tx_id} for a in sorted(participants))
    successful = sum(1 for o in outcomes if o.successful)
    header = LedgerHeader(
        seq=seq,
        close_time=close_time,
        hash="",
        prev_hash=prev.hash,
        total_coins=prev.total_coins,
        fee_pool=prev.fee_pool + sum(o.fee_charged for o in outcomes),
        base_fee=prev.base_fee,
        base_reserve=prev.base_reserve,
        max_tx_set_size=prev.max_tx_set_size,
        protocol_version=prev.protocol_version,
        successful_tx_count=successful,
        failed_tx_count=len(outcomes) - successful,
        operation_count=sum(len(o.frame.operations) for o in outcomes if o.successful),
        tx_set_operation_count=sum(len(o.frame.operations) for o in outcomes),
    )
    header = seal(header, tx_set.digest(), results.digest())
    return ClosedLedgerRows(header, changes, txs, ops, tx_parts, op_parts)
