"""Transaction-level rules: validity (as stellar-core's checkValid) and application.

A transaction that fails validation is rejected: no fee, no sequence bump, nothing
recorded. A valid one is applied: the fee source pays min(fee bid, base fee x ops),
the source's sequence number moves, and its operations apply atomically: every operation
runs (and reports its own code), and if any fails none of their changes stay and the
transaction is txFAILED.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from stellar_sdk import StrKey
from stellar_sdk import xdr as x

from testnet.ledger.frame import TxFrame
from testnet.ledger.ops import HANDLERS, OpContext, OpResult, Threshold
from testnet.ledger.results import (
    InnerOutcome,
    default_result,
    transaction_result_bytes,
)
from testnet.ledger.signatures import SignatureChecker, account_signers
from testnet.ledger.state import (
    Account,
    Signer,
    StateView,
    available_balance,
)


@dataclass(frozen=True, slots=True)
class LedgerContext:
    """What validation and application need to know about the ledger being closed."""

    ledger_seq: int
    close_time: int
    base_fee: int
    base_reserve: int


@dataclass(frozen=True, slots=True)
class TxOutcome:
    frame: TxFrame
    applied: bool
    code: str
    inner: InnerOutcome
    fee_charged: int
    result_bytes: bytes  # the TransactionResult's XDR

    @property
    def successful(self) -> bool:
        return self.inner.code == "txSUCCESS" and self.applied

    @property
    def result(self) -> x.TransactionResult:
        return x.TransactionResult.from_xdr_bytes(self.result_bytes)

    @property
    def result_xdr(self) -> str:
        return base64.b64encode(self.result_bytes).decode()


def _needed(account: Account, level: Threshold) -> int:
    if level == Threshold.MEDIUM:
        return account.med_threshold
    return account.low_threshold if level == Threshold.LOW else account.high_threshold


def _op_types(frame: TxFrame) -> tuple[x.OperationType, ...]:
    return tuple(op.body.type for op in frame.operations)


def _common_valid(
    view: StateView,
    frame: TxFrame,
    ctx: LedgerContext,
    checker: SignatureChecker,
    current_seq: int | None,
    charge_fee: bool,
) -> str | None:
    """TransactionFrame::commonValidPreSeqNum + commonValid, in stellar-core's order."""
    pre = frame.preconditions
    if pre is not None and not _extra_signers_well_formed(pre.extra_signers):
        return "txMALFORMED"
    if not frame.operations:
        return "txMISSING_OPERATION"
    timing = _timing(frame, ctx)
    if timing is not None:
        return timing
    if charge_fee and frame.inner_fee_bid < ctx.base_fee * len(frame.operations):
        return "txINSUFFICIENT_FEE"
    account = view.account(frame.source)
    if account is None:
        return "txNO_ACCOUNT"
    current = account.seq_num if current_seq is None else current_seq
    if _bad_seq(frame, ctx, current):
        return "txBAD_SEQ"
    if pre is not None and _too_early_for_account(pre, account, ctx):
        return "txBAD_MIN_SEQ_AGE_OR_GAP"
    if not checker.check(account_signers(account), account.low_threshold):
        return "txBAD_AUTH"
    if pre is not None and not all(checker.check_extra_signer(s) for s in pre.extra_signers):
        return "txBAD_AUTH"
    if charge_fee and available_balance(account, ctx.base_reserve) < frame.inner_fee_bid:
        return "txINSUFFICIENT_BALANCE"
    return None


def _extra_signers_well_formed(signers: list[x.SignerKey]) -> bool:
    """Two extra signers must differ; a signed-payload signer needs a payload."""
    if len(signers) == 2 and signers[0].to_xdr_bytes() == signers[1].to_xdr_bytes():
        return False
    return all(
        s.ed25519_signed_payload is None or len(s.ed25519_signed_payload.payload) > 0
        for s in signers
    )


def _timing(frame: TxFrame, ctx: LedgerContext) -> str | None:
    """isTooEarly / isTooLate: time bounds against the close time, ledger bounds against
    the sequence of the ledger being closed."""
    bounds = frame.time_bounds
    ledgers = frame.ledger_bounds
    if (bounds is not None and bounds[0] and bounds[0] > ctx.close_time) or (
        ledgers is not None and ledgers[0] > ctx.ledger_seq
    ):
        return "txTOO_EARLY"
    if (bounds is not None and bounds[1] and bounds[1] < ctx.close_time) or (
        ledgers is not None and ledgers[1] and ledgers[1] <= ctx.ledger_seq
    ):
        return "txTOO_LATE"
    return None


def _bad_seq(frame: TxFrame, ctx: LedgerContext, current: int) -> bool:
    """TransactionFrame::isBadSeq, with CAP-21's minSeqNum relaxation."""
    if frame.seq_num == ctx.ledger_seq << 32:
        return True
    pre = frame.preconditions
    if pre is not None and pre.min_seq_num is not None:
        min_seq = pre.min_seq_num.sequence_number.int64
        return current < min_seq or current >= frame.seq_num
    return current + 1 != frame.seq_num


def _too_early_for_account(pre: x.PreconditionsV2, account: Account, ctx: LedgerContext) -> bool:
    """minSeqAge / minSeqLedgerGap against when the account's sequence last moved."""
    age = pre.min_seq_age.duration.uint64
    if age > ctx.close_time or ctx.close_time - age < account.seq_time:
        return True
    gap = pre.min_seq_ledger_gap.uint32
    return gap > ctx.ledger_seq or ctx.ledger_seq - gap < account.seq_ledger


def _check_ops(
    view: StateView, frame: TxFrame, checker: SignatureChecker
) -> tuple[OpResult, ...] | None:
    """OperationFrame::checkValid for each operation; the results if one fails."""
    # the view does not change while checking: one answer per (source, threshold level)
    authorized: dict[tuple[str, Threshold], str | None] = {}
    for index, op in enumerate(frame.operations):
        handler = HANDLERS.get(op.body.type)
        source = frame.op_source(op)
        failure: str | None
        if handler is None:
            failure = "opNOT_SUPPORTED"
        else:
            level = handler.threshold(op.body)
            key = (source, level)
            if key in authorized:
                failure = authorized[key]
            else:
                explicit = op.source_account is not None
                failure = authorized[key] = _op_authorized(view, checker, source, level, explicit)
            if failure is None:
                failure = handler.check(op.body, source)
        if failure is not None:
            results = [default_result(t) for t in _op_types(frame)]
            results[index] = OpResult(failure)
            return tuple(results)
    return None


def _op_authorized(
    view: StateView, checker: SignatureChecker, source: str, level: Threshold, explicit: bool
) -> str | None:
    """OperationFrame::checkSignature at validation. An operation whose own source account
    does not exist (yet) is valid if that account's key signed it, else ``opBAD_AUTH``;
    applied, it fails ``opNO_ACCOUNT`` unless an earlier operation created the account."""
    account = view.account(source)
    if account is None:
        if not explicit:
            return "opNO_ACCOUNT"
        return None if checker.check([Signer(source, 1)], 0) else "opBAD_AUTH"
    if not checker.check(account_signers(account), _needed(account, level)):
        return "opBAD_AUTH"
    return None


def _validate_inner(
    view: StateView,
    frame: TxFrame,
    ctx: LedgerContext,
    current_seq: int | None,
    charge_fee: bool,
) -> InnerOutcome | None:
    checker = SignatureChecker(frame.inner_hash, frame.signatures, frame.verified)
    types = _op_types(frame)
    code = _common_valid(view, frame, ctx, checker, current_seq, charge_fee)
    if code is not None:
        return InnerOutcome(code, types, ())
    failed_ops = _check_ops(view, frame, checker)
    if failed_ops is not None:
        return InnerOutcome("txFAILED", types, failed_ops)
    if not checker.all_used():
        return InnerOutcome("txBAD_AUTH_EXTRA", types, ())
    return None


def _validate_fee_bump(view: StateView, frame: TxFrame, ctx: LedgerContext) -> str | None:
    """FeeBumpTransactionFrame checks on the outer envelope."""
    inner_min = ctx.base_fee * max(1, len(frame.operations))
    outer_min = ctx.base_fee * frame.charged_op_count
    if frame.fee_bid < outer_min:
        return "txINSUFFICIENT_FEE"
    if frame.fee_bid * inner_min < frame.inner_fee_bid * outer_min:
        return "txINSUFFICIENT_FEE"
    fee_account = view.account(frame.fee_source)
    if fee_account is None:
        return "txNO_ACCOUNT"
    checker = SignatureChecker(frame.hash, frame.fee_bump_signatures, frame.verified)
    if not checker.check(account_signers(fee_account), fee_account.low_threshold):
        return "txBAD_AUTH"
    if available_balance(fee_account, ctx.base_reserve) < frame.fee_bid:
        return "txINSUFFICIENT_BALANCE"
    if not checker.all_used():
        return "txBAD_AUTH_EXTRA"
    return None


def queue_rejection(frame: TxFrame, fee_charged: int) -> TxOutcome:
    """``txINSUFFICIENT_FEE`` from a full transaction queue, with the fee that would have
    made room as its fee charged (stellar-core's ``setInsufficientFeeErrorWithFeeCharged``);
    nothing is charged."""
    code = "txINSUFFICIENT_FEE"
    inner = InnerOutcome(code, _op_types(frame), ())
    if frame.fee_bump is None:
        return TxOutcome(frame, False, code, inner, 0, transaction_result_bytes(fee_charged, inner))
    result = transaction_result_bytes(fee_charged, inner, code, frame.inner_hash)
    return TxOutcome(frame, False, code, inner, 0, result)


def _rejection(frame: TxFrame, inner: InnerOutcome, outer_code: str | None) -> TxOutcome:
    if frame.fee_bump is None:
        return TxOutcome(frame, False, inner.code, inner, 0, transaction_result_bytes(0, inner))
    code = outer_code or "txFEE_BUMP_INNER_FAILED"
    result = transaction_result_bytes(0, inner, code, frame.inner_hash)
    return TxOutcome(frame, False, code, inner, 0, result)


def check_valid(
    view: StateView, frame: TxFrame, ctx: LedgerContext, current_seq: int | None = None
) -> TxOutcome | None:
    """None if the transaction may be applied, else its rejection (no fee charged)."""
    if frame.fee_bump is not None:
        outer = _validate_fee_bump(view, frame, ctx)
        if outer is not None:
            return _rejection(frame, InnerOutcome(outer, _op_types(frame), ()), outer)
    inner = _validate_inner(view, frame, ctx, current_seq, charge_fee=frame.fee_bump is None)
    if inner is not None:
        return _rejection(frame, inner, None)
    return None


def _charge_fee_and_seq(view: StateView, frame: TxFrame, ctx: LedgerContext) -> int:
    fee_account = view.account_mut(frame.fee_source)
    assert fee_account is not None
    fee = min(fee_account.balance, frame.fee_to_charge(ctx.base_fee))
    fee_account.balance -= fee
    source = view.account_mut(frame.source)
    assert source is not None
    source.seq_num = frame.seq_num
    source.seq_ledger = ctx.ledger_seq
    source.seq_time = ctx.close_time
    return fee


def _apply_ops(tx_view: StateView, frame: TxFrame, ctx: LedgerContext) -> list[OpResult]:
    """Each operation applies straight onto the transaction's view: stellar-core commits
    each operation's nested LedgerTxn even when the operation failed, so a nested view
    would change nothing; the transaction-level view is what a failure discards."""
    results = []
    for index, op in enumerate(frame.operations):
        handler = HANDLERS[op.body.type]
        source = frame.op_source(op)
        if tx_view.account(source) is None:
            results.append(OpResult("opNO_ACCOUNT"))
            continue
        failure = handler.check(op.body, source)
        if failure is not None:
            results.append(OpResult(failure))
            continue
        op_ctx = OpContext(
            tx_view,
            ctx.ledger_seq,
            ctx.close_time,
            ctx.base_reserve,
            source,
            frame.source,
            frame.seq_num,
            index,
        )
        results.append(handler.apply(op.body, op_ctx))
    return results


def _remove_one_time_signers(view: StateView, frame: TxFrame) -> None:
    key = StrKey.encode_pre_auth_tx(frame.inner_hash)
    for account_id in {frame.source, *(frame.op_source(op) for op in frame.operations)}:
        account = view.account(account_id)
        if account is None or all(s.key != key for s in account.signers):
            continue
        mutable = view.account_mut(account_id)
        assert mutable is not None
        mutable.signers = tuple(s for s in mutable.signers if s.key != key)
        mutable.num_sub_entries -= 1


def apply_transaction(view: StateView, frame: TxFrame, ctx: LedgerContext) -> TxOutcome:
    """Charges the fee, bumps the sequence and applies the operations atomically."""
    fee = _charge_fee_and_seq(view, frame, ctx)
    tx_view = StateView(view)
    results = _apply_ops(tx_view, frame, ctx)
    ok = all(r.success for r in results)
    if ok:
        tx_view.commit_into(view)
    _remove_one_time_signers(view, frame)
    inner = InnerOutcome("txSUCCESS" if ok else "txFAILED", _op_types(frame), tuple(results))
    if frame.fee_bump is None:
        result = transaction_result_bytes(fee, inner)
        return TxOutcome(frame, True, inner.code, inner, fee, result)
    code = "txFEE_BUMP_INNER_SUCCESS" if ok else "txFEE_BUMP_INNER_FAILED"
    result = transaction_result_bytes(fee, inner, code, frame.inner_hash)
    return TxOutcome(frame, True, code, inner, fee, result)
