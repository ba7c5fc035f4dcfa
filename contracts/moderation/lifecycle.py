"""Proposal lifecycle: creation, counting, timelock and execution, appeals.

    ACTIVE --(voting ends, ActionFinalize/Tick)--> PASSED | FAILED
    PASSED --(timelock elapsed, ActionExecute/Tick)--> EXECUTED (or FAILED if the
             change is no longer valid, e.g. an incoherent parameter set)
    ACTIVE --(proposer, before the end)--> CANCELLED

An executed delisting may be appealed within ``gov.appeal_window_s`` with a bond of at
least ``gov.appeal_bond``: the content is hidden and an APPEAL proposal (yes = relist)
runs with the higher ``gov.quorum_bps.appeal``. Appeals have no timelock: when counted,
success relists the content and returns the bond (``SendPayout``); failure delists it
for good and the bond stays in the treasury (``EventBondForfeited``).
"""

from __future__ import annotations

from dataclasses import replace

from contracts.common import SendPayout, is_account, is_asset
from contracts.core import Action, Context, Event, TransitionResult, is_valid_amount, rejected
from contracts.moderation.actions import ActionAppeal, ActionPropose, ActionTick
from contracts.moderation.events import (
    EventAppealFiled,
    EventBondForfeited,
    EventChannelBanned,
    EventContentDelisted,
    EventContentHidden,
    EventContentRelisted,
    EventExecutionFailed,
    EventMintApproved,
    EventParameterChanged,
    EventProposalCreated,
    EventProposalExecuted,
    EventProposalFinalised,
)
from contracts.moderation.params import check_params
from contracts.moderation.state import (
    Bond,
    ModerationState,
    Proposal,
    ProposalKind,
    ProposalStatus,
)
from contracts.moderation.tally import count, delegations_as_of

Result = TransitionResult[ModerationState]
MAX_PAYMENT_REF = 128


def proposal_or_none(state: ModerationState, proposal_id: object) -> Proposal | None:
    return state.proposals.get(proposal_id) if type(proposal_id) is int else None


def put(state: ModerationState, proposal: Proposal) -> ModerationState:
    return replace(state, proposals={**state.proposals, proposal.id: proposal})


def _open(
    state: ModerationState, kind: ProposalKind, proposer: str, start_ledger: int, ctx: Context
) -> Proposal:
    params = state.params
    ends = ctx.close_time + params["gov.voting_period_s"]
    return Proposal(
        id=state.next_id,
        kind=kind,
        proposer=proposer,
        target="",
        value=0,
        recipient="",
        asset=None,
        description="",
        start_ledger=start_ledger,
        created_at=ctx.close_time,
        freeze_at=ends - params["gov.freeze_s"],
        voting_ends_at=ends,
        quorum_bps=params[f"gov.quorum_bps.{kind}"],
        support_bps=params[f"gov.support_bps.{kind}"],
        timelock_s=0 if kind == ProposalKind.APPEAL else params["gov.timelock_s"],
    )


def _store_new(state: ModerationState, proposal: Proposal) -> Result:
    state = replace(
        put(state, proposal),
        next_id=proposal.id + 1,
        sealed_ledger=max(state.sealed_ledger, proposal.start_ledger),
    )
    event = EventProposalCreated(
        proposal.id,
        proposal.kind,
        proposal.proposer,
        proposal.start_ledger,
        proposal.voting_ends_at,
    )
    return TransitionResult(state, (event,))


def new_proposal(
    state: ModerationState, action: ActionPropose, target: str, ctx: Context
) -> Result:
    """Store a validated proposal; fields that do not apply to its kind are blanked."""
    kind = ProposalKind(action.kind)
    base = _open(state, kind, action.proposer, action.start_ledger, ctx)
    is_mint = kind == ProposalKind.MINT
    proposal = replace(
        base,
        target=target,
        value=action.value if kind in (ProposalKind.PARAM, ProposalKind.MINT) else 0,
        recipient=action.recipient if is_mint else "",
        asset=action.asset if is_mint else None,
        description=action.description,
    )
    return _store_new(state, proposal)


def finalize(state: ModerationState, action: Action, pid: int, ctx: Context) -> Result:
    proposal = proposal_or_none(state, pid)
    if proposal is None:
        return rejected(state, action, "unknown_proposal")
    if proposal.status != ProposalStatus.ACTIVE:
        return rejected(state, action, "proposal_not_active")
    if ctx.close_time < proposal.voting_ends_at:
        return rejected(state, action, "voting_not_ended")
    tally = count(proposal, delegations_as_of(state, proposal.start_ledger))
    status = ProposalStatus.PASSED if tally.passed else ProposalStatus.FAILED
    counted = replace(
        proposal,
        status=status,
        tally=tally,
        finalised_at=ctx.close_time,
        executable_at=proposal.voting_ends_at + proposal.timelock_s if tally.passed else None,
    )
    event = EventProposalFinalised(
        proposal.id,
        status,
        tally.yes,
        tally.no,
        tally.abstain,
        tally.total_supply,
        tally.quorum_met,
    )
    state = put(state, counted)
    if proposal.kind == ProposalKind.APPEAL:
        result = _settle_appeal(state, counted, ctx)
        return TransitionResult(result.state, (event, *result.events))
    return TransitionResult(state, (event,))


def execute(state: ModerationState, action: Action, pid: int, ctx: Context) -> Result:
    proposal = proposal_or_none(state, pid)
    if proposal is None:
        return rejected(state, action, "unknown_proposal")
    if proposal.status != ProposalStatus.PASSED or proposal.executable_at is None:
        return rejected(state, action, "not_passed")
    if ctx.close_time < proposal.executable_at:
        return rejected(state, action, "timelock_active")
    return _carry_out(state, proposal, ctx)


def _carry_out(state: ModerationState, proposal: Proposal, ctx: Context) -> Result:
    done = replace(proposal, status=ProposalStatus.EXECUTED, executed_at=ctx.close_time)
    effects: tuple[Event, ...]
    match proposal.kind:
        case ProposalKind.DELIST:
            window = state.params["gov.appeal_window_s"]
            done = replace(done, appeal_deadline=ctx.close_time + window)
            effects = (EventContentDelisted(proposal.target, proposal.id, final=window == 0),)
        case ProposalKind.BAN:
            effects = (EventChannelBanned(proposal.target, proposal.id),)
        case ProposalKind.PARAM:
            params = {**state.params, proposal.target: proposal.value}
            code = check_params(params)
            if code is not None:
                failed = replace(proposal, status=ProposalStatus.FAILED)
                return TransitionResult(
                    put(state, failed), (EventExecutionFailed(proposal.id, code),)
                )
            state = replace(state, params=params)
            effects = (EventParameterChanged(proposal.target, proposal.value, proposal.id),)
        case _:
            assert proposal.asset is not None  # checked when proposed
            effects = (
                EventMintApproved(proposal.id, proposal.asset, proposal.recipient, proposal.value),
            )
    return TransitionResult(put(state, done), (*effects, EventProposalExecuted(proposal.id)))


def tick_due(state: ModerationState, now: int) -> bool:
    """Whether ``ActionTick`` at ``now`` would finalise or execute anything."""
    for proposal in state.proposals.values():
        if proposal.status == ProposalStatus.ACTIVE and now >= proposal.voting_ends_at:
            return True
        due = proposal.executable_at is not None and now >= proposal.executable_at
        if proposal.status == ProposalStatus.PASSED and due:
            return True
    return False


def tick(state: ModerationState, ctx: Context) -> Result:
    """Finalise every ACTIVE proposal whose voting ended, then execute every due one."""
    events: list[Event] = []
    for pid in sorted(state.proposals):
        proposal = state.proposals[pid]
        if proposal.status == ProposalStatus.ACTIVE and ctx.close_time >= proposal.voting_ends_at:
            result = finalize(state, ActionTick(), pid, ctx)
            state, events = result.state, [*events, *result.events]
    for pid in sorted(state.proposals):
        proposal = state.proposals[pid]
        due = proposal.executable_at is not None and ctx.close_time >= proposal.executable_at
        if proposal.status == ProposalStatus.PASSED and due:
            result = _carry_out(state, proposal, ctx)
            state, events = result.state, [*events, *result.events]
    return TransitionResult(state, tuple(events))


def _appeal_error(state: ModerationState, action: ActionAppeal, ctx: Context) -> str | None:
    original = proposal_or_none(state, action.proposal_id)
    if original is None:
        return "unknown_proposal"
    if original.kind != ProposalKind.DELIST or original.status != ProposalStatus.EXECUTED:
        return "not_appealable"
    if original.appeal_id is not None:
        return "already_appealed"
    if original.appeal_deadline is None or ctx.close_time > original.appeal_deadline:
        return "appeal_window_closed"
    if not is_account(action.appellant):
        return "invalid_account"
    if type(action.start_ledger) is not int or action.start_ledger < state.sealed_ledger:
        return "stale_ledger"
    if not is_asset(action.bond_asset) or action.bond_asset != state.bond_asset:
        return "wrong_bond_asset"
    if not is_valid_amount(action.bond_amount):
        return "invalid_amount"
    if action.bond_amount < state.params["gov.appeal_bond"]:
        return "bond_too_small"
    ref = action.payment_ref
    if type(ref) is not str or not 1 <= len(ref) <= MAX_PAYMENT_REF:
        return "invalid_payment_ref"
    if ref in state.bond_payments:
        return "duplicate_bond_payment"
    return None


def appeal(state: ModerationState, action: ActionAppeal, ctx: Context) -> Result:
    code = _appeal_error(state, action, ctx)
    if code is not None:
        return rejected(state, action, code)
    original = state.proposals[action.proposal_id]
    bond = Bond(action.appellant, action.bond_asset, action.bond_amount, action.payment_ref)
    base = _open(state, ProposalKind.APPEAL, action.appellant, action.start_ledger, ctx)
    proposal = replace(base, target=original.target, appeal_of=original.id, bond=bond)
    state = put(state, replace(original, appeal_id=proposal.id))
    state = replace(state, bond_payments={**state.bond_payments, bond.payment_ref: proposal.id})
    created = _store_new(state, proposal)
    events = (
        *created.events,
        EventAppealFiled(proposal.id, original.id, action.appellant, action.bond_amount),
        EventContentHidden(original.target, proposal.id),
    )
    return TransitionResult(created.state, events)


def _settle_appeal(state: ModerationState, proposal: Proposal, ctx: Context) -> Result:
    bond = proposal.bond
    assert bond is not None  # every appeal has one
    if proposal.status == ProposalStatus.PASSED:
        done = replace(proposal, status=ProposalStatus.EXECUTED, executed_at=ctx.close_time)
        refund = SendPayout(bond.appellant, bond.asset, bond.amount, f"appeal-bond-{proposal.id}")
        events: tuple[Event, ...] = (
            EventContentRelisted(proposal.target, proposal.id),
            refund,
            EventProposalExecuted(proposal.id),
        )
        return TransitionResult(put(state, done), events)
    events = (
        EventContentDelisted(proposal.target, proposal.id, final=True),
        EventBondForfeited(proposal.id, bond.asset, bond.amount, bond.payment_ref),
    )
    return TransitionResult(state, events)
