"""Turning one close's outcomes into the rows persisted in one database transaction."""

from __future__ import annotations

import hashlib
from typing import Any

from servicelayer.ledger.standalone import records
from servicelayer.ledger.standalone.apply import LedgerContext, TxOutcome
from servicelayer.ledger.standalone.frame import network_id
from servicelayer.ledger.standalone.state import Entry, Key, LedgerHeader
from servicelayer.ledger.standalone.store import ClosedLedgerRows


def genesis_header(passphrase: str) -> LedgerHeader:
    digest = hashlib.sha256(b"genesis:" + network_id(passphrase)).hexdigest()
    return LedgerHeader(seq=1, close_time=0, hash=digest, prev_hash="0" * 64)


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
    hasher = hashlib.sha256(bytes.fromhex(prev.hash) + seq.to_bytes(8, "big"))
    for tx_index, outcome in enumerate(outcomes, start=1):
        tx_id = records.toid(seq, tx_index)
        hasher.update(outcome.frame.hash)
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
        hash=hasher.hexdigest(),
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
    return ClosedLedgerRows(header, changes, txs, ops, tx_parts, op_parts)
