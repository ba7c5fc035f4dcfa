"""Trust lines: change_trust, allow_trust, set_trust_line_flags, clawback."""

from __future__ import annotations

from stellar_sdk import xdr as x

from testnet.ledger.codec import (
    NATIVE,
    account_str,
    account_xdr,
    asset_issuer,
    asset_key,
    asset_valid,
    muxed_str,
)
from testnet.ledger.ops.base import (
    OpContext,
    OpHandler,
    OpResult,
    Threshold,
    can_add_sub_entry,
    is_issuer,
)
from testnet.ledger.state import (
    AccountFlag,
    TrustLine,
    TrustLineFlag,
    trustline_key,
)

_AUTH_FLAGS = TrustLineFlag.AUTHORIZED | TrustLineFlag.AUTHORIZED_TO_MAINTAIN_LIABILITIES
_ALL_TRUSTLINE_FLAGS = 7


def _auth_flags_valid(flags: int) -> bool:
    """Never both AUTHORIZED and AUTHORIZED_TO_MAINTAIN_LIABILITIES."""
    return (flags & _AUTH_FLAGS) != _AUTH_FLAGS


def check_change_trust(body: x.OperationBody, source: str) -> str | None:
    op = body.change_trust_op
    assert op is not None
    if op.limit.int64 < 0 or not asset_valid(op.line):
        return "CHANGE_TRUST_MALFORMED"
    asset = asset_key(op.line)
    if asset == NATIVE or is_issuer(source, asset):
        return "CHANGE_TRUST_MALFORMED"
    return None


def apply_change_trust(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.change_trust_op
    assert op is not None
    asset = asset_key(op.line)
    limit = op.limit.int64
    issuer_id = asset_issuer(asset)
    assert issuer_id is not None
    line = ctx.view.trustline_mut(ctx.source, asset)
    if line is not None:
        if limit < line.balance:
            return OpResult("CHANGE_TRUST_INVALID_LIMIT")
        if limit == 0:
            ctx.view.delete(trustline_key(ctx.source, asset))
            ctx.source_account().num_sub_entries -= 1
        else:
            if ctx.view.account(issuer_id) is None:
                return OpResult("CHANGE_TRUST_NO_ISSUER")
            line.limit = limit
        return OpResult("CHANGE_TRUST_SUCCESS")
    if limit == 0:
        return OpResult("CHANGE_TRUST_INVALID_LIMIT")
    issuer = ctx.view.account(issuer_id)
    if issuer is None:
        return OpResult("CHANGE_TRUST_NO_ISSUER")
    flags = 0
    if not issuer.flags & AccountFlag.AUTH_REQUIRED:
        flags |= TrustLineFlag.AUTHORIZED
    if issuer.flags & AccountFlag.AUTH_CLAWBACK_ENABLED:
        flags |= TrustLineFlag.CLAWBACK_ENABLED
    source = ctx.source_account()
    problem = can_add_sub_entry(source, ctx.base_reserve)
    if problem == "low_reserve":
        return OpResult("CHANGE_TRUST_LOW_RESERVE")
    if problem == "too_many":
        return OpResult("opTOO_MANY_SUBENTRIES")
    source.num_sub_entries += 1
    ctx.view.put(TrustLine(ctx.source, asset, balance=0, limit=limit, flags=flags))
    return OpResult("CHANGE_TRUST_SUCCESS")


def _allow_trust_asset(op: x.AllowTrustOp, source: str) -> x.Asset:
    issuer = account_xdr(source)
    if op.asset.asset_code4 is not None:
        return x.Asset(
            x.AssetType.ASSET_TYPE_CREDIT_ALPHANUM4,
            alpha_num4=x.AlphaNum4(op.asset.asset_code4, issuer),
        )
    assert op.asset.asset_code12 is not None
    return x.Asset(
        x.AssetType.ASSET_TYPE_CREDIT_ALPHANUM12,
        alpha_num12=x.AlphaNum12(op.asset.asset_code12, issuer),
    )


def check_allow_trust(body: x.OperationBody, source: str) -> str | None:
    op = body.allow_trust_op
    assert op is not None
    authorize = op.authorize.uint32
    if op.asset.type == x.AssetType.ASSET_TYPE_NATIVE:
        return "ALLOW_TRUST_MALFORMED"
    if authorize > TrustLineFlag.AUTHORIZED_TO_MAINTAIN_LIABILITIES:
        return "ALLOW_TRUST_MALFORMED"
    if not asset_valid(_allow_trust_asset(op, source)):
        return "ALLOW_TRUST_MALFORMED"
    if account_str(op.trustor) == source:
        return "ALLOW_TRUST_MALFORMED"
    return None


def _set_line_flags(ctx: OpContext, trustor: str, asset: str, new_flags: int) -> None:
    line = ctx.view.trustline_mut(trustor, asset)
    assert line is not None
    line.flags = new_flags


def apply_allow_trust(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.allow_trust_op
    assert op is not None
    authorize = op.authorize.uint32
    revocable = bool(ctx.source_account().flags & AccountFlag.AUTH_REVOCABLE)
    if not revocable and authorize == 0:
        return OpResult("ALLOW_TRUST_CANT_REVOKE")
    trustor = account_str(op.trustor)
    asset = asset_key(_allow_trust_asset(op, ctx.source))
    line = ctx.view.trustline(trustor, asset)
    if line is None:
        return OpResult("ALLOW_TRUST_NO_TRUST_LINE")
    expected = (line.flags & ~_AUTH_FLAGS) | authorize
    downgrade = line.authorized and authorize & TrustLineFlag.AUTHORIZED_TO_MAINTAIN_LIABILITIES
    if not revocable and downgrade:
        return OpResult("ALLOW_TRUST_CANT_REVOKE")
    _set_line_flags(ctx, trustor, asset, expected)
    return OpResult("ALLOW_TRUST_SUCCESS")


def check_set_trust_line_flags(body: x.OperationBody, source: str) -> str | None:
    op = body.set_trust_line_flags_op
    assert op is not None
    set_flags, clear_flags = op.set_flags.uint32, op.clear_flags.uint32
    asset = asset_key(op.asset)
    malformed = (
        asset == NATIVE
        or not asset_valid(op.asset)
        or not is_issuer(source, asset)
        or account_str(op.trustor) == source
        or set_flags & clear_flags
        or set_flags & TrustLineFlag.CLAWBACK_ENABLED
        or (set_flags | clear_flags) & ~_ALL_TRUSTLINE_FLAGS
        or not _auth_flags_valid(set_flags)
    )
    return "SET_TRUST_LINE_FLAGS_MALFORMED" if malformed else None


def apply_set_trust_line_flags(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.set_trust_line_flags_op
    assert op is not None
    revocable = bool(ctx.source_account().flags & AccountFlag.AUTH_REVOCABLE)
    if not revocable and op.clear_flags.uint32 & _AUTH_FLAGS:
        return OpResult("SET_TRUST_LINE_FLAGS_CANT_REVOKE")
    trustor = account_str(op.trustor)
    asset = asset_key(op.asset)
    line = ctx.view.trustline(trustor, asset)
    if line is None:
        return OpResult("SET_TRUST_LINE_FLAGS_NO_TRUST_LINE")
    expected = (line.flags & ~op.clear_flags.uint32) | op.set_flags.uint32
    if not _auth_flags_valid(expected):
        return OpResult("SET_TRUST_LINE_FLAGS_INVALID_STATE")
    _set_line_flags(ctx, trustor, asset, expected)
    return OpResult("SET_TRUST_LINE_FLAGS_SUCCESS")


def check_clawback(body: x.OperationBody, source: str) -> str | None:
    op = body.clawback_op
    assert op is not None
    asset = asset_key(op.asset)
    malformed = (
        muxed_str(op.from_) == source
        or op.amount.int64 < 1
        or asset == NATIVE
        or not is_issuer(source, asset)
        or not asset_valid(op.asset)
    )
    return "CLAWBACK_MALFORMED" if malformed else None


def apply_clawback(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.clawback_op
    assert op is not None
    line = ctx.view.trustline_mut(muxed_str(op.from_), asset_key(op.asset))
    if line is None:
        return OpResult("CLAWBACK_NO_TRUST")
    if not line.clawback_enabled:
        return OpResult("CLAWBACK_NOT_CLAWBACK_ENABLED")
    if line.balance < op.amount.int64:
        return OpResult("CLAWBACK_UNDERFUNDED")
    line.balance -= op.amount.int64
    return OpResult("CLAWBACK_SUCCESS")


def _low(_body: x.OperationBody) -> Threshold:
    return Threshold.LOW


CHANGE_TRUST = OpHandler("change_trust", check_change_trust, apply_change_trust)
ALLOW_TRUST = OpHandler("allow_trust", check_allow_trust, apply_allow_trust, _low)
SET_TRUST_LINE_FLAGS = OpHandler(
    "set_trust_line_flags", check_set_trust_line_flags, apply_set_trust_line_flags, _low
)
CLAWBACK = OpHandler("clawback", check_clawback, apply_clawback)
