"""Payment, in the order of stellar-core's PaymentOpFrame/PathPaymentStrictReceiveOpFrame.

Destination first (existence unless paying the issuer, then trust line, authorization,
limit), then the source side (trust line, authorization, funds). A native payment to
oneself succeeds at once.
"""

from __future__ import annotations

from stellar_sdk import xdr as x

from testnet.ledger.codec import NATIVE, asset_key, asset_valid, muxed_str
from testnet.ledger.ops.base import OpContext, OpHandler, OpResult, is_issuer
from testnet.ledger.state import INT64_MAX, available_balance


def check_payment(body: x.OperationBody, source: str) -> str | None:
    op = body.payment_op
    assert op is not None
    if op.amount.int64 <= 0 or not asset_valid(op.asset):
        return "PAYMENT_MALFORMED"
    return None


def credit_destination(ctx: OpContext, dest: str, asset: str, amount: int) -> str | None:
    """Adds ``amount`` to ``dest``; returns the failing suffix (NO_TRUST...) or None."""
    if asset == NATIVE:
        account = ctx.view.account_mut(dest)
        assert account is not None
        if account.balance > INT64_MAX - amount:
            return "LINE_FULL"
        account.balance += amount
        return None
    if is_issuer(dest, asset):
        return None
    line = ctx.view.trustline_mut(dest, asset)
    if line is None:
        return "NO_TRUST"
    if not line.authorized:
        return "NOT_AUTHORIZED"
    if line.balance + amount > line.limit:
        return "LINE_FULL"
    line.balance += amount
    return None


def debit_source(ctx: OpContext, asset: str, amount: int, trust_prefix: str = "SRC_") -> str | None:
    """Take ``amount`` from the operation's source. Payments name the trust failures
    ``SRC_NO_TRUST`` / ``SRC_NOT_AUTHORIZED``; other operations (claimable balances) use
    ``trust_prefix=""`` for stellar-core's ``NO_TRUST`` / ``NOT_AUTHORIZED``."""
    if asset == NATIVE:
        account = ctx.source_account()
        if available_balance(account, ctx.base_reserve) < amount:
            return "UNDERFUNDED"
        account.balance -= amount
        return None
    if is_issuer(ctx.source, asset):
        return None
    line = ctx.view.trustline_mut(ctx.source, asset)
    if line is None:
        return f"{trust_prefix}NO_TRUST"
    if not line.authorized:
        return f"{trust_prefix}NOT_AUTHORIZED"
    if line.balance < amount:
        return "UNDERFUNDED"
    line.balance -= amount
    return None


def apply_payment(body: x.OperationBody, ctx: OpContext) -> OpResult:
    op = body.payment_op
    assert op is not None
    dest = muxed_str(op.destination)
    asset = asset_key(op.asset)
    amount = op.amount.int64
    if dest == ctx.source and asset == NATIVE:
        return OpResult("PAYMENT_SUCCESS")
    bypass_issuer_check = is_issuer(dest, asset)
    if not bypass_issuer_check and ctx.view.account(dest) is None:
        return OpResult("PAYMENT_NO_DESTINATION")
    failure = credit_destination(ctx, dest, asset, amount) or debit_source(ctx, asset, amount)
    if failure is not None:
        return OpResult(f"PAYMENT_{failure}")
    return OpResult("PAYMENT_SUCCESS")


PAYMENT = OpHandler("payment", check_payment, apply_payment)
