"""Account life cycle: create_account, account_merge, bump_sequence, manage_data."""

from __future__ import annotations

from stellar_sdk import xdr as x

from testnet.ledger.codec import account_str, muxed_str
from testnet.ledger.ops.base import (
    OpContext,
    OpHandler,
    OpResult,
    Threshold,
    can_add_sub_entry,
)
from testnet.ledger.state import (
    INT64_MAX,
    Account,
    AccountFlag,
    DataEntry,
    account_key,
    available_balance,
    data_key,
)


def check_create_account(body: x.OperationBody, source: str) -> str | None:
    op = body.create_account_op
    assert op is not None
    if op.starting_balance.int64 < 0 or account_str(op.destination) == source:
        return "CREATE_ACCOUNT_MALFORMED"
    return None


def apply_create_account(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.create_account_op
    assert op is not None
    dest = account_str(op.destination)
    amount = op.starting_balance.int64
    if ctx.view.account(dest) is not None:
        return OpResult("CREATE_ACCOUNT_ALREADY_EXIST")
    if amount < 2 * ctx.base_reserve:
        return OpResult("CREATE_ACCOUNT_LOW_RESERVE")
    source = ctx.source_account()
    if available_balance(source, ctx.base_reserve) < amount:
        return OpResult("CREATE_ACCOUNT_UNDERFUNDED")
    source.balance -= amount
    ctx.view.put(
        Account(
            account_id=dest,
            balance=amount,
            seq_num=ctx.ledger_seq << 32,
        )
    )
    return OpResult("CREATE_ACCOUNT_SUCCESS")


def check_merge(body: x.OperationBody, source: str) -> str | None:
    assert body.destination is not None
    if muxed_str(body.destination) == source:
        return "ACCOUNT_MERGE_MALFORMED"
    return None


def apply_merge(body: x.OperationBody, ctx: OpContext) -> OpResult:
    """stellar-core MergeOpFrame::doApplyFromV16, check for check."""
    assert body.destination is not None
    dest_id = muxed_str(body.destination)
    if ctx.view.account(dest_id) is None:
        return OpResult("ACCOUNT_MERGE_NO_ACCOUNT")
    source = ctx.source_account()
    if source.flags & AccountFlag.AUTH_IMMUTABLE:
        return OpResult("ACCOUNT_MERGE_IMMUTABLE_SET")
    if source.num_sub_entries != len(source.signers):
        return OpResult("ACCOUNT_MERGE_HAS_SUB_ENTRIES")
    if source.seq_num >= ctx.ledger_seq << 32:
        return OpResult("ACCOUNT_MERGE_SEQNUM_TOO_FAR")
    if source.num_sponsoring > 0:
        return OpResult("ACCOUNT_MERGE_IS_SPONSOR")
    dest = ctx.view.account_mut(dest_id)
    assert dest is not None
    if dest.balance > INT64_MAX - source.balance:
        return OpResult("ACCOUNT_MERGE_DEST_FULL")
    dest.balance += source.balance
    ctx.view.delete(account_key(ctx.source))
    return OpResult("ACCOUNT_MERGE_SUCCESS", merged_balance=source.balance)


def check_bump(body: x.OperationBody, source: str) -> str | None:
    op = body.bump_sequence_op
    assert op is not None
    if op.bump_to.sequence_number.int64 < 0:
        return "BUMP_SEQUENCE_BAD_SEQ"
    return None


def apply_bump(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.bump_sequence_op
    assert op is not None
    bump_to = op.bump_to.sequence_number.int64
    source = ctx.source_account()
    if bump_to > source.seq_num:
        source.seq_num = bump_to
        source.seq_ledger = ctx.ledger_seq
        source.seq_time = ctx.close_time
    return OpResult("BUMP_SEQUENCE_SUCCESS")


def _string_valid(raw: bytes) -> bool:
    """stellar-core isStringValid: no control characters."""
    return all(0x1F < c != 0x7F for c in raw)


def check_manage_data(body: x.OperationBody, source: str) -> str | None:
    op = body.manage_data_op
    assert op is not None
    name = op.data_name.string64
    if len(name) < 1 or not _string_valid(name):
        return "MANAGE_DATA_INVALID_NAME"
    return None


def apply_manage_data(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.manage_data_op
    assert op is not None
    name = op.data_name.string64.decode("utf-8", errors="replace")
    existing = ctx.view.data(ctx.source, name)
    source = ctx.source_account()
    if op.data_value is None:
        if existing is None:
            return OpResult("MANAGE_DATA_NAME_NOT_FOUND")
        ctx.view.delete(data_key(ctx.source, name))
        source.num_sub_entries -= 1
        return OpResult("MANAGE_DATA_SUCCESS")
    value = op.data_value.data_value
    if existing is None:
        problem = can_add_sub_entry(source, ctx.base_reserve)
        if problem == "low_reserve":
            return OpResult("MANAGE_DATA_LOW_RESERVE")
        if problem == "too_many":
            return OpResult("opTOO_MANY_SUBENTRIES")
        source.num_sub_entries += 1
    ctx.view.put(DataEntry(account_id=ctx.source, name=name, value=value))
    return OpResult("MANAGE_DATA_SUCCESS")


CREATE_ACCOUNT = OpHandler("create_account", check_create_account, apply_create_account)
ACCOUNT_MERGE = OpHandler("account_merge", check_merge, apply_merge, lambda _b: Threshold.HIGH)
BUMP_SEQUENCE = OpHandler("bump_sequence", check_bump, apply_bump, lambda _b: Threshold.LOW)
MANAGE_DATA = OpHandler("manage_data", check_manage_data, apply_manage_data)
