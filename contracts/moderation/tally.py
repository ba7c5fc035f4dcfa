"""Vote weights: snapshotted balances, delegation as of the snapshot ledger, overrides.

Rules:
- an account's weight is its governance-token balance at the proposal's ``start_ledger``
  (``ReceiveBalanceSnapshot``); later balance changes do not matter;
- a delegation counts if it was in force at ``start_ledger`` (the last change at or
  before that ledger); delegation is one level: weight received by delegation is not
  passed on;
- a delegator that votes itself uses its own weight (it overrides its delegate for
  that weight); otherwise its weight goes to its delegate's vote, if the delegate votes;
- every account's balance is therefore counted at most once.
"""

from __future__ import annotations

from contracts.common import BPS
from contracts.moderation.state import (
    DelegationChange,
    ModerationState,
    Proposal,
    Tally,
    VoteChoice,
)


def delegate_as_of(history: tuple[DelegationChange, ...], ledger: int) -> str:
    """The delegate in force at ``ledger`` ("" for none); ``history`` is ledger-ordered."""
    current = ""
    for change in history:
        if change.ledger > ledger:
            break
        current = change.delegate
    return current


def delegations_as_of(state: ModerationState, ledger: int) -> dict[str, str]:
    """delegator -> delegate for every delegation in force at ``ledger``."""
    found: dict[str, str] = {}
    for delegator in sorted(state.delegations):
        delegate = delegate_as_of(state.delegations[delegator], ledger)
        if delegate:
            found[delegator] = delegate
    return found


def voting_power(proposal: Proposal, account: str, delegations: dict[str, str]) -> int:
    """What ``account`` would weigh if it voted now (own balance + non-voting delegators)."""
    snapshot = proposal.snapshot or {}
    weight = snapshot.get(account, 0)
    for delegator in sorted(delegations):
        if delegations[delegator] == account and delegator not in proposal.votes:
            weight += snapshot.get(delegator, 0)
    return weight


def vote_weights(proposal: Proposal, delegations: dict[str, str]) -> dict[str, int]:
    return {voter: voting_power(proposal, voter, delegations) for voter in sorted(proposal.votes)}


def count(proposal: Proposal, delegations: dict[str, str]) -> Tally:
    """Quorum: (yes + no + abstain) * 10000 >= quorum_bps * supply.
    Support: yes * 10000 > support_bps * (yes + no), and yes > 0."""
    snapshot = proposal.snapshot or {}
    supply = sum(snapshot[a] for a in sorted(snapshot))
    totals = {VoteChoice.YES: 0, VoteChoice.NO: 0, VoteChoice.ABSTAIN: 0}
    for voter, weight in vote_weights(proposal, delegations).items():
        totals[proposal.votes[voter].choice] += weight
    yes, no, abstain = totals[VoteChoice.YES], totals[VoteChoice.NO], totals[VoteChoice.ABSTAIN]
    quorum_met = supply > 0 and (yes + no + abstain) * BPS >= proposal.quorum_bps * supply
    supported = yes > 0 and yes * BPS > proposal.support_bps * (yes + no)
    return Tally(yes, no, abstain, supply, quorum_met, quorum_met and supported)


def participation(
    state: ModerationState, closed_from: int, closed_until: int
) -> tuple[tuple[str, int], ...]:
    """Votes cast per account on proposals finalised in ``[closed_from, closed_until)``.

    This is the moderators' participation fed to the rewards contract for an epoch.
    Cancelled proposals never count.
    """
    counts: dict[str, int] = {}
    for pid in sorted(state.proposals):
        proposal = state.proposals[pid]
        done = proposal.finalised_at
        if done is None or not closed_from <= done < closed_until:
            continue
        for voter in sorted(proposal.votes):
            counts[voter] = counts.get(voter, 0) + 1
    return tuple((a, counts[a]) for a in sorted(counts))
