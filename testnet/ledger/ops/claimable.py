"""Claimable balances: create (with claim predicates) and claim."""

from __future__ import annotations

from stellar_sdk import xdr as x

from testnet.ledger.codec import (
    NATIVE,
    account_str,
    asset_key,
    asset_valid,
    balance_id_str,
    claimable_balance_id,
)
from testnet.ledger.ops.base import (
    OpContext,
    OpHandler,
    OpResult,
    Threshold,
    is_issuer,
)
from testnet.ledger.ops.payments import debit_source
from testnet.ledger.state import (
    INT64_MAX,
    AccountFlag,
    ClaimableBalance,
    Claimant,
    balance_key,
    min_balance,
)

_MAX_DEPTH = 4
CLAIMABLE_BALANCE_CLAWBACK_ENABLED = 1
_T = x.ClaimPredicateType


def _predicate_valid(p: x.ClaimPredicate, depth: int) -> bool:
    """stellar-core validatePredicate: depth <= 4, and/or of two, not of one, times >= 0."""
    if depth > _MAX_DEPTH:
        return False
    if p.type in (_T.CLAIM_PREDICATE_AND, _T.CLAIM_PREDICATE_OR):
        children = p.and_predicates if p.type == _T.CLAIM_PREDICATE_AND else p.or_predicates
        return (
            children is not None
            and len(children) == 2
            and all(_predicate_valid(c, depth + 1) for c in children)
        )
    if p.type == _T.CLAIM_PREDICATE_NOT:
        return p.not_predicate is not None and _predicate_valid(p.not_predicate, depth + 1)
    if p.type == _T.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME:
        return p.abs_before is not None and p.abs_before.int64 >= 0
    if p.type == _T.CLAIM_PREDICATE_BEFORE_RELATIVE_TIME:
        return p.rel_before is not None and p.rel_before.int64 >= 0
    return p.type == _T.CLAIM_PREDICATE_UNCONDITIONAL


def to_absolute(p: x.ClaimPredicate, close_time: int) -> dict[str, object]:
    """The stored predicate: relative times become absolute at creation, as in core."""
    if p.type == _T.CLAIM_PREDICATE_AND and p.and_predicates is not None:
        return {"and": [to_absolute(c, close_time) for c in p.and_predicates]}
    if p.type == _T.CLAIM_PREDICATE_OR and p.or_predicates is not None:
        return {"or": [to_absolute(c, close_time) for c in p.or_predicates]}
    if p.type == _T.CLAIM_PREDICATE_NOT and p.not_predicate is not None:
        return {"not": to_absolute(p.not_predicate, close_time)}
    if p.type == _T.CLAIM_PREDICATE_BEFORE_ABSOLUTE_TIME and p.abs_before is not None:
        return {"abs_before": p.abs_before.int64}
    if p.type == _T.CLAIM_PREDICATE_BEFORE_RELATIVE_TIME and p.rel_before is not None:
        return {"abs_before": min(INT64_MAX, close_time + p.rel_before.int64)}
    return {"unconditional": True}


def predicate_holds(p: dict[str, object], close_time: int) -> bool:
    if "and" in p:
        children = p["and"]
        assert isinstance(children, list)
        return all(predicate_holds(c, close_time) for c in children)
    if "or" in p:
        children = p["or"]
        assert isinstance(children, list)
        return any(predicate_holds(c, close_time) for c in children)
    if "not" in p:
        child = p["not"]
        assert isinstance(child, dict)
        return not predicate_holds(child, close_time)
    if "abs_before" in p:
        before = p["abs_before"]
        assert isinstance(before, int)
        return close_time < before
    return True


def check_create(body: x.OperationBody, source: str) -> str | None:
    op = body.create_claimable_balance_op
    assert op is not None
    destinations = [account_str(c.v0.destination) for c in op.claimants if c.v0 is not None]
    malformed = (
        not asset_valid(op.asset)
        or op.amount.int64 <= 0
        or not op.claimants
        or len(destinations) != len(op.claimants)
        or len(set(destinations)) != len(destinations)
        or not all(c.v0 is not None and _predicate_valid(c.v0.predicate, 1) for c in op.claimants)
    )
    return "CREATE_CLAIMABLE_BALANCE_MALFORMED" if malformed else None


def _clawback_flag(ctx: OpContext, asset: str) -> int:
    if asset == NATIVE:
        return 0
    if is_issuer(ctx.source, asset):
        enabled = bool(ctx.source_account().flags & AccountFlag.AUTH_CLAWBACK_ENABLED)
    else:
        line = ctx.view.trustline(ctx.source, asset)
        enabled = line is not None and line.clawback_enabled
    return CLAIMABLE_BALANCE_CLAWBACK_ENABLED if enabled else 0


def apply_create(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.create_claimable_balance_op
    assert op is not None
    asset = asset_key(op.asset)
    failure = debit_source(ctx, asset, op.amount.int64, trust_prefix="")
    if failure is not None:
        return OpResult(f"CREATE_CLAIMABLE_BALANCE_{failure}")
    source = ctx.source_account()
    reserve = len(op.claimants) * ctx.base_reserve
    if source.balance < min_balance(source, ctx.base_reserve) + reserve:
        return OpResult("CREATE_CLAIMABLE_BALANCE_LOW_RESERVE")
    source.num_sponsoring += len(op.claimants)
    balance_id = claimable_balance_id(ctx.tx_source, ctx.tx_seq, ctx.op_index)
    claimants = tuple(
        Claimant(account_str(c.v0.destination), to_absolute(c.v0.predicate, ctx.close_time))
        for c in op.claimants
        if c.v0 is not None
    )
    ctx.view.put(
        ClaimableBalance(
            balance_id=balance_id,
            asset=asset,
            amount=op.amount.int64,
            sponsor=ctx.source,
            claimants=claimants,
            flags=_clawback_flag(ctx, asset),
        )
    )
    return OpResult("CREATE_CLAIMABLE_BALANCE_SUCCESS", balance_id=balance_id)


def check_claim(body: x.OperationBody, source: str) -> str | None:
    return None


def _give_funds(ctx: OpContext, asset: str, amount: int) -> str | None:
    if asset == NATIVE:
        account = ctx.source_account()
        if account.balance > INT64_MAX - amount:
            return "LINE_FULL"
        account.balance += amount
        return None
    if is_issuer(ctx.source, asset):
        return None
    line = ctx.view.trustline_mut(ctx.source, asset)
    if line is None:
        return "NO_TRUST"
    if not line.authorized:
        return "NOT_AUTHORIZED"
    if line.balance + amount > line.limit:
        return "LINE_FULL"
    line.balance += amount
    return None


def apply_claim(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.claim_claimable_balance_op
    assert op is not None
    balance_id = balance_id_str(op.balance_id)
    balance = ctx.view.balance(balance_id)
    if balance is None:
        return OpResult("CLAIM_CLAIMABLE_BALANCE_DOES_NOT_EXIST")
    claimant = next((c for c in balance.claimants if c.destination == ctx.source), None)
    if claimant is None or not predicate_holds(claimant.predicate, ctx.close_time):
        return OpResult("CLAIM_CLAIMABLE_BALANCE_CANNOT_CLAIM")
    failure = _give_funds(ctx, balance.asset, balance.amount)
    if failure is not None:
        return OpResult(f"CLAIM_CLAIMABLE_BALANCE_{failure}")
    sponsor = ctx.view.account_mut(balance.sponsor)
    if sponsor is not None:
        sponsor.num_sponsoring -= len(balance.claimants)
    ctx.view.delete(balance_key(balance_id))
    return OpResult("CLAIM_CLAIMABLE_BALANCE_SUCCESS")


CREATE_CLAIMABLE_BALANCE = OpHandler("create_claimable_balance", check_create, apply_create)
CLAIM_CLAIMABLE_BALANCE = OpHandler(
    "claim_claimable_balance", check_claim, apply_claim, lambda _b: Threshold.LOW
)
