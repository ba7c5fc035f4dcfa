"""The subscriptions contract: ``transition(state, action, ctx) -> TransitionResult``."""

from __future__ import annotations

from contracts.common import ReceiveContentDelisted, ReceiveContentRelisted
from contracts.core import Action, Context, TransitionResult, rejected
from contracts.subscriptions import catalog, purchase
from contracts.subscriptions.actions import (
    ActionCancel,
    ActionCreateBundle,
    ActionCreatePlan,
    ActionRegisterChannel,
    ActionRegisterContent,
    ActionRetireOffering,
    ActionSubscribe,
    ActionUpdateTerms,
    ActionWithdrawCredit,
    ReceiveLedgerClose,
    ReceivePayment,
    ReceiveVerifiedViewing,
)
from contracts.subscriptions.lifecycle import advance_all
from contracts.subscriptions.revenue import record_viewing
from contracts.subscriptions.state import SubscriptionsState


def transition(
    state: SubscriptionsState, action: Action, ctx: Context
) -> TransitionResult[SubscriptionsState]:
    """Apply one action. Deterministic; an invalid action yields ``EventRejected``."""
    match action:
        case ActionRegisterChannel():
            return catalog.register_channel(state, action)
        case ActionRegisterContent():
            return catalog.register_content(state, action)
        case ActionCreatePlan():
            return catalog.create_plan(state, action)
        case ActionCreateBundle():
            return catalog.create_bundle(state, action)
        case ActionUpdateTerms():
            return catalog.update_terms(state, action)
        case ActionRetireOffering():
            return catalog.retire_offering(state, action)
        case ReceiveContentDelisted():
            return catalog.delist(state, action)
        case ReceiveContentRelisted():
            return catalog.relist(state, action)
        case ReceivePayment():
            return purchase.receive_payment(state, action, ctx)
        case ActionSubscribe():
            return purchase.subscribe(state, action, ctx)
        case ActionCancel():
            return purchase.cancel(state, action, ctx)
        case ActionWithdrawCredit():
            return purchase.withdraw_credit(state, action)
        case ReceiveVerifiedViewing():
            return record_viewing(state, action)
        case ReceiveLedgerClose():
            new, events = advance_all(state, list(state.subscriptions), ctx.close_time)
            return TransitionResult(new, tuple(events))
        case _:
            return rejected(state, action, "unknown_action")
