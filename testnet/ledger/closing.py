"""Turning one close's outcomes into the rows persisted in one database transaction."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field, replace
from typing import Any

from stellar_sdk import xdr as x

from testnet.ledger import records
from testnet.ledger.apply import LedgerContext, TxOutcome
from testnet.ledger.frame import network_id
from testnet.ledger.payment_records import payment_record_json
from testnet.ledger.state import Entry, Key, LedgerHeader
from testnet.ledger.store import ClosedLedgerRows

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


@dataclass
class _Rows:
    """Rows in column order (see store.persist); ``records`` are the transactions' Horizon
    records, which answer the submissions."""

    transactions: list[tuple[Any, ...]] = field(default_factory=list)
    operations: list[tuple[Any, ...]] = field(default_factory=list)
    tx_participants: list[tuple[Any, ...]] = field(default_factory=list)
    op_participants: list[tuple[Any, ...]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)


def _operation_row(
    rows: _Rows, outcome: TxOutcome, tx_id: int, op_index: int, ctx: LedgerContext, created: str
) -> set[str]:
    """Appends the operation's row and participants' rows; returns the participants."""
    op_id = tx_id + op_index + 1  # records.toid(ledger, tx_index, op_index + 1)
    frame = outcome.frame
    op = frame.operations[op_index]
    source = frame.op_source(op)
    fast = payment_record_json(op, source, op_id, outcome.successful, created, frame.hash_hex)
    if fast is not None:
        text, dest = fast
        rows.operations.append((op_id, tx_id, outcome.successful, True, text))
        op_accounts = {source, dest}
        is_payment = True
    else:
        is_payment = op.body.type in records.PAYMENT_TYPES
        op_record = records.operation_record(
            outcome, op_index, ctx.ledger_seq, ctx.close_time, op_id
        )
        rows.operations.append(
            (op_id, tx_id, outcome.successful, is_payment, records.dumps(op_record))
        )
        op_accounts = records.operation_participants(op.body, source)
    rows.op_participants.extend((a, op_id, is_payment) for a in sorted(op_accounts))
    return op_accounts


def _add_transaction(rows: _Rows, outcome: TxOutcome, ctx: LedgerContext, tx_index: int) -> None:
    """The transaction's row and record, its operations' rows and who took part, for the
    account history pages."""
    seq, close_time = ctx.ledger_seq, ctx.close_time
    frame = outcome.frame
    tx_id = records.toid(seq, tx_index)
    record = records.transaction_record(outcome, seq, close_time, tx_id)
    rows.records.append(record)
    rows.transactions.append(
        (
            tx_id,
            frame.hash_hex,
            seq,
            outcome.successful,
            outcome.fee_charged,
            frame.fee_bid,
            records.dumps(record),
            frame.inner_hash.hex() if frame.fee_bump is not None else None,
        )
    )
    participants = {frame.source, frame.fee_source}
    created = record["created_at"]
    for op_index in range(len(frame.operations)):
        participants |= _operation_row(rows, outcome, tx_id, op_index, ctx, created)
    rows.tx_participants.extend((a, tx_id) for a in sorted(participants))


def closed_rows(
    prev: LedgerHeader,
    ctx: LedgerContext,
    changes: dict[Key, Entry | None],
    outcomes: list[TxOutcome],
) -> ClosedLedgerRows:
    """Everything one close writes: header, changed entries, history rows."""
    for entry in changes.values():
        if entry is not None:
            entry.last_modified_ledger = ctx.ledger_seq
    rows = _Rows()
    tx_set = hashlib.sha256(bytes.fromhex(prev.hash))
    results = hashlib.sha256()
    for tx_index, outcome in enumerate(outcomes, start=1):
        tx_set.update(outcome.frame.hash)
        results.update(outcome.result_bytes)
        _add_transaction(rows, outcome, ctx, tx_index)
    successful = sum(1 for o in outcomes if o.successful)
    header = replace(
        prev,
        seq=ctx.ledger_seq,
        close_time=ctx.close_time,
        prev_hash=prev.hash,
        fee_pool=prev.fee_pool + sum(o.fee_charged for o in outcomes),
        successful_tx_count=successful,
        failed_tx_count=len(outcomes) - successful,
        operation_count=sum(len(o.frame.operations) for o in outcomes if o.successful),
        tx_set_operation_count=sum(len(o.frame.operations) for o in outcomes),
    )
    header = seal(header, tx_set.digest(), results.digest())
    return ClosedLedgerRows(
        header,
        changes,
        rows.transactions,
        rows.operations,
        rows.tx_participants,
        rows.op_participants,
        rows.records,
    )
