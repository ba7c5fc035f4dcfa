"""set_options, as stellar-core's SetOptionsOpFrame checks and applies it."""

from __future__ import annotations

from stellar_sdk import StrKey
from stellar_sdk import xdr as x

from testnet.ledger.codec import account_str, signer_key_str
from testnet.ledger.ops.base import (
    OpContext,
    OpHandler,
    OpResult,
    Threshold,
    can_add_sub_entry,
)
from testnet.ledger.state import (
    ALL_ACCOUNT_FLAGS,
    MAX_SIGNERS,
    Account,
    AccountFlag,
    Signer,
)

_UINT8_MAX = 255
_KEY_ORDER = {"G": 0, "T": 1, "X": 2}


def _u32(value: x.Uint32 | None) -> int | None:
    return None if value is None else value.uint32


def threshold(body: x.OperationBody) -> Threshold:
    op = body.set_options_op
    assert op is not None
    changes_auth = (
        op.master_weight,
        op.low_threshold,
        op.med_threshold,
        op.high_threshold,
        op.signer,
    )
    return Threshold.HIGH if any(v is not None for v in changes_auth) else Threshold.MEDIUM


def check_set_options(body: x.OperationBody, source: str) -> str | None:
    op = body.set_options_op
    assert op is not None
    set_flags, clear_flags = _u32(op.set_flags), _u32(op.clear_flags)
    for flags in (set_flags, clear_flags):
        if flags is not None and flags & ~ALL_ACCOUNT_FLAGS:
            return "SET_OPTIONS_UNKNOWN_FLAG"
    if set_flags is not None and clear_flags is not None and set_flags & clear_flags:
        return "SET_OPTIONS_BAD_FLAGS"
    weights = (op.master_weight, op.low_threshold, op.med_threshold, op.high_threshold)
    if any(w is not None and w.uint32 > _UINT8_MAX for w in weights):
        return "SET_OPTIONS_THRESHOLD_OUT_OF_RANGE"
    if op.signer is not None:
        key = signer_key_str(op.signer.key)
        if key == source or key.startswith("unsupported:") or op.signer.weight.uint32 > _UINT8_MAX:
            return "SET_OPTIONS_BAD_SIGNER"
    if op.home_domain is not None and not all(0x1F < c < 0x7F for c in op.home_domain.string32):
        return "SET_OPTIONS_INVALID_HOME_DOMAIN"
    return None


def _signer_sort_key(signer: Signer) -> tuple[int, bytes]:
    decode = {
        "G": StrKey.decode_ed25519_public_key,
        "T": StrKey.decode_pre_auth_tx,
        "X": StrKey.decode_sha256_hash,
    }[signer.key[0]]
    return (_KEY_ORDER[signer.key[0]], decode(signer.key))


def _apply_flags(op: x.SetOptionsOp, account: Account) -> str | None:
    immutable = account.flags & AccountFlag.AUTH_IMMUTABLE
    for flags, setting in ((_u32(op.clear_flags), False), (_u32(op.set_flags), True)):
        if flags is None:
            continue
        if flags & ALL_ACCOUNT_FLAGS and immutable:
            return "SET_OPTIONS_CANT_CHANGE"
        account.flags = account.flags | flags if setting else account.flags & ~flags
    if op.set_flags is not None or op.clear_flags is not None:
        clawback = account.flags & AccountFlag.AUTH_CLAWBACK_ENABLED
        if clawback and not account.flags & AccountFlag.AUTH_REVOCABLE:
            return "SET_OPTIONS_AUTH_REVOCABLE_REQUIRED"
    return None


def _apply_signer(op: x.SetOptionsOp, ctx: OpContext, account: Account) -> str | None:
    assert op.signer is not None
    key = signer_key_str(op.signer.key)
    weight = op.signer.weight.uint32
    others = [s for s in account.signers if s.key != key]
    exists = len(others) != len(account.signers)
    if weight == 0:
        if exists:
            account.signers = tuple(others)
            account.num_sub_entries -= 1
        return None
    if not exists:
        if len(account.signers) >= MAX_SIGNERS:
            return "SET_OPTIONS_TOO_MANY_SIGNERS"
        problem = can_add_sub_entry(account, ctx.base_reserve)
        if problem == "low_reserve":
            return "SET_OPTIONS_LOW_RESERVE"
        if problem == "too_many":
            return "opTOO_MANY_SUBENTRIES"
        account.num_sub_entries += 1
    others.append(Signer(key, weight))
    account.signers = tuple(sorted(others, key=_signer_sort_key))
    return None


def apply_set_options(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.set_options_op
    assert op is not None
    account = ctx.source_account()
    if op.inflation_dest is not None:
        dest = account_str(op.inflation_dest)
        if dest != ctx.source and ctx.view.account(dest) is None:
            return OpResult("SET_OPTIONS_INVALID_INFLATION")
    failure = _apply_flags(op, account)
    if failure is not None:
        return OpResult(failure)
    if op.home_domain is not None:
        account.home_domain = op.home_domain.string32.decode("ascii")
    if op.master_weight is not None:
        account.master_weight = op.master_weight.uint32
    if op.low_threshold is not None:
        account.low_threshold = op.low_threshold.uint32
    if op.med_threshold is not None:
        account.med_threshold = op.med_threshold.uint32
    if op.high_threshold is not None:
        account.high_threshold = op.high_threshold.uint32
    if op.signer is not None:
        failure = _apply_signer(op, ctx, account)
        if failure is not None:
            return OpResult(failure)
    return OpResult("SET_OPTIONS_SUCCESS")


SET_OPTIONS = OpHandler("set_options", check_set_options, apply_set_options, threshold)
