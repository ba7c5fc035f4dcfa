"""The rewards contract: ``transition(state, action, ctx) -> TransitionResult``."""

from __future__ import annotations

from dataclasses import replace

from contracts.common import (
    BPS,
    SendPayout,
    is_account,
    is_asset,
    is_bps,
    normalize_infohash,
)
from contracts.core import (
    MAX_AMOUNT,
    Action,
    Context,
    Event,
    TransitionResult,
    is_valid_amount,
    rejected,
)
from contracts.rewards.actions import (
    ActionPlanPayouts,
    ReceiveEpochFacts,
    ReceiveParameterChanged,
    ReceivePayoutFailed,
    ReceivePayoutSettled,
)
from contracts.rewards.events import (
    EventEpochRewarded,
    EventPayoutReturned,
    EventPayoutSettled,
    EventRewardCredited,
    EventRewardParameterChanged,
)
from contracts.rewards.split import allocate
from contracts.rewards.state import AssetTotals, Balance, Payout, RewardsState

Result = TransitionResult[RewardsState]
PARAM_FIELDS = {
    "reward.bandwidth_bps": "bandwidth_bps",
    "reward.creators_bps": "creators_bps",
    "reward.moderators_bps": "moderators_bps",
    "reward.ads_bps": "ads_bps",
}


def transition(state: RewardsState, action: Action, ctx: Context) -> Result:
    match action:
        case ReceiveEpochFacts():
            return _record_epoch(state, action, ctx)
        case ActionPlanPayouts():
            return _plan(state, action)
        case ReceivePayoutSettled(reference=ref):
            return _close(state, action, ref, settled=True)
        case ReceivePayoutFailed(reference=ref):
            return _close(state, action, ref, settled=False)
        case ReceiveParameterChanged():
            return _set_param(state, action)
        case _:
            return rejected(state, action, "unknown_action")


def _rows_ok(rows: object, size: int) -> bool:
    """A tuple of ``size``-tuples whose keys (all but the last item) are unique, the last
    item a positive amount; accounts and lowercase infohashes are checked by the caller."""
    if not isinstance(rows, tuple):
        return False
    seen: set[tuple[object, ...]] = set()
    for row in rows:
        if not (isinstance(row, tuple) and len(row) == size and is_valid_amount(row[-1])):
            return False
        if row[:-1] in seen:
            return False
        seen.add(row[:-1])
    return True


def _pairs_ok(rows: object) -> bool:
    """(account, positive int), unique accounts."""
    return _rows_ok(rows, 2) and all(is_account(r[0]) for r in rows)  # type: ignore[attr-defined]


def _triples_ok(rows: object) -> bool:
    """(account, lowercase infohash, positive int), unique (account, infohash)."""
    return _rows_ok(rows, 3) and all(
        is_account(r[0]) and normalize_infohash(r[1]) == r[1]
        for r in rows  # type: ignore[attr-defined]
    )


def _payments_ok(rows: object) -> bool:
    """(lowercase infohash, positive int), unique infohashes."""
    return _rows_ok(rows, 2) and all(
        normalize_infohash(r[0]) == r[0]
        for r in rows  # type: ignore[attr-defined]
    )


def _facts_error(state: RewardsState, facts: ReceiveEpochFacts, ctx: Context) -> str | None:
    if type(facts.epoch) is not int or not 0 <= facts.epoch <= ctx.epoch:
        return "invalid_epoch"
    if not is_asset(facts.asset):
        return "invalid_asset"
    if (facts.epoch, facts.asset) in state.recorded:
        return "epoch_already_recorded"
    if not _payments_ok(facts.viewer_payments):
        return "invalid_viewer_payments"
    if not (_triples_ok(facts.verified_bytes) and _triples_ok(facts.verified_seconds)):
        return "invalid_verified_usage"
    if not (_pairs_ok(facts.ad_views) and _pairs_ok(facts.moderator_participation)):
        return "invalid_participation"
    received = sum(amount for _, amount in facts.viewer_payments)
    totals = state.totals.get(facts.asset, AssetTotals())
    if totals.received + received > MAX_AMOUNT:
        return "amount_overflow"
    return None


def _record_epoch(state: RewardsState, facts: ReceiveEpochFacts, ctx: Context) -> Result:
    code = _facts_error(state, facts, ctx)
    if code is not None:
        return rejected(state, facts, code)
    allocation = allocate(state.params, facts)
    balances = dict(state.balances)
    events: list[Event] = []
    for account, amount in allocation.credits:
        key = (account, facts.asset)
        old = balances.get(key, Balance())
        balances[key] = replace(old, earned=old.earned + amount)
        events.append(EventRewardCredited(facts.epoch, account, facts.asset, amount))
    old_totals = state.totals.get(facts.asset, AssetTotals())
    totals = AssetTotals(
        received=old_totals.received + allocation.received,
        credited=old_totals.credited + allocation.received - allocation.treasury,
        treasury=old_totals.treasury + allocation.treasury,
    )
    summary = EventEpochRewarded(
        facts.epoch,
        facts.asset,
        allocation.received,
        allocation.received - allocation.treasury,
        allocation.treasury,
    )
    new_state = replace(
        state,
        balances=balances,
        totals={**state.totals, facts.asset: totals},
        recorded={**state.recorded, (facts.epoch, facts.asset): allocation.received},
    )
    return TransitionResult(new_state, (summary, *events))


def _plan(state: RewardsState, action: ActionPlanPayouts) -> Result:
    if type(action.epoch) is not int or action.epoch < 0:
        return rejected(state, action, "invalid_epoch")
    if not is_valid_amount(action.min_payout):
        return rejected(state, action, "invalid_min_payout")
    balances = dict(state.balances)
    in_flight = dict(state.in_flight)
    seq = state.next_payout
    events: list[Event] = []
    for key in sorted(balances, key=lambda k: (k[0], str(k[1]))):
        balance = balances[key]
        amount = balance.payable
        if amount < action.min_payout:
            continue  # carries over: stays payable, counted again next time
        account, asset = key
        reference = f"rewards-{action.epoch}-{seq}"
        seq += 1
        balances[key] = replace(balance, in_flight=balance.in_flight + amount)
        in_flight[reference] = Payout(account, asset, amount, action.epoch)
        events.append(SendPayout(account, asset, amount, reference))
    new_state = replace(state, balances=balances, in_flight=in_flight, next_payout=seq)
    return TransitionResult(new_state, tuple(events))


def _close(state: RewardsState, action: Action, reference: str, settled: bool) -> Result:
    payout = state.in_flight.get(reference) if type(reference) is str else None
    if payout is None:
        return rejected(state, action, "unknown_reference")
    key = (payout.account, payout.asset)
    old = state.balances[key]
    paid = old.paid + payout.amount if settled else old.paid
    balance = replace(old, paid=paid, in_flight=old.in_flight - payout.amount)
    in_flight = {r: p for r, p in state.in_flight.items() if r != reference}
    event_type = EventPayoutSettled if settled else EventPayoutReturned
    event = event_type(reference, payout.account, payout.asset, payout.amount)
    new_state = replace(state, balances={**state.balances, key: balance}, in_flight=in_flight)
    return TransitionResult(new_state, (event,))


def _set_param(state: RewardsState, action: ReceiveParameterChanged) -> Result:
    field_name = PARAM_FIELDS.get(action.name) if type(action.name) is str else None
    if field_name is None:
        return rejected(state, action, "unknown_parameter")
    if not is_bps(action.value):
        return rejected(state, action, "parameter_out_of_bounds")
    params = replace(state.params, **{field_name: action.value})
    split = params.bandwidth_bps + params.creators_bps + params.moderators_bps + params.ads_bps
    if split > BPS:
        return rejected(state, action, "reward_split_exceeds_total")
    event = EventRewardParameterChanged(action.name, action.value)
    return TransitionResult(replace(state, params=params), (event,))
