"""One payment to the treasury into the contracts, recorded once.

The payment's row in ``treasury_payments`` and the contract action it routes to are
written in the same database transaction as the watcher's cursor moving past it, so
after a crash the payment is either fully applied or seen again; a payment seen again is
skipped by its row (and the contracts refuse a payment id twice as well).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from sqlalchemy.orm import Session

from contracts.access import ReceiveAccessPayment
from contracts.access.events import EventPaymentRefunded
from contracts.billing import ReceiveDeposit
from contracts.core import Action, Asset, Context, EventRejected
from contracts.moderation import ActionAppeal
from contracts.subscriptions import ReceivePayment
from servicelayer.epochs.clock import epoch_of
from servicelayer.governance.execution import apply_moderation
from servicelayer.issuance.tokens import deliver_tokens
from servicelayer.ledger.records import ObservedPayment
from servicelayer.runtime.runtime import ContractRuntime
from servicelayer.storage import watcher_repo as repo
from servicelayer.storage.watcher_models import TreasuryPayment
from servicelayer.watcher.memo import Route, Routing, memo_text, route

log = logging.getLogger("acenode.watcher")

CONTRACT_OF = {
    Route.SUBSCRIPTION: "subscriptions",
    Route.PREPAID: "billing",
    Route.ACCESS: "access",
    Route.APPEAL: "moderation",
}


class Status:
    CREDITED = "credited"  # the contract took it
    REFUNDED = "refunded"  # the contract took it and owes it back (e.g. no such offer)
    REFUSED = "refused"  # the contract refused it (detail: its code)
    UNROUTED = "unrouted"  # no route (memo) or a record that cannot be credited


def asset_key(asset: Asset | None) -> str:
    if asset is None:
        return ""
    return "XLM" if asset.is_native else f"{asset.code}:{asset.issuer}"


def is_inbound(p: ObservedPayment, treasury: str) -> bool:
    """A successful payment from someone else to the treasury (payouts are outbound)."""
    return p.successful and p.to == treasury and p.source != treasury


def action_for(p: ObservedPayment, routing: Routing) -> Action:
    assert p.asset is not None
    match routing.route:
        case Route.SUBSCRIPTION:
            return ReceivePayment(p.source, p.asset, p.amount, p.payment_id)
        case Route.PREPAID:
            return ReceiveDeposit(p.source, p.asset, p.amount, p.payment_id)
        case Route.APPEAL:  # voting weighs the balances of the ledger the bond is in
            return ActionAppeal(
                routing.proposal, p.source, p.ledger, p.asset, p.amount, p.payment_id
            )
        case _:
            content = routing.content
            return ReceiveAccessPayment(p.source, content, p.asset, p.amount, p.payment_id)


def credit(
    runtime: ContractRuntime,
    session: Session,
    p: ObservedPayment,
    treasury: str,
    epoch_seconds: int,
) -> TreasuryPayment | None:
    """Route ``p`` and apply it; its row, or None when it is not an inbound payment or is
    already recorded."""
    if not is_inbound(p, treasury) or repo.payment(session, p.payment_id) is not None:
        return None
    routing = route(p.memo)
    row = TreasuryPayment(
        payment_id=p.payment_id,
        tx_hash=p.tx_hash,
        ledger=p.ledger,
        closed_at=p.closed_at,
        treasury=treasury,
        source=p.source,
        asset=asset_key(p.asset),
        amount=p.amount,
        memo_type=p.memo.kind,
        memo=memo_text(p.memo),
        route=routing.route.value,
        content=routing.content,
        status=Status.UNROUTED,
        detail=p.problem or routing.reason,
    )
    if not p.problem and routing.route != Route.NONE:
        contract = CONTRACT_OF[routing.route]
        ctx = Context(epoch_of(p.closed_at, epoch_seconds), p.closed_at)
        action = action_for(p, routing)
        if routing.route == Route.APPEAL:  # hides the content: the fan-out goes with it
            events = apply_moderation(runtime, session, [action], ctx).events
        else:
            [applied] = runtime.apply(session, contract, [action], ctx)
            events = applied.events
            deliver_tokens(runtime, session, events, ctx)
        row.status, row.detail = _outcome(events)
    session.add(row)
    session.flush()
    if row.status != Status.CREDITED:
        log.warning(
            "treasury payment %s from %s (%s %s, memo %s %r): %s %s",
            row.payment_id,
            row.source,
            row.amount,
            row.asset,
            row.memo_type,
            row.memo,
            row.status,
            row.detail,
        )
    return row


def _outcome(events: Sequence[object]) -> tuple[str, str]:
    for event in events:
        if isinstance(event, EventRejected):
            return Status.REFUSED, event.code
        if isinstance(event, EventPaymentRefunded):
            return Status.REFUNDED, event.reason
    return Status.CREDITED, ""
