"""The issuance contract: ``transition(state, action, ctx) -> TransitionResult``.

Rules worth knowing:
- the cap is set once at definition and never changes; ``issued`` (all ever minted)
  may never exceed it (``cap_exceeded``), burned tokens do not free room;
- ``ActionLock`` needs ``issued == cap`` (``supply_not_complete``): it makes the supply
  fixed by disabling the issuer's key; after it no mint and no clawback is possible
  (``asset_locked``), because the issuer can no longer sign anything, even if the
  asset's clawback flag is set;
- clawback needs the asset's ``clawback_enabled`` flag (``clawback_disabled``), which
  Stellar only allows together with ``revocable``;
- ``ActionMintByVote`` is accepted once per proposal id (``proposal_already_used``).
"""

from __future__ import annotations

from dataclasses import replace

from contracts.common import is_account, is_asset
from contracts.core import (
    Action,
    Asset,
    Context,
    Event,
    TransitionResult,
    is_valid_amount,
    rejected,
)
from contracts.issuance.actions import (
    ActionBurn,
    ActionClawback,
    ActionDefineAsset,
    ActionLock,
    ActionMint,
    ActionMintByVote,
    ActionTransferOut,
    ReceiveHolderTransfer,
)
from contracts.issuance.events import (
    EventAssetDefined,
    EventAssetLocked,
    SendBurn,
    SendClawback,
    SendConfigureIssuer,
    SendIssue,
    SendLockIssuer,
)
from contracts.issuance.holdings import move, supply_event
from contracts.issuance.state import AssetFlags, AssetKind, IssuanceState, IssuedAsset
from contracts.issuance.validation import define_error

Result = TransitionResult[IssuanceState]


def transition(state: IssuanceState, action: Action, ctx: Context) -> Result:
    match action:
        case ActionDefineAsset():
            return _define(state, action)
        case ActionMint(asset=asset, to=to, amount=amount):
            return _mint(state, action, asset, to, amount)
        case ActionMintByVote(proposal_id=pid, asset=asset, to=to, amount=amount):
            if type(pid) is not int or pid < 1:
                return rejected(state, action, "invalid_proposal_id")
            if pid in state.vote_mints:
                return rejected(state, action, "proposal_already_used")
            result = _mint(state, action, asset, to, amount)
            if result.state is state:
                return result
            used = {**result.state.vote_mints, pid: asset}
            return TransitionResult(replace(result.state, vote_mints=used), result.events)
        case ActionTransferOut() | ReceiveHolderTransfer() | ActionBurn():
            return _transfer(state, action)
        case ActionClawback():
            return _clawback(state, action)
        case ActionLock():
            return _lock(state, action)
        case _:
            return rejected(state, action, "unknown_action")


def _record(state: IssuanceState, asset: object) -> IssuedAsset | None:
    return state.assets.get(asset) if is_asset(asset) else None


def _put(state: IssuanceState, record: IssuedAsset) -> IssuanceState:
    return replace(state, assets={**state.assets, record.asset: record})


def _define(state: IssuanceState, action: ActionDefineAsset) -> Result:
    code = define_error(state, action)
    if code is not None:
        return rejected(state, action, code)
    flags = AssetFlags(action.auth_required, action.revocable, action.clawback_enabled)
    record = IssuedAsset(
        asset=action.asset,
        distribution=action.distribution,
        kind=AssetKind(action.kind),
        grants=action.grants,
        cap=action.cap,
        flags=flags,
    )
    events = (
        EventAssetDefined(action.asset, record.kind, action.cap, action.grants),
        SendConfigureIssuer(action.asset, flags),
    )
    return TransitionResult(_put(state, record), events)


def _mint(state: IssuanceState, action: Action, asset: Asset, to: str, amount: int) -> Result:
    record = _record(state, asset)
    if record is None:
        return rejected(state, action, "unknown_asset")
    if record.locked:
        return rejected(state, action, "asset_locked")
    if not is_valid_amount(amount):
        return rejected(state, action, "invalid_amount")
    if not is_account(to) or to == record.asset.issuer:
        return rejected(state, action, "invalid_recipient")
    if record.issued + amount > record.cap:
        return rejected(state, action, "cap_exceeded")
    moved, events = move(record, None, to, amount)
    minted = replace(moved, issued=record.issued + amount)
    effects: tuple[Event, ...] = (
        SendIssue(record.asset, to, amount, record.asset.issuer),
        *events,
        supply_event(minted),
    )
    return TransitionResult(_put(state, minted), effects)


def _transfer(
    state: IssuanceState, action: ActionTransferOut | ReceiveHolderTransfer | ActionBurn
) -> Result:
    record = _record(state, action.asset)
    if record is None:
        return rejected(state, action, "unknown_asset")
    if not is_valid_amount(action.amount):
        return rejected(state, action, "invalid_amount")
    issuer = record.asset.issuer
    source, to, effect = _route(record, action)
    misdirected = isinstance(action, ActionTransferOut) and to == issuer
    if misdirected or not is_account(source) or not is_account(to) or source in (to, issuer):
        return rejected(state, action, "invalid_recipient")
    if record.holdings.get(source, 0) < action.amount:
        return rejected(state, action, "insufficient_balance")
    moved, events = move(record, source, None if to == issuer else to, action.amount)
    if to == issuer:
        moved = replace(moved, burned=record.burned + action.amount)
        events = (*events, supply_event(moved))
    effects = events if effect is None else (effect, *events)
    return TransitionResult(_put(state, moved), effects)


def _route(
    record: IssuedAsset, action: ActionTransferOut | ReceiveHolderTransfer | ActionBurn
) -> tuple[str, str, Event | None]:
    """(source, destination, effect to carry out); the issuer as destination is a burn."""
    match action:
        case ActionTransferOut(to=to, amount=amount):
            return record.distribution, to, SendIssue(record.asset, to, amount, record.distribution)
        case ReceiveHolderTransfer(from_account=source, to=to):
            return source, to, None  # already happened on the ledger
        case _:
            burn = SendBurn(record.asset, action.amount, record.distribution)
            return record.distribution, record.asset.issuer, burn


def _clawback(state: IssuanceState, action: ActionClawback) -> Result:
    record = _record(state, action.asset)
    if record is None:
        return rejected(state, action, "unknown_asset")
    if not record.flags.clawback_enabled:
        return rejected(state, action, "clawback_disabled")
    if record.locked:
        return rejected(state, action, "asset_locked")
    if not is_valid_amount(action.amount):
        return rejected(state, action, "invalid_amount")
    if not is_account(action.holder) or action.holder == record.asset.issuer:
        return rejected(state, action, "invalid_account")
    if record.holdings.get(action.holder, 0) < action.amount:
        return rejected(state, action, "insufficient_balance")
    moved, events = move(record, action.holder, None, action.amount)
    clawed = replace(moved, clawed_back=record.clawed_back + action.amount)
    effects = (
        SendClawback(record.asset, action.holder, action.amount),
        *events,
        supply_event(clawed),
    )
    return TransitionResult(_put(state, clawed), effects)


def _lock(state: IssuanceState, action: ActionLock) -> Result:
    record = _record(state, action.asset)
    if record is None:
        return rejected(state, action, "unknown_asset")
    if record.locked:
        return rejected(state, action, "already_locked")
    if record.issued != record.cap:
        return rejected(state, action, "supply_not_complete")
    locked = replace(record, locked=True)
    effects = (SendLockIssuer(record.asset), EventAssetLocked(record.asset, record.issued))
    return TransitionResult(_put(state, locked), effects)
