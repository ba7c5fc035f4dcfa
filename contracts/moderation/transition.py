"""The moderation / governance contract: ``transition(state, action, ctx)``.

Proposing, balance snapshots, voting, delegation and cancelling live here; counting,
execution and appeals in ``lifecycle``.
"""

from __future__ import annotations

from dataclasses import replace

from contracts.common import is_account, is_asset, is_hex32, normalize_infohash
from contracts.core import Action, Context, Event, TransitionResult, is_valid_amount, rejected
from contracts.moderation.actions import (
    ActionAppeal,
    ActionCancel,
    ActionDelegate,
    ActionExecute,
    ActionFinalize,
    ActionPropose,
    ActionTick,
    ActionUndelegate,
    ActionVote,
    ReceiveBalanceSnapshot,
)
from contracts.moderation.events import (
    EventDelegationChanged,
    EventProposalCancelled,
    EventProposalDropped,
    EventSnapshotRecorded,
    EventVoteCast,
)
from contracts.moderation.lifecycle import (
    appeal,
    execute,
    finalize,
    new_proposal,
    proposal_or_none,
    put,
    tick,
)
from contracts.moderation.message import vote_digest_hex
from contracts.moderation.params import PARAMS, check_params, in_bounds
from contracts.moderation.state import (
    DelegationChange,
    ModerationState,
    Proposal,
    ProposalKind,
    ProposalStatus,
    Vote,
    VoteChoice,
)
from contracts.moderation.tally import delegations_as_of, voting_power

Result = TransitionResult[ModerationState]
MAX_REASON = 500
MAX_DESCRIPTION = 1000


def transition(state: ModerationState, action: Action, ctx: Context) -> Result:
    match action:
        case ActionPropose():
            return _propose(state, action, ctx)
        case ReceiveBalanceSnapshot():
            return _snapshot(state, action)
        case ActionVote():
            return _vote(state, action, ctx)
        case ActionDelegate(delegator=d, delegate=to, ledger=ledger):
            return _delegate(state, action, d, to, ledger)
        case ActionUndelegate(delegator=d, ledger=ledger):
            return _delegate(state, action, d, "", ledger)
        case ActionCancel():
            return _cancel(state, action, ctx)
        case ActionFinalize(proposal_id=pid):
            return finalize(state, action, pid, ctx)
        case ActionExecute(proposal_id=pid):
            return execute(state, action, pid, ctx)
        case ActionTick():
            return tick(state, ctx)
        case ActionAppeal():
            return appeal(state, action, ctx)
        case _:
            return rejected(state, action, "unknown_action")


def _check_target(state: ModerationState, action: ActionPropose) -> str | None:
    """None if the kind-specific fields are valid, else a rejection code."""
    match action.kind:
        case ProposalKind.DELIST:
            return None if normalize_infohash(action.target) else "invalid_infohash"
        case ProposalKind.BAN:
            return None if is_account(action.target) else "invalid_account"
        case ProposalKind.PARAM:
            if type(action.target) is not str or action.target not in PARAMS:
                return "unknown_parameter"
            if not in_bounds(action.target, action.value):
                return "parameter_out_of_bounds"
            if state.params[action.target] == action.value:
                return "no_change"
            return check_params({**state.params, action.target: action.value})
        case ProposalKind.MINT:
            if not is_asset(action.asset) or action.asset is None or action.asset.is_native:
                return "invalid_asset"
            if not is_account(action.recipient):
                return "invalid_account"
            return None if is_valid_amount(action.value) else "invalid_amount"
        case _:
            return "invalid_kind"  # appeals are filed with ActionAppeal


def _propose(state: ModerationState, action: ActionPropose, ctx: Context) -> Result:
    if not is_account(action.proposer):
        return rejected(state, action, "invalid_account")
    if type(action.start_ledger) is not int or action.start_ledger < state.sealed_ledger:
        return rejected(state, action, "stale_ledger")
    if type(action.description) is not str or len(action.description) > MAX_DESCRIPTION:
        return rejected(state, action, "invalid_description")
    code = _check_target(state, action)
    if code is not None:
        return rejected(state, action, code)
    code = _check_weight(state, action)
    if code is not None:
        threshold = state.params["gov.proposal_threshold"]
        detail = (
            f"the proposer's voting weight at ledger {action.start_ledger} is "
            f"{action.weight!r} stroops; gov.proposal_threshold is {threshold}"
        )
        return rejected(state, action, code, detail)
    kind = ProposalKind(action.kind)
    target = (normalize_infohash(action.target) or "") if kind == ProposalKind.DELIST else ""
    target = target or (action.target if kind != ProposalKind.MINT else "")
    if kind != ProposalKind.MINT and _open_on(state, kind, target):
        return rejected(state, action, "duplicate_proposal")
    return new_proposal(state, action, target, ctx)


def _check_weight(state: ModerationState, action: ActionPropose) -> str | None:
    """None if the proposer's stated weight reaches ``gov.proposal_threshold`` (or is not
    known yet: the snapshot checks it), else a rejection code."""
    if action.weight is None:
        return None
    if type(action.weight) is not int or action.weight < 0:
        return "invalid_weight"
    if action.weight < state.params["gov.proposal_threshold"]:
        return "below_proposal_threshold"
    return None


def _open_on(state: ModerationState, kind: ProposalKind, target: str) -> bool:
    open_ = (ProposalStatus.ACTIVE, ProposalStatus.PASSED)
    return any(
        p.kind == kind and p.target == target and p.status in open_
        for p in state.proposals.values()
    )


def _snapshot(state: ModerationState, action: ReceiveBalanceSnapshot) -> Result:
    proposal = proposal_or_none(state, action.proposal_id)
    if proposal is None:
        return rejected(state, action, "unknown_proposal")
    if proposal.status != ProposalStatus.ACTIVE:
        return rejected(state, action, "proposal_not_active")
    if proposal.snapshot is not None:
        return rejected(state, action, "snapshot_already_recorded")
    # at the start ledger, or (a federation's agreed reading) the first ledger after it
    # from which the balances read stayed as they are
    if type(action.ledger) is not int or action.ledger < proposal.start_ledger:
        return rejected(state, action, "snapshot_ledger_mismatch")
    snapshot = _parse_balances(action.balances)
    if isinstance(snapshot, str):
        return rejected(state, action, snapshot)
    updated = replace(proposal, snapshot=snapshot)
    events: tuple[Event, ...] = (
        EventSnapshotRecorded(proposal.id, action.ledger, sum(snapshot.values()), len(snapshot)),
    )
    if not _proposer_is_member(state, updated):
        updated = replace(updated, status=ProposalStatus.FAILED)
        events = (*events, EventProposalDropped(proposal.id, "proposer_not_member"))
    return TransitionResult(put(state, updated), events)


def _parse_balances(balances: object) -> dict[str, int] | str:
    """The positive balances by account (sorted), or a rejection code."""
    parsed: dict[str, int] = {}
    for entry in balances if isinstance(balances, tuple) else ((),):
        if not (isinstance(entry, tuple) and len(entry) == 2):
            return "invalid_snapshot"
        account, amount = entry
        if not is_account(account) or type(amount) is not int or amount < 0:
            return "invalid_snapshot"
        if account in parsed:
            return "duplicate_account"
        parsed[account] = amount
    snapshot = {a: parsed[a] for a in sorted(parsed) if parsed[a] > 0}
    return snapshot if snapshot else "empty_snapshot"


def _proposer_is_member(state: ModerationState, proposal: Proposal) -> bool:
    """A proposer needs ``gov.proposal_threshold`` of weight (own + delegated) at the
    snapshot; appellants need none (their bond stands for it)."""
    if proposal.kind == ProposalKind.APPEAL:
        return True
    delegations = delegations_as_of(state, proposal.start_ledger)
    weight = voting_power(proposal, proposal.proposer, delegations)
    return weight >= state.params["gov.proposal_threshold"]


def _vote(state: ModerationState, action: ActionVote, ctx: Context) -> Result:
    code = _vote_input_error(action)
    if code is not None:
        return rejected(state, action, code)
    proposal = proposal_or_none(state, action.proposal_id)
    if proposal is None:
        return rejected(state, action, "unknown_proposal")
    if proposal.status != ProposalStatus.ACTIVE or ctx.close_time >= proposal.voting_ends_at:
        return rejected(state, action, "voting_closed")
    if proposal.snapshot is None:
        return rejected(state, action, "snapshot_pending")
    if state.network_passphrase and action.signed_message_hash != vote_digest_hex(
        state.network_passphrase, proposal.id, action.choice, action.reason, action.nonce
    ):
        return rejected(state, action, "message_mismatch")
    old = proposal.votes.get(action.voter)
    if old is not None and ctx.close_time >= proposal.freeze_at:
        return rejected(state, action, "voting_frozen")
    if old is not None and action.nonce <= old.nonce:
        return rejected(state, action, "stale_nonce")
    delegations = delegations_as_of(state, proposal.start_ledger)
    if voting_power(proposal, action.voter, delegations) == 0:
        return rejected(state, action, "no_voting_power")
    vote = Vote(
        VoteChoice(action.choice),
        action.reason,
        action.signed_message_hash,
        action.nonce,
        ctx.close_time,
    )
    updated = replace(proposal, votes={**proposal.votes, action.voter: vote})
    event = EventVoteCast(proposal.id, action.voter, vote.choice, changed=old is not None)
    return TransitionResult(put(state, updated), (event,))


def _vote_input_error(action: ActionVote) -> str | None:
    if not is_account(action.voter):
        return "invalid_account"
    if action.choice not in tuple(VoteChoice):
        return "invalid_choice"
    if type(action.reason) is not str or len(action.reason) > MAX_REASON:
        return "invalid_reason"
    if not is_hex32(action.signed_message_hash):
        return "invalid_message_hash"
    if type(action.nonce) is not int or action.nonce < 0:
        return "invalid_nonce"
    return None


def _delegate(
    state: ModerationState, action: Action, delegator: str, delegate: str, ledger: int
) -> Result:
    if type(delegate) is not str or not is_account(delegator):
        return rejected(state, action, "invalid_account")
    if delegate and not is_account(delegate):
        return rejected(state, action, "invalid_account")
    if delegator == delegate:
        return rejected(state, action, "self_delegation")
    history = state.delegations.get(delegator, ())
    last = history[-1] if history else None
    if type(ledger) is not int or ledger <= state.sealed_ledger:
        return rejected(state, action, "stale_ledger")
    if last is not None and ledger < last.ledger:
        return rejected(state, action, "stale_ledger")
    if (last.delegate if last else "") == delegate:
        return rejected(state, action, "not_delegated" if not delegate else "no_change")
    if last is not None and last.ledger == ledger:
        history = history[:-1]  # the later of two changes in one ledger wins
    change = DelegationChange(ledger, delegate)
    delegations = {**state.delegations, delegator: (*history, change)}
    event = EventDelegationChanged(delegator, delegate, ledger)
    return TransitionResult(replace(state, delegations=delegations), (event,))


def _cancel(state: ModerationState, action: ActionCancel, ctx: Context) -> Result:
    """Only the proposer, only while voting is open; appeals (bonded) cannot be cancelled."""
    proposal = proposal_or_none(state, action.proposal_id)
    if proposal is None:
        return rejected(state, action, "unknown_proposal")
    if proposal.kind == ProposalKind.APPEAL:
        return rejected(state, action, "appeal_not_cancellable")
    if action.by != proposal.proposer:
        return rejected(state, action, "not_proposer")
    if proposal.status != ProposalStatus.ACTIVE or ctx.close_time >= proposal.voting_ends_at:
        return rejected(state, action, "voting_closed")
    updated = replace(proposal, status=ProposalStatus.CANCELLED)
    return TransitionResult(put(state, updated), (EventProposalCancelled(proposal.id),))
