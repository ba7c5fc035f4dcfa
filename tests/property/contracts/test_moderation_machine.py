"""Moderation as a state machine: tallies match an independent count, rules hold, replayable."""

from __future__ import annotations

import hashlib
from dataclasses import replace

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from stellar_sdk import Keypair

from contracts.canonical import state_hash
from contracts.core import NATIVE, Action, Context, Event, EventRejected
from contracts.moderation import (
    PARAMS,
    ActionAppeal,
    ActionCancel,
    ActionDelegate,
    ActionExecute,
    ActionFinalize,
    ActionPropose,
    ActionTick,
    ActionUndelegate,
    ActionVote,
    EventProposalFinalised,
    ModerationState,
    Proposal,
    ProposalKind,
    ProposalStatus,
    ReceiveBalanceSnapshot,
    VoteChoice,
    check_params,
    default_params,
    initial_state,
    transition,
)

ACCOUNTS = [Keypair.from_raw_ed25519_seed(bytes([n]) * 32).public_key for n in range(60, 66)]
TARGETS = {
    ProposalKind.DELIST: ["ab" * 20, "cd" * 20, "ef" * 20, "12" * 20],
    ProposalKind.BAN: ACCOUNTS[:2],
    ProposalKind.PARAM: ["gov.timelock_s", "gov.freeze_s", "reward.ads_bps"],
}
accounts = st.sampled_from(ACCOUNTS)
DAY = 86_400
# short periods so that a few dozen steps see proposals pass, execute and get appealed
START = replace(
    initial_state(),
    params={
        **default_params(),
        "gov.voting_period_s": 7200,
        "gov.freeze_s": 600,
        "gov.timelock_s": 600,
        "gov.appeal_window_s": 3600,
        "gov.appeal_bond": 1000,
    },
)


def reference_count(proposal: Proposal, delegate_of: dict[str, str]) -> tuple[int, int, int]:
    """An independent count: each snapshotted balance goes to its holder's vote, else to
    its delegate's vote (as of the snapshot ledger), else nowhere."""
    totals = {c: 0 for c in VoteChoice}
    for account, balance in (proposal.snapshot or {}).items():
        if account in proposal.votes:
            totals[proposal.votes[account].choice] += balance
        elif delegate_of.get(account) in proposal.votes:
            totals[proposal.votes[delegate_of[account]].choice] += balance
    return totals[VoteChoice.YES], totals[VoteChoice.NO], totals[VoteChoice.ABSTAIN]


class ModerationMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.state: ModerationState = START
        self.log: list[tuple[Action, Context]] = []
        self.now = 1_000_000
        self.ledger = 10
        self.delegation_log: list[tuple[int, str, str]] = []  # (ledger, delegator, delegate)

    def apply(self, action: Action) -> tuple[Event, ...]:
        ctx = Context(epoch=1, close_time=self.now)
        before = state_hash(self.state)
        result = transition(self.state, action, ctx)
        if any(isinstance(e, EventRejected) for e in result.events):
            assert state_hash(result.state) == before
            assert len(result.events) == 1
        self.state = result.state
        self.log.append((action, ctx))
        self.check_counts(result.events)
        return result.events

    def delegate_of(self, ledger: int) -> dict[str, str]:
        found: dict[str, str] = {}
        for at, delegator, delegate in self.delegation_log:
            if at <= ledger:
                found[delegator] = delegate
        return {k: v for k, v in found.items() if v}

    def check_counts(self, events: tuple[Event, ...]) -> None:
        for event in events:
            if isinstance(event, EventProposalFinalised):
                proposal = self.state.proposals[event.proposal_id]
                expected = reference_count(proposal, self.delegate_of(proposal.start_ledger))
                assert (event.yes, event.no, event.abstain) == expected
                assert event.yes + event.no + event.abstain <= event.total_supply

    def pick(self, data: st.DataObject, *statuses: ProposalStatus) -> int:
        """Mostly a proposal in one of ``statuses`` (if any), sometimes any proposal."""
        ids = sorted(self.state.proposals)
        preferred = [i for i in ids if self.state.proposals[i].status in statuses]
        if preferred and data.draw(st.integers(0, 4)) > 0:
            return data.draw(st.sampled_from(preferred))
        return data.draw(st.sampled_from(ids))

    @rule(
        kind=st.sampled_from([ProposalKind.DELIST, *sorted(TARGETS)]),
        data=st.data(),
        proposer=accounts,
        balances=st.lists(st.integers(0, 1_000), min_size=6, max_size=6),
        with_snapshot=st.integers(0, 4),
        weight=st.one_of(st.none(), st.integers(0, 3)),
    )
    def propose(
        self,
        kind: ProposalKind,
        data: st.DataObject,
        proposer: str,
        balances: list[int],
        with_snapshot: int,
        weight: int | None,
    ) -> None:
        target = data.draw(st.sampled_from(TARGETS[kind]))
        value = data.draw(st.integers(0, 2 * DAY)) if kind == ProposalKind.PARAM else 0
        self.ledger += 1
        pid = self.state.next_id
        threshold = self.state.params["gov.proposal_threshold"]
        action = ActionPropose(proposer, kind, self.ledger, target, value, weight=weight)
        events = self.apply(action)
        if weight is not None and weight < threshold:  # the proposer is not a member
            assert isinstance(events[0], EventRejected)
            return
        if with_snapshot > 0:  # sometimes the snapshot never comes
            snapshot = tuple(zip(ACCOUNTS, balances, strict=True))
            self.apply(ReceiveBalanceSnapshot(pid, self.ledger, snapshot))

    @rule(infohash=st.sampled_from(TARGETS[ProposalKind.DELIST]), whale=accounts)
    def delisting_goes_through(self, infohash: str, whale: str) -> None:
        """A whole delisting in one step (so that appeals get exercised too)."""
        self.ledger += 1
        pid = self.state.next_id
        events = self.apply(ActionPropose(whale, ProposalKind.DELIST, self.ledger, infohash))
        if isinstance(events[0], EventRejected):
            return
        self.apply(ReceiveBalanceSnapshot(pid, self.ledger, ((whale, 1_000),)))
        self.apply(ActionVote(pid, whale, VoteChoice.YES, "", "11" * 32, 0))
        self.now += self.state.proposals[pid].voting_ends_at - self.now
        self.apply(ActionTick())
        self.now += self.state.proposals[pid].timelock_s
        self.apply(ActionTick())
        assert self.state.proposals[pid].status == ProposalStatus.EXECUTED

    @precondition(lambda self: bool(self.state.proposals))
    @rule(data=st.data(), voter=accounts, choice=st.sampled_from(list(VoteChoice)))
    def vote(self, data: st.DataObject, voter: str, choice: VoteChoice) -> None:
        pid = self.pick(data, ProposalStatus.ACTIVE)
        old = self.state.proposals[pid].votes.get(voter)
        nonce = data.draw(st.integers(0, 3)) if old is None else old.nonce + 1
        digest = hashlib.sha256(f"{pid}{voter}{choice}{nonce}".encode()).hexdigest()
        events = self.apply(ActionVote(pid, voter, choice, "", digest, nonce))
        proposal = self.state.proposals[pid]
        if old is not None and not isinstance(events[0], EventRejected):
            assert self.now < proposal.freeze_at  # no change once frozen

    @rule(delegator=accounts, delegate=accounts, revoke=st.booleans())
    def delegate(self, delegator: str, delegate: str, revoke: bool) -> None:
        self.ledger += 1
        action: Action
        action = (
            ActionUndelegate(delegator, self.ledger)
            if revoke
            else ActionDelegate(delegator, delegate, self.ledger)
        )
        events = self.apply(action)
        if not isinstance(events[0], EventRejected):
            self.delegation_log.append((self.ledger, delegator, "" if revoke else delegate))

    @precondition(lambda self: bool(self.state.proposals))
    @rule(data=st.data(), by=accounts)
    def cancel(self, data: st.DataObject, by: str) -> None:
        self.apply(ActionCancel(self.pick(data, ProposalStatus.ACTIVE), by))

    @rule(seconds=st.sampled_from([0, 60, 600, 3600]))
    def wait(self, seconds: int) -> None:
        self.now += seconds

    @precondition(lambda self: bool(self.state.proposals))
    @rule(
        data=st.data(),
        kind=st.sampled_from(["finalize", "execute", "tick"]),
        seconds=st.sampled_from([0, 60, 600, 3600]),
    )
    def advance(self, data: st.DataObject, kind: str, seconds: int) -> None:
        self.now += seconds
        pid = self.pick(data, ProposalStatus.ACTIVE, ProposalStatus.PASSED)
        action = {"finalize": ActionFinalize(pid), "execute": ActionExecute(pid)}.get(kind)
        self.apply(action or ActionTick())

    @precondition(lambda self: bool(self.state.proposals))
    @rule(data=st.data(), appellant=accounts, bond=st.integers(0, 2_000))
    def appeal(self, data: st.DataObject, appellant: str, bond: int) -> None:
        self.ledger += 1
        ref = f"tx-{len(self.log)}"
        delistings = [
            p.id
            for p in self.state.proposals.values()
            if p.kind == ProposalKind.DELIST and p.status == ProposalStatus.EXECUTED
        ]
        pid = data.draw(st.sampled_from(delistings)) if delistings else self.pick(data)
        self.apply(ActionAppeal(pid, appellant, self.ledger, NATIVE, bond, ref))

    @invariant()
    def parameters_stay_coherent_and_in_bounds(self) -> None:
        assert check_params(self.state.params) is None
        for name, value in self.state.params.items():
            assert PARAMS[name].low <= value <= PARAMS[name].high

    @invariant()
    def statuses_agree_with_times(self) -> None:
        for proposal in self.state.proposals.values():
            assert proposal.freeze_at <= proposal.voting_ends_at
            if proposal.status in (ProposalStatus.PASSED, ProposalStatus.EXECUTED):
                assert proposal.tally is not None and proposal.tally.passed
            if proposal.finalised_at is not None:
                assert proposal.finalised_at >= proposal.voting_ends_at
            if proposal.executed_at is not None and proposal.executable_at is not None:
                assert proposal.executed_at >= proposal.executable_at

    @invariant()
    def every_appeal_is_bonded_once_against_one_executed_delisting(self) -> None:
        for ref, appeal_id in self.state.bond_payments.items():
            appeal = self.state.proposals[appeal_id]
            assert appeal.kind == ProposalKind.APPEAL and appeal.bond is not None
            assert appeal.bond.payment_ref == ref
            assert appeal.appeal_of is not None
            original = self.state.proposals[appeal.appeal_of]
            assert original.kind == ProposalKind.DELIST
            assert original.status == ProposalStatus.EXECUTED
            assert original.appeal_id == appeal_id
        appeals = [p for p in self.state.proposals.values() if p.kind == ProposalKind.APPEAL]
        assert len(appeals) == len(self.state.bond_payments)

    def teardown(self) -> None:
        replayed = START
        for action, ctx in self.log:
            replayed = transition(replayed, action, ctx).state
        assert state_hash(replayed) == state_hash(self.state)


ModerationMachine.TestCase.settings = settings(
    max_examples=60, stateful_step_count=80, deadline=None
)
TestModerationMachine = ModerationMachine.TestCase
